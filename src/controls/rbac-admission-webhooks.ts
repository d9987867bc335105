import { Severity } from './core/control';
import { RoleAccessControl } from './core/rbac-rules';

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** No Role or ClusterRole writes admission webhook configurations. */
export class RbacAdmissionWebhooks extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-admission-webhooks',
      title: 'Roles do not grant write access to validating or mutating webhook configurations',
      severity: Severity.ERROR,
      rationale: 'A webhook configuration decides which objects are sent to which server before they are stored: '
        + 'writing one lets a subject read Secrets and pod specs in flight, mutate them, or switch off the '
        + 'admission policies that enforce these controls.',
      remediation: 'Remove create, update, patch, delete and deletecollection on validatingwebhookconfigurations and '
        + 'mutatingwebhookconfigurations (admissionregistration.k8s.io), including through verbs `*` or resources '
        + '`*`; install webhooks with the cluster bootstrap identity and keep get, list, watch only.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.12 (minimize access to webhook configuration objects)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
        trivy: ['KSV114'],
        kyverno: ['restrict-clusterrole-mutating-validating-admission-webhooks'],
      },
    }, ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']
      .map(resource => ({ group: 'admissionregistration.k8s.io', resource, verbs: WRITE_VERBS })));
  }
}
