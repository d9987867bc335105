import { bindingRule, celStrings } from './core/cel';
import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { pointer } from './core/pod-template';
import { isBinding, rbacObjectLabel } from './core/rbac-rules';

/** Built-in groups a binding must not name: everyone, anyone or the RBAC bypass group. */
const FORBIDDEN_GROUPS = new Set(['system:masters', 'system:anonymous', 'system:unauthenticated', 'system:authenticated']);
const FORBIDDEN_USERS = new Set(['system:anonymous']);

/** No binding grants a role to the built-in catch-all groups or the anonymous user. */
export class RbacSystemGroups extends Control {
  constructor() {
    super({
      id: 'rbac-system-groups',
      title: 'No binding names system:masters, system:anonymous, system:unauthenticated or system:authenticated',
      severity: Severity.ERROR,
      rationale: 'system:authenticated is every identity the cluster knows (every service account of every namespace, '
        + 'and on some providers any account of the cloud), system:unauthenticated and system:anonymous are anyone '
        + 'who reaches the API server, and system:masters bypasses RBAC altogether and cannot be revoked while its '
        + 'certificates are valid.',
      remediation: 'Bind the role to the specific users, groups or service accounts that need it; remove subjects '
        + 'of kind Group named system:masters, system:anonymous, system:unauthenticated or system:authenticated and '
        + 'of kind User named system:anonymous.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.7 (avoid use of system:masters group)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        trivy: ['KSV122'],
        kyverno: ['restrict-binding-system-groups'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: bindingRule({
        expression: `object.?subjects.orValue([]).all(s, !(s.kind == 'Group' && s.name in ${celStrings([...FORBIDDEN_GROUPS])})`
          + ` && !(s.kind == 'User' && s.name in ${celStrings([...FORBIDDEN_USERS])}))`,
        message: `bindings must not grant to ${[...FORBIDDEN_GROUPS, ...FORBIDDEN_USERS].join(', ')}`,
      }),
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return isBinding(manifest);
  }

  public check(manifest: any, _context: ControlContext): Violation[] {
    const subjects = manifest.subjects;
    if (!Array.isArray(subjects)) return [];
    const violations: Violation[] = [];
    subjects.forEach((subject: any, index: number) => {
      const forbidden = subject?.kind === 'Group' ? FORBIDDEN_GROUPS : subject?.kind === 'User' ? FORBIDDEN_USERS : undefined;
      if (forbidden && typeof subject.name === 'string' && forbidden.has(subject.name)) {
        violations.push({
          pointer: pointer('/subjects', index, 'name'),
          message: `${rbacObjectLabel(manifest)} subjects[${index}] is ${subject.kind} '${subject.name}'`,
        });
      }
    });
    return violations;
  }
}
