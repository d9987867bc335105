import { Control, ControlContext, Severity, Violation } from './core/control';
import { describeObject, inNamespace } from './core/cross-object';
import { apiGroupOf, manifestsOf } from './core/manifest-index';
import { isObject } from './core/pod-template';

/** The hard limits required, each with the ResourceQuota keys that mean the same thing. */
const REQUIRED: Array<[string, string[]]> = [
  ['requests.cpu', ['requests.cpu', 'cpu']],
  ['requests.memory', ['requests.memory', 'memory']],
  ['limits.cpu', ['limits.cpu']],
  ['limits.memory', ['limits.memory']],
  ['pods', ['pods', 'count/pods']],
];

function isQuantity(value: any): boolean {
  return (typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}

/** A quota restricted by scopes or a scopeSelector counts only some pods, so it does not cap the namespace. */
function isScoped(quota: any): boolean {
  const scopes = quota?.spec?.scopes;
  const expressions = quota?.spec?.scopeSelector?.matchExpressions;
  return (Array.isArray(scopes) && scopes.length > 0) || (Array.isArray(expressions) && expressions.length > 0);
}

/** Every Namespace has a ResourceQuota capping cpu and memory requests and limits, and the number of pods. */
export class NamespaceQuota extends Control {
  constructor() {
    super({
      id: 'namespace-quota',
      title: 'Namespaces have a ResourceQuota on cpu, memory and pods',
      severity: Severity.ERROR,
      rationale: 'Without a quota one namespace (a runaway autoscaler, a fork bomb of Jobs, a compromised workload '
        + 'mining) can consume the whole cluster\'s cpu, memory and pod slots and starve every other tenant.',
      remediation: 'Add to every Namespace a ResourceQuota (without scopes) whose spec.hard sets requests.cpu, '
        + 'requests.memory, limits.cpu, limits.memory and pods (IsolatedNamespace creates one). The keys may be '
        + 'spread over several unscoped quotas; `cpu`/`memory` count as requests.cpu/requests.memory and `count/pods` as pods.',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Network separation and hardening: Resource policies"',
        trivy: ['KSV040'],
        kyverno: ['add-ns-quota'],
      },
    });
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'Namespace' && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const name = manifest.metadata?.name;
    if (typeof name !== 'string' || name === '') return [];
    const quotas = inNamespace(manifestsOf(manifest, context), 'ResourceQuota', '', name);
    const unscoped = quotas.filter(q => !isScoped(q));
    const missing = REQUIRED
      .filter(([, keys]) => !unscoped.some(q => isObject(q?.spec?.hard) && keys.some(k => isQuantity(q.spec.hard[k]))))
      .map(([key]) => key);
    if (missing.length === 0) return [];
    let message: string;
    if (quotas.length === 0) {
      message = `${describeObject(manifest)} has no ResourceQuota`;
    } else {
      message = `${describeObject(manifest)} has no unscoped ResourceQuota with hard ${missing.join(', ')}`
        + (unscoped.length < quotas.length ? ' (quotas with scopes or a scopeSelector do not count)' : '');
    }
    return [{
      pointer: '/metadata/name',
      message,
      fix: `Add a ResourceQuota in namespace '${name}' whose spec.hard sets ${missing.join(', ')}.`,
    }];
  }
}
