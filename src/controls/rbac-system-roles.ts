import { bindingRule, celString } from './core/cel';
import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isBinding, rbacObjectLabel } from './core/rbac-rules';

/** The prefix Kubernetes reserves for its own roles (bootstrap policy and components). */
const SYSTEM_PREFIX = 'system:';

/** No binding grants a `system:` role: those belong to Kubernetes components. */
export class RbacSystemRoles extends Control {
  constructor() {
    super({
      id: 'rbac-system-roles',
      title: 'No RoleBinding or ClusterRoleBinding grants a system: role',
      severity: Severity.ERROR,
      rationale: 'Roles named system: are the API server\'s bootstrap policy and the roles of Kubernetes components, and '
        + 'their rules are not in the app: they change with the cluster version and the distribution. Several are '
        + 'powerful under a harmless name: system:aggregate-to-edit and -admin are edit and admin (Secrets read, exec, '
        + 'impersonating service accounts), system:node reads every Secret its pods use, '
        + 'system:controller:clusterrole-aggregation-controller may escalate any ClusterRole, '
        + 'system:kube-controller-manager mints tokens for any service account. Every system: name counts, bound '
        + 'cluster-wide or in one namespace, as a ClusterRole or a Role (kube-system holds system: Roles).',
      remediation: 'Bind a Role or ClusterRole of the app that lists the permissions the subjects need. Where a component '
        + 'really needs a system: role (e.g. system:auth-delegator for an extension API server), exempt the binding '
        + 'with that reason.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.1 (cluster-admin and other privileged roles only used where required)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: bindingRule({
        expression: `!object.roleRef.name.startsWith(${celString(SYSTEM_PREFIX)})`,
        message: `bindings must not bind the built-in roles of Kubernetes components (${SYSTEM_PREFIX}*)`,
      }),
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return isBinding(manifest);
  }

  public check(manifest: any, _context: ControlContext): Violation[] {
    const roleRef = manifest.roleRef;
    const name = roleRef?.name;
    if (typeof name !== 'string' || !name.startsWith(SYSTEM_PREFIX)) return [];
    const kind = typeof roleRef?.kind === 'string' ? roleRef.kind : 'role';
    return [{
      pointer: '/roleRef/name',
      message: `${rbacObjectLabel(manifest)} binds the built-in ${kind} '${name}', whose rules belong to a Kubernetes component `
        + 'and are not in the app',
      fix: `Bind a Role or ClusterRole of the app listing only what the subjects need instead of '${name}', or exempt the binding `
        + 'with the reason the subjects need that role',
    }];
  }
}
