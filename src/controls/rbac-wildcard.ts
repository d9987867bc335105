import { Control, ControlContext, Severity, Violation } from './core/control';
import { pointer } from './core/pod-template';
import { entriesOf, isRole, rbacObjectLabel, rulesOf } from './core/rbac-rules';

const FIELDS = ['verbs', 'apiGroups', 'resources', 'nonResourceURLs'];

/** No `*` anywhere in the verbs, API groups, resources or non-resource URLs of a rule. */
export class RbacWildcard extends Control {
  constructor() {
    super({
      id: 'rbac-wildcard',
      title: 'Role rules name their verbs, API groups, resources and URLs without wildcards',
      severity: Severity.ERROR,
      rationale: 'A wildcard grants more than its author reviewed, and grows silently: every verb, resource or API '
        + 'group added later (new Kubernetes versions, CRDs) is granted too, subresources such as pods/exec and '
        + 'secrets included.',
      remediation: 'List the verbs, apiGroups and resources the subject needs instead of `*`, `*/<subresource>` or '
        + '`<resource>/*`, and the exact nonResourceURLs instead of `*` or `<path>/*` prefixes.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.3 (minimize wildcard use in Roles and ClusterRoles)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        kubeLinter: ['wildcard-in-rules'],
        trivy: ['KSV044', 'KSV045', 'KSV046'],
        kyverno: ['restrict-wildcard-verbs', 'restrict-wildcard-resources'],
      },
    });
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return isRole(manifest);
  }

  public check(manifest: any, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    for (const { rule, index, pointer: rulePointer } of rulesOf(manifest)) {
      for (const field of FIELDS) {
        for (const entry of entriesOf(rule[field])) {
          // Any `*`: a bare one, a `*/sub` or `<resource>/*` pattern and a nonResourceURL prefix all widen the rule.
          if (!entry.value.includes('*')) continue;
          violations.push({
            pointer: entry.index < 0 ? pointer(rulePointer, field) : pointer(rulePointer, field, entry.index),
            message: `${rbacObjectLabel(manifest)} rules[${index}] has '${entry.value}' in ${field}`,
          });
        }
      }
    }
    return violations;
  }
}
