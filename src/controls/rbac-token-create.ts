import { Severity } from './core/control';
import { RoleAccessControl } from './core/rbac-rules';

/** No Role or ClusterRole mints service account tokens. */
export class RbacTokenCreate extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-token-create',
      title: 'Roles do not grant create on serviceaccounts/token',
      severity: Severity.ERROR,
      rationale: 'Creating a token for a service account yields a credential with all of that account\'s '
        + 'permissions, for as long as the requester asks (within the API server\'s maximum).',
      remediation: 'Remove create on `serviceaccounts/token` (core group), including through verbs `*`, resources '
        + '`*` or `*/token`; let the kubelet project tokens into the pods that need them. resourceNames narrows '
        + 'which accounts, it does not make minting tokens safe.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.13 (minimize access to the service account token creation)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
      },
    }, [{ group: '', resource: 'serviceaccounts', subresource: 'token', verbs: ['create'] }]);
  }
}
