import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject, isEmptySelector, networkPoliciesIn, PolicyType, policyTypesOf, ruleAdmitsEverything, rulesOf } from './core/cross-object';
import { apiGroupOf, manifestsOf } from './core/manifest-index';

const DIRECTIONS: PolicyType[] = ['Ingress', 'Egress'];

/** Every Namespace of the app has a default-deny NetworkPolicy for both directions. */
export class NamespaceDefaultDeny extends Control {
  constructor() {
    super({
      id: 'namespace-default-deny',
      title: 'Namespaces deny all ingress and egress traffic by default',
      severity: Severity.ERROR,
      rationale: 'Kubernetes lets every pod talk to every pod and to the internet until a NetworkPolicy selects it: a '
        + 'namespace-wide default deny makes any pod added later (by hand, a chart or an operator) isolated until its '
        + 'traffic is allowed explicitly, and stops a compromised pod from scanning the cluster or exfiltrating data.',
      remediation: 'Add to every Namespace a NetworkPolicy with podSelector: {} and policyTypes: [Ingress, Egress] '
        + '(IsolatedNamespace creates one), and allow traffic with narrower policies per workload. Kubernetes combines '
        + 'policies, so two policies selecting every pod (one isolating Ingress, one Egress) are accepted too. A '
        + 'select-all policy must not carry a rule admitting every peer on every port: that undoes the deny.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.3.2 (ensure that all Namespaces have NetworkPolicies defined)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Network separation and hardening: Network policies" (default deny)',
        kyverno: ['add-networkpolicy'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: "Needs other objects: needs the namespace's NetworkPolicies, other objects than the Namespace it judges." };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'Namespace' && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const name = manifest.metadata?.name;
    if (typeof name !== 'string' || name === '') return [];
    const selectAll = networkPoliciesIn(manifestsOf(manifest, context), name).filter(np => isEmptySelector(np?.spec?.podSelector));
    const violations: Violation[] = [];
    const missing = DIRECTIONS.filter(d => !selectAll.some(np => policyTypesOf(np).has(d)));
    if (missing.length > 0) {
      violations.push({
        pointer: '/metadata/name',
        message: `${describeObject(manifest)} has no NetworkPolicy with podSelector {} isolating ${missing.join(' and ')}`,
        fix: `Add a NetworkPolicy in namespace '${name}' with podSelector: {} and policyTypes: [Ingress, Egress] and no rules.`,
      });
    }
    // Policies are additive: one select-all policy admitting everything re-opens the direction for every pod.
    for (const direction of DIRECTIONS) {
      const field = direction === 'Ingress' ? 'ingress' : 'egress';
      for (const np of selectAll.filter(p => policyTypesOf(p).has(direction))) {
        rulesOf(np, direction).forEach((rule, index) => {
          if (ruleAdmitsEverything(rule, direction)) {
            violations.push({
              pointer: '/metadata/name',
              message: `${describeObject(manifest)}: ${describeObject(np)} selects every pod and its ${field}[${index}] `
                + `admits all ${direction.toLowerCase()} traffic, undoing the default deny`,
              fix: `Remove ${field}[${index}] from ${describeObject(np)} or restrict its peers and ports; allow traffic in policies selecting the workloads that need it.`,
            });
          }
        });
      }
    }
    return violations;
  }
}
