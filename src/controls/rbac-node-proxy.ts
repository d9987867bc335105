import { Severity } from './core/control';
import { RoleAccessControl } from './core/rbac-rules';

/** No Role or ClusterRole grants access to nodes/proxy. */
export class RbacNodeProxy extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-node-proxy',
      title: 'Roles do not grant access to nodes/proxy',
      severity: Severity.ERROR,
      rationale: 'nodes/proxy reaches the kubelet API of every node, which runs commands in any pod on it, '
        + 'bypassing admission control and API server audit of the pod exec; get alone is enough over websockets.',
      remediation: 'Remove `nodes/proxy` (and resources `*` or `*/proxy`) from the rule, whatever the verbs. '
        + 'Monitoring agents need only nodes/metrics and nodes/stats (get).',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.10 (minimize access to the proxy sub-resource of nodes)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        trivy: ['KSV047'],
        kyverno: ['restrict-clusterrole-nodesproxy'],
      },
    }, [{ group: '', resource: 'nodes', subresource: 'proxy' }]);
  }
}
