import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
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
  ['services.loadbalancers', ['services.loadbalancers']],
  ['services.nodeports', ['services.nodeports']],
];

/** The counts a ResourceQuota must keep at 0 unless an exemption says why the namespace needs them. */
const ZERO_UNLESS_EXEMPTED: Array<[string, string]> = [
  ['services.loadbalancers', 'LoadBalancer Services'],
  ['services.nodeports', 'node ports'],
];

function isQuantity(value: any): boolean {
  return (typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}

/** True for a quantity that is zero: `0`, `"0"`, `"0.0"`, `"0k"`... */
function isZero(value: any): boolean {
  if (typeof value === 'number') return value === 0;
  return typeof value === 'string' && /^\+?(0+(\.0*)?|\.0+)([eE][+-]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.test(value.trim());
}

/** A quota restricted by scopes or a scopeSelector counts only some pods, so it does not cap the namespace. */
function isScoped(quota: any): boolean {
  const scopes = quota?.spec?.scopes;
  const expressions = quota?.spec?.scopeSelector?.matchExpressions;
  return (Array.isArray(scopes) && scopes.length > 0) || (Array.isArray(expressions) && expressions.length > 0);
}

/**
 * Every Namespace has a ResourceQuota capping cpu and memory requests and limits, the number of pods, LoadBalancer
 * Services and node ports; and no ResourceQuota admits LoadBalancer Services or node ports unless exempted.
 */
export class NamespaceQuota extends Control {
  constructor() {
    super({
      id: 'namespace-quota',
      title: 'Namespaces have a ResourceQuota on cpu, memory, pods and externally reachable Services',
      severity: Severity.ERROR,
      rationale: 'Without a quota one namespace (a runaway autoscaler, a fork bomb of Jobs, a compromised workload '
        + 'mining) can consume the whole cluster\'s cpu, memory and pod slots and starve every other tenant. A '
        + 'LoadBalancer Service or a node port exposes pods outside the cluster (and costs a cloud load balancer): '
        + 'capping both at 0 keeps a tenant from opening one unless the namespace was declared to need it.',
      remediation: 'Add to every Namespace a ResourceQuota (without scopes) whose spec.hard sets requests.cpu, '
        + 'requests.memory, limits.cpu, limits.memory, pods, services.loadbalancers and services.nodeports '
        + '(IsolatedNamespace creates one). The keys may be spread over several unscoped quotas; `cpu`/`memory` count '
        + 'as requests.cpu/requests.memory and `count/pods` as pods. Keep services.loadbalancers and services.nodeports '
        + 'at "0"; a namespace that must expose Services that way exempts this control on its ResourceQuota at that key '
        + '(IsolatedNamespace\'s allowedLoadBalancers and allowedNodePorts do so).',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Network separation and hardening: Resource policies"',
        trivy: ['KSV040'],
        kyverno: ['add-ns-quota'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: "Needs other objects: needs the namespace's ResourceQuota, another object." };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return (manifest?.kind === 'Namespace' || manifest?.kind === 'ResourceQuota') && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    return manifest.kind === 'ResourceQuota' ? this.checkServiceCounts(manifest) : this.checkNamespace(manifest, context);
  }

  /** A ResourceQuota admitting LoadBalancer Services or node ports: one violation per key, at the key. */
  private checkServiceCounts(quota: any): Violation[] {
    const hard = quota.spec?.hard;
    if (!isObject(hard)) return [];
    return ZERO_UNLESS_EXEMPTED
      .filter(([key]) => hard[key] !== undefined && hard[key] !== null && !isZero(hard[key]))
      .map(([key, what]) => ({
        pointer: `/spec/hard/${key}`,
        message: `${describeObject(quota)} admits ${what}: spec.hard['${key}'] is ${JSON.stringify(hard[key])}, not "0"`,
        fix: `Set spec.hard['${key}'] to "0"; a namespace that must expose Services this way exempts namespace-quota on this `
          + `ResourceQuota with pointer /spec/hard/${key} and a reason (IsolatedNamespace's ${key === 'services.loadbalancers'
            ? 'allowedLoadBalancers' : 'allowedNodePorts'} does so, pinned to the count it was given).`,
      }));
  }

  private checkNamespace(manifest: any, context: ControlContext): Violation[] {
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
      fix: `Add a ResourceQuota in namespace '${name}' whose spec.hard sets ${missing.join(', ')}`
        + (missing.some(key => key.startsWith('services.')) ? ' (the services counts to "0").' : '.'),
    }];
  }
}
