import { Severity } from './core/control';
import { RbacAccess, RoleAccessControl } from './core/rbac-rules';

/** Subresources that run commands in, or open a connection into, a running pod: any verb counts. */
const INTO_PODS: RbacAccess[] = ['exec', 'attach', 'portforward'].map(subresource => ({ group: '', resource: 'pods', subresource }));
/** Adding an ephemeral container to a running pod (kubectl debug) is writing this subresource. */
const EPHEMERAL_CONTAINERS: RbacAccess = { group: '', resource: 'pods', subresource: 'ephemeralcontainers', verbs: ['update', 'patch'] };

/** No Role or ClusterRole grants exec, attach, port-forward or ephemeral containers into pods. */
export class RbacPodExec extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-pod-exec',
      title: 'Roles do not grant access to pods/exec, pods/attach, pods/portforward, nor write pods/ephemeralcontainers',
      severity: Severity.ERROR,
      rationale: 'Exec and attach run commands inside a running container with its identity, mounted secrets and '
        + 'network position; port-forward reaches its ports from outside every NetworkPolicy. Any verb counts: '
        + 'kubectl uses create, and exec over websockets has been authorized with get. Updating or patching '
        + 'pods/ephemeralcontainers (kubectl debug) adds a container of any image to a running pod, with the same '
        + 'access as exec.',
      remediation: 'Remove `pods/exec`, `pods/attach` and `pods/portforward` (and resources `*` or `*/exec`) from '
        + 'the rule, whatever the verbs, and update and patch on `pods/ephemeralcontainers` (reading it is harmless). '
        + 'Debug through logs, metrics and ephemeral debug sessions granted just-in-time; a resourceNames list still '
        + 'leaves the named pods open.',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        polaris: ['clusterrolePodExecAttach', 'rolePodExecAttach'],
        trivy: ['KSV053', 'KSV054'],
      },
    }, [...INTO_PODS, EPHEMERAL_CONTAINERS]);
  }
}
