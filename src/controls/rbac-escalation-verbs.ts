import { Severity } from './core/control';
import { RBAC_GROUP, RoleAccessControl } from './core/rbac-rules';

/** No Role or ClusterRole grants the verbs that bypass RBAC escalation prevention. */
export class RbacEscalationVerbs extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-escalation-verbs',
      title: 'Roles do not grant bind, escalate or impersonate',
      severity: Severity.ERROR,
      rationale: '`escalate` lets a subject write roles with permissions it does not hold, `bind` lets it bind roles '
        + 'it does not hold, and `impersonate` lets it act as another user, group or service account: each one '
        + 'defeats RBAC\'s privilege escalation prevention.',
      remediation: 'Remove the verbs bind and escalate on roles/clusterroles (rbac.authorization.k8s.io) and '
        + 'impersonate on users, groups, serviceaccounts (core), uids and userextras (authentication.k8s.io), '
        + 'including through verbs `*` or resources `*`. Grant the concrete permissions instead; resourceNames narrows '
        + 'but does not remove the risk.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.8 (limit use of the bind, impersonate and escalate permissions)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        trivy: ['KSV043'],
        kyverno: ['restrict-escalation-verbs-roles'],
      },
    }, [
      { group: RBAC_GROUP, resource: 'roles', verbs: ['bind', 'escalate'] },
      { group: RBAC_GROUP, resource: 'clusterroles', verbs: ['bind', 'escalate'] },
      { group: '', resource: 'users', verbs: ['impersonate'] },
      { group: '', resource: 'groups', verbs: ['impersonate'] },
      { group: '', resource: 'serviceaccounts', verbs: ['impersonate'] },
      { group: 'authentication.k8s.io', resource: 'uids', verbs: ['impersonate'] },
      { group: 'authentication.k8s.io', resource: 'userextras', subresource: '*', verbs: ['impersonate'] },
    ]);
  }
}
