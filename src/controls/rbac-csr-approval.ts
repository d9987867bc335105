import { Severity } from './core/control';
import { RoleAccessControl } from './core/rbac-rules';

const CERTIFICATES_GROUP = 'certificates.k8s.io';

/** No Role or ClusterRole approves certificate signing requests. */
export class RbacCsrApproval extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-csr-approval',
      title: 'Roles do not grant approval of certificate signing requests',
      severity: Severity.ERROR,
      rationale: 'Approving a CertificateSigningRequest issues a client certificate the cluster trusts: with a '
        + 'kube-apiserver-client signer that is any user or group name, system:masters included.',
      remediation: 'Remove update and patch on `certificatesigningrequests/approval` and approve on `signers` '
        + '(certificates.k8s.io), including through verbs `*` or resources `*`; leave approval to the '
        + 'controller-manager or an audited approver, exempted with a reason. resourceNames on signers narrows '
        + 'which signers, it does not make approval safe.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.11 (minimize access to the approval sub-resource of certificatesigningrequests objects)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        kyverno: ['restrict-clusterrole-csr'],
      },
    }, [
      { group: CERTIFICATES_GROUP, resource: 'certificatesigningrequests', subresource: 'approval', verbs: ['update', 'patch'] },
      { group: CERTIFICATES_GROUP, resource: 'signers', verbs: ['approve'] },
    ]);
  }
}
