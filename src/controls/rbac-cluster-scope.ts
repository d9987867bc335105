import { NOT_CONTROL_PLANE, rbacResources } from './core/cel';
import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isObject } from './core/pod-template';
import { isBinding, isRole, rbacObjectLabel } from './core/rbac-rules';

/**
 * Every ClusterRole and ClusterRoleBinding is reported, so that each cluster-wide grant is either replaced by a
 * namespaced one or recorded with an exemption and its reason.
 *
 * A ClusterRole with an `aggregationRule` is not reported: the controller-manager overwrites its rules with the
 * union of the ClusterRoles it selects, and aggregation has no namespaced equivalent. rbac-wildcard refuses it instead:
 * the rules it receives are decided in the cluster, not in the app.
 */
export class RbacClusterScope extends Control {
  constructor() {
    super({
      id: 'rbac-cluster-scope',
      title: 'ClusterRoles and ClusterRoleBindings only where namespaced ones cannot serve',
      severity: Severity.WARNING,
      rationale: 'A ClusterRoleBinding grants its role in every namespace, present and future, and a ClusterRole can '
        + 'grant cluster-scoped resources (nodes, namespaces, CRDs, RBAC itself); most applications need neither.',
      remediation: 'Use a Role and RoleBinding in the namespace that needs the permissions, or a RoleBinding that '
        + 'references a ClusterRole (the built-in view or edit, or a shared one) so it applies to one namespace. Where '
        + 'cluster scope is legitimate (cluster-scoped resources, controllers watching all namespaces), record it '
        + 'with an exemption and its reason.',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: {
        resources: rbacResources('ClusterRole', 'ClusterRoleBinding'),
        matchConditions: [NOT_CONTROL_PLANE],
        validations: [{
          // An aggregating ClusterRole only collects the rules of others (each judged on its own).
          expression: "object.kind == 'ClusterRole' && has(object.aggregationRule)",
          message: 'ClusterRoles (other than aggregating ones) and ClusterRoleBindings grant in every namespace: use Roles and RoleBindings',
        }],
      },
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return (isRole(manifest) || isBinding(manifest)) && manifest.kind.startsWith('Cluster');
  }

  public check(manifest: any, _context: ControlContext): Violation[] {
    if (manifest.kind === 'ClusterRole') {
      if (isObject(manifest.aggregationRule)) return [];
      return [{
        pointer: '/kind',
        message: `${rbacObjectLabel(manifest)} is cluster-scoped`,
        fix: 'Replace it with a Role in each namespace that needs it, or bind it only through RoleBindings and '
          + 'exempt it with the reason it must be a ClusterRole (cluster-scoped resources, aggregation into '
          + 'admin/edit/view).',
      }];
    }
    const roleRef = manifest.roleRef;
    const role = typeof roleRef?.name === 'string' ? ` ${roleRef.kind ?? 'ClusterRole'} '${roleRef.name}'` : ' its role';
    return [{
      pointer: '/kind',
      message: `${rbacObjectLabel(manifest)} grants${role} in every namespace`,
      fix: 'Replace it with a RoleBinding in each namespace that needs the role, or exempt it with the reason the '
        + 'subjects need it cluster-wide.',
    }];
  }
}
