import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject, inNamespace } from './core/cross-object';
import { apiGroupOf, manifestsOf } from './core/manifest-index';
import { isObject } from './core/pod-template';

/** The fields a Container limit must default, and the resources each must cover (those the quota caps). */
const FIELDS = ['default', 'defaultRequest'];
const RESOURCES = ['cpu', 'memory'];

/** Every Namespace has a LimitRange giving containers a default limit and a default request. */
export class NamespaceLimitRange extends Control {
  constructor() {
    super({
      id: 'namespace-limit-range',
      title: 'Namespaces have a LimitRange with container default limits and requests',
      severity: Severity.ERROR,
      rationale: 'A container created without resources (by hand, a chart or an operator) gets no limit and is '
        + 'scheduled as best-effort; with a cpu/memory ResourceQuota in place it is rejected outright. A LimitRange '
        + 'default and defaultRequest bound such containers and keep them admissible.',
      remediation: 'Add to every Namespace a LimitRange with a limit of type Container whose `default` and '
        + '`defaultRequest` both set cpu and memory (IsolatedNamespace also sets ephemeral-storage and max).',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Network separation and hardening: Resource policies"',
        trivy: ['KSV039'],
        kyverno: ['add-ns-quota'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: "Needs other objects: needs the namespace's LimitRange, another object." };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'Namespace' && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const name = manifest.metadata?.name;
    if (typeof name !== 'string' || name === '') return [];
    const ranges = inNamespace(manifestsOf(manifest, context), 'LimitRange', '', name);
    const containerLimits = ranges
      .flatMap(r => (Array.isArray(r?.spec?.limits) ? r.spec.limits : []))
      .filter((l: any) => isObject(l) && l.type === 'Container');
    // LimitRanger applies every LimitRange of the namespace, so defaults may come from different items.
    const missing: string[] = [];
    for (const field of FIELDS) {
      for (const resource of RESOURCES) {
        const set = containerLimits.some((l: any) => isObject(l[field]) && l[field][resource] !== undefined && l[field][resource] !== null && l[field][resource] !== '');
        if (!set) missing.push(`${field}.${resource}`);
      }
    }
    if (missing.length === 0) return [];
    const message = ranges.length === 0
      ? `${describeObject(manifest)} has no LimitRange`
      : `${describeObject(manifest)} has no LimitRange of type Container setting ${missing.join(', ')}`;
    return [{
      pointer: '/metadata/name',
      message,
      fix: `Add a LimitRange in namespace '${name}' with a limit of type Container setting ${missing.join(', ')}.`,
    }];
  }
}
