import { Severity } from './core/control';
import { RbacAccess, RoleAccessControl } from './core/rbac-rules';

/** Kinds whose creation runs a pod template, by API group. */
const POD_CREATING: RbacAccess[] = [
  { group: '', resource: 'pods', verbs: ['create'] },
  { group: '', resource: 'replicationcontrollers', verbs: ['create'] },
  ...['deployments', 'replicasets', 'statefulsets', 'daemonsets'].map(resource => ({ group: 'apps', resource, verbs: ['create'] })),
  ...['jobs', 'cronjobs'].map(resource => ({ group: 'batch', resource, verbs: ['create'] })),
];

/** Roles that create pods (directly or through a workload) are reported. */
export class RbacCreatePods extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-create-pods',
      title: 'Roles do not grant create on pods or workload kinds',
      severity: Severity.WARNING,
      rationale: 'Whoever creates a pod chooses its service account, volumes and image, so in practice holds every '
        + 'Secret and service account permission of the namespace; workload kinds create pods on their behalf.',
      remediation: 'Remove create on pods, replicationcontrollers (core), deployments, replicasets, statefulsets, '
        + 'daemonsets (apps), jobs and cronjobs (batch), including through verbs `*` or resources `*`. Deploy '
        + 'through a pipeline identity; exempt controllers that legitimately create workloads, with a reason.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.4 (minimize access to create pods)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        kubeLinter: ['access-to-create-pods'],
        trivy: ['KSV048'],
      },
    }, POD_CREATING);
  }
}
