import { Severity } from './core/control';
import { RoleAccessControl } from './core/rbac-rules';

/** No Role or ClusterRole lets its subjects read Secrets. */
export class RbacSecretsRead extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-secrets-read',
      title: 'Roles do not grant get, list or watch on Secrets',
      severity: Severity.ERROR,
      rationale: 'Reading Secrets hands over every credential they hold, service account tokens included, which '
        + 'usually leads to the permissions of other identities; list and watch return the values of every Secret, '
        + 'not just their names.',
      remediation: 'Remove get, list and watch on `secrets` (core group) from the rule, including through verbs `*`, '
        + 'resources `*` or apiGroups `*`; mount the Secret the workload needs as a volume instead of reading it '
        + 'through the API. A resourceNames list narrows the grant but does not make it safe: exempt the rule with a '
        + 'reason when an operator really must read named Secrets.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.2 (minimize access to secrets)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        kubeLinter: ['access-to-secrets'],
        trivy: ['KSV041'],
        kyverno: ['restrict-secret-role-verbs'],
      },
    }, [{ group: '', resource: 'secrets', verbs: ['get', 'list', 'watch'] }]);
  }
}
