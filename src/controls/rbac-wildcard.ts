import { NOT_CONTROL_PLANE, rbacResources } from './core/cel';
import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { pointer } from './core/pod-template';
import { entriesOf, isRole, rbacObjectLabel, rulesOf } from './core/rbac-rules';

const FIELDS = ['verbs', 'apiGroups', 'resources', 'nonResourceURLs'];

/**
 * No `*` anywhere in the verbs, API groups, resources or non-resource URLs of a rule, and no ClusterRole whose rules
 * the cluster fills in (`aggregationRule`): a grant nobody can read in the app is a wildcard too.
 */
export class RbacWildcard extends Control {
  constructor() {
    super({
      id: 'rbac-wildcard',
      title: 'Role rules name their verbs, API groups, resources and URLs without wildcards or aggregation',
      severity: Severity.ERROR,
      rationale: 'A wildcard grants more than its author reviewed, and grows silently: every verb, resource or API '
        + 'group added later (new Kubernetes versions, CRDs) is granted too, subresources such as pods/exec and '
        + 'secrets included. A ClusterRole with an aggregationRule is the same grant by another road: the cluster replaces '
        + 'its rules with those of every ClusterRole its selectors match, now or later, whatever the app says (one '
        + 'selecting `kubernetes.io/bootstrapping: rbac-defaults` becomes cluster-admin, an empty selector every role of '
        + 'the cluster). Any aggregationRule counts, whatever its selectors: what they will match is not in the app.',
      remediation: 'List the verbs, apiGroups and resources the subject needs instead of `*`, `*/<subresource>` or '
        + '`<resource>/*`, and the exact nonResourceURLs instead of `*` or `<path>/*` prefixes. Replace an '
        + 'aggregationRule with the rules the subjects need, written out in the ClusterRole.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.3 (minimize wildcard use in Roles and ClusterRoles)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        kubeLinter: ['wildcard-in-rules'],
        trivy: ['KSV044', 'KSV045', 'KSV046'],
        kyverno: ['restrict-wildcard-verbs', 'restrict-wildcard-resources'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    const noWildcard = FIELDS.map(field => `r.?${field}.orValue([]).all(x, !x.contains('*'))`).join(' && ');
    return {
      rule: {
        resources: rbacResources('Role', 'ClusterRole'),
        matchConditions: [NOT_CONTROL_PLANE],
        validations: [
          { expression: "!(object.kind == 'ClusterRole' && has(object.aggregationRule))", message: 'ClusterRoles must not use aggregationRule' },
          { expression: `object.?rules.orValue([]).all(r, ${noWildcard})`, message: `rules must not use '*' in ${FIELDS.join(', ')}` },
        ],
      },
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return isRole(manifest);
  }

  public check(manifest: any, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    // The API server keeps aggregationRule only on ClusterRoles; any value other than null is kept and honoured.
    if (manifest.kind === 'ClusterRole' && manifest.aggregationRule !== undefined && manifest.aggregationRule !== null) {
      violations.push({
        pointer: '/aggregationRule',
        message: `${rbacObjectLabel(manifest)} has aggregationRule ${JSON.stringify(manifest.aggregationRule)}: the cluster replaces its `
          + 'rules with those of every ClusterRole the selectors match, now or later, which the app does not show',
        fix: 'Remove aggregationRule and write the rules the subjects need into the ClusterRole, or exempt it with the reason '
          + 'every role its selectors can match is acceptable',
      });
    }
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
