import { Severity } from './core/control';
import { RbacAccess, RoleAccessControl } from './core/rbac-rules';

/** Kinds whose creation runs a pod template, by API group. */
const POD_CREATING: RbacAccess[] = [
  { group: '', resource: 'pods', verbs: ['create'] },
  { group: '', resource: 'replicationcontrollers', verbs: ['create'] },
  ...['deployments', 'replicasets', 'statefulsets', 'daemonsets'].map(resource => ({ group: 'apps', resource, verbs: ['create'] })),
  ...['jobs', 'cronjobs'].map(resource => ({ group: 'batch', resource, verbs: ['create'] })),
];

/**
 * Kinds whose update changes the pod template their controller runs. A Job's template is immutable once created
 * (only the scheduling fields of a suspended Job can change), so update on jobs is not one of them.
 */
const POD_TEMPLATE_CHANGING: RbacAccess[] = [
  { group: '', resource: 'replicationcontrollers', verbs: ['update', 'patch'] },
  ...['deployments', 'replicasets', 'statefulsets', 'daemonsets'].map(resource => ({ group: 'apps', resource, verbs: ['update', 'patch'] })),
  { group: 'batch', resource: 'cronjobs', verbs: ['update', 'patch'] },
];

/** Roles that create pods (directly or through a workload), or change the pod template of a workload, are reported. */
export class RbacCreatePods extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-create-pods',
      title: 'Roles do not grant create on pods or workload kinds, nor update or patch on workload pod templates',
      severity: Severity.WARNING,
      rationale: 'Whoever creates a pod chooses its service account, volumes and image, so in practice holds every '
        + 'Secret and service account permission of the namespace; workload kinds create pods on their behalf, and '
        + 'whoever can update or patch a workload can rewrite its pod template to the same effect.',
      remediation: 'Remove create on pods, replicationcontrollers (core), deployments, replicasets, statefulsets, '
        + 'daemonsets (apps), jobs and cronjobs (batch), and update and patch on replicationcontrollers, deployments, '
        + 'replicasets, statefulsets, daemonsets and cronjobs, including through verbs `*` or resources `*`; scaling '
        + 'through the `scale` subresource is not reported. Deploy through a pipeline identity, and exempt that '
        + 'identity and controllers that legitimately create or roll out workloads, with a reason.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.4 (minimize access to create pods)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        kubeLinter: ['access-to-create-pods'],
        trivy: ['KSV048'],
      },
    }, [...POD_CREATING, ...POD_TEMPLATE_CHANGING]);
  }
}
