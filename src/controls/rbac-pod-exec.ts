import { Severity } from './core/control';
import { RoleAccessControl } from './core/rbac-rules';

/** No Role or ClusterRole grants exec, attach or port-forward into pods. */
export class RbacPodExec extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-pod-exec',
      title: 'Roles do not grant access to pods/exec, pods/attach or pods/portforward',
      severity: Severity.ERROR,
      rationale: 'Exec and attach run commands inside a running container with its identity, mounted secrets and '
        + 'network position; port-forward reaches its ports from outside every NetworkPolicy. Any verb counts: '
        + 'kubectl uses create, and exec over websockets has been authorized with get.',
      remediation: 'Remove `pods/exec`, `pods/attach` and `pods/portforward` (and resources `*` or `*/exec`) from '
        + 'the rule, whatever the verbs. Debug through logs, metrics and ephemeral debug sessions granted '
        + 'just-in-time; a resourceNames list still leaves the named pods open.',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        polaris: ['clusterrolePodExecAttach', 'rolePodExecAttach'],
        trivy: ['KSV053', 'KSV054'],
      },
    }, ['exec', 'attach', 'portforward'].map(subresource => ({ group: '', resource: 'pods', subresource })));
  }
}
