import { Severity } from './core/control';
import { RoleAccessControl } from './core/rbac-rules';

/** No Role or ClusterRole lets its subjects label namespaces: create them, update or patch them. */
export class RbacNamespaceWrite extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-namespace-write',
      title: 'Roles do not grant create, update or patch on namespaces',
      severity: Severity.ERROR,
      rationale: 'Whoever can update a namespace can rewrite its labels: setting pod-security.kubernetes.io/enforce '
        + 'to privileged switches off Pod Security admission for every pod in it, and labels matched by NetworkPolicy '
        + 'namespaceSelectors open traffic meant for other namespaces. A Role grants this on its own namespace: the '
        + 'API server authorizes a request for namespace N within N. Creating a namespace sets its labels just the same, '
        + 'and the admission guardrails\' opt-out label (admission.cdk8s-hardened.io/opt-out) is a namespace label.',
      remediation: 'Remove create, update and patch on `namespaces` (core group), including through verbs `*`, resources `*` '
        + 'or apiGroups `*`; manage namespaces and their labels from the platform\'s own pipeline. Reading namespaces '
        + 'and writing namespaces/status or namespaces/finalize are not reported.',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
      },
    }, [{ group: '', resource: 'namespaces', verbs: ['create', 'update', 'patch'] }]);
  }
}
