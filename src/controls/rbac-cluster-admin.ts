import { bindingRule } from './core/cel';
import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isBinding, rbacObjectLabel } from './core/rbac-rules';

/** No binding grants the cluster-admin ClusterRole. */
export class RbacClusterAdmin extends Control {
  constructor() {
    super({
      id: 'rbac-cluster-admin',
      title: 'No RoleBinding or ClusterRoleBinding grants the cluster-admin ClusterRole',
      severity: Severity.ERROR,
      rationale: 'cluster-admin allows every verb on every resource: through a ClusterRoleBinding the whole cluster, '
        + 'through a RoleBinding every object of the namespace, its Secrets, RBAC and pods included.',
      remediation: 'Bind a Role (or ClusterRole) that lists the permissions the subjects need instead of '
        + 'cluster-admin. For read access to one namespace, bind the built-in view ClusterRole through a RoleBinding; '
        + 'the built-in edit and admin roles read Secrets and exec into pods, so they draw the matching RBAC controls.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.1 (ensure that the cluster-admin role is only used where required)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        polaris: ['clusterrolebindingClusterAdmin', 'rolebindingClusterAdminClusterRole'],
        kubeLinter: ['cluster-admin-role-binding'],
        trivy: ['KSV111'],
        kyverno: ['restrict-binding-clusteradmin'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: bindingRule({
        expression: "!(object.roleRef.kind == 'ClusterRole' && object.roleRef.name == 'cluster-admin')",
        message: "bindings must not bind the ClusterRole 'cluster-admin'",
      }),
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return isBinding(manifest);
  }

  public check(manifest: any, _context: ControlContext): Violation[] {
    const roleRef = manifest.roleRef;
    if (roleRef?.kind !== 'ClusterRole' || roleRef?.name !== 'cluster-admin') return [];
    return [{
      pointer: '/roleRef/name',
      message: `${rbacObjectLabel(manifest)} binds ClusterRole 'cluster-admin'`,
    }];
  }
}
