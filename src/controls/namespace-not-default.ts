import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject } from './core/cross-object';
import { apiGroupOf, manifestsOf, ofKind } from './core/manifest-index';
import { isObject } from './core/pod-template';

/** Cluster-scoped kinds by API group: built-in ones, plus a few well-known CRDs. Any other kind is namespaced. */
const CLUSTER_SCOPED: Record<string, string[]> = {
  '': ['Namespace', 'Node', 'PersistentVolume', 'ComponentStatus'],
  'rbac.authorization.k8s.io': ['ClusterRole', 'ClusterRoleBinding'],
  'storage.k8s.io': ['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment'],
  'apiextensions.k8s.io': ['CustomResourceDefinition'],
  'apiregistration.k8s.io': ['APIService'],
  'scheduling.k8s.io': ['PriorityClass'],
  'networking.k8s.io': ['IngressClass', 'ClusterCIDR', 'IPAddress'],
  'node.k8s.io': ['RuntimeClass'],
  'admissionregistration.k8s.io': [
    'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
    'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  ],
  'certificates.k8s.io': ['CertificateSigningRequest', 'ClusterTrustBundle'],
  'flowcontrol.apiserver.k8s.io': ['FlowSchema', 'PriorityLevelConfiguration'],
  'policy': ['PodSecurityPolicy'],
  'resource.k8s.io': ['ResourceClass'],
  'authentication.k8s.io': ['TokenReview', 'SelfSubjectReview'],
  'authorization.k8s.io': ['SubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview'],
  'internal.apiserver.k8s.io': ['StorageVersion'],
  // Well-known CRDs.
  'cert-manager.io': ['ClusterIssuer'],
  'gateway.networking.k8s.io': ['GatewayClass'],
  'snapshot.storage.k8s.io': ['VolumeSnapshotClass', 'VolumeSnapshotContent'],
  'policy.sigstore.dev': ['ClusterImagePolicy', 'TrustRoot'],
  'kyverno.io': ['ClusterPolicy', 'ClusterCleanupPolicy'],
  'external-secrets.io': ['ClusterSecretStore', 'ClusterExternalSecret'],
  'templates.gatekeeper.sh': ['ConstraintTemplate'],
};

/** Namespaces that must not hold application objects. */
const FORBIDDEN = ['default', 'kube-system'];

/** True when a CustomResourceDefinition of the set declares this group/kind cluster-scoped. */
function declaredClusterScoped(manifest: any, objects: any[]): boolean {
  const group = apiGroupOf(manifest);
  return ofKind(objects, 'CustomResourceDefinition', 'apiextensions.k8s.io').some(crd =>
    crd?.spec?.scope === 'Cluster' && crd.spec.group === group && crd.spec.names?.kind === manifest.kind);
}

/** Namespaced objects name their namespace, and it is neither `default` nor `kube-system`. */
export class NamespaceNotDefault extends Control {
  constructor() {
    super({
      id: 'namespace-not-default',
      title: 'Namespaced objects name a namespace other than default and kube-system',
      severity: Severity.ERROR,
      rationale: 'The default namespace carries no isolation (no Pod Security labels, network policies, quotas or '
        + 'least-privilege RBAC of its own) and is where mistakes land; kube-system holds the control plane\'s own '
        + 'privileged components and credentials. An object that names no namespace lands wherever the deploying '
        + 'kubectl context points, usually default.',
      remediation: 'Set metadata.namespace on every namespaced object to a dedicated namespace of the application '
        + '(for example one created with IsolatedNamespace), never default or kube-system.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.7.1 (create administrative boundaries using namespaces), 5.7.4 (the '
          + 'default namespace should not be used)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Network separation and hardening: Namespaces"',
        kubeLinter: ['use-namespace'],
        trivy: ['KSV110', 'KSV037'],
        kyverno: ['disallow-default-namespace'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: "Needs the app's CustomResourceDefinitions to know which kinds are namespaced; in the cluster every namespaced object has a namespace (the request's), system namespaces are not judged, and `default` is closed by granting tenants nothing there." };
  }

  public appliesTo(manifest: any, context: ControlContext): boolean {
    if (!isObject(manifest) || typeof manifest.kind !== 'string' || manifest.kind === '') {
      return false;
    }
    // A List (v1 List, or any <Kind>List with items) is a wrapper: its items are what get created.
    if (manifest.kind === 'List' || (manifest.kind.endsWith('List') && Array.isArray(manifest.items))) {
      return false;
    }
    if ((CLUSTER_SCOPED[apiGroupOf(manifest)] ?? []).includes(manifest.kind)) {
      return false;
    }
    return !declaredClusterScoped(manifest, manifestsOf(manifest, context));
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const namespace = manifest.metadata?.namespace;
    if (namespace === undefined || namespace === null || namespace === '') {
      return [{
        pointer: '/metadata/namespace',
        message: `${describeObject(manifest)} names no namespace: it lands in the namespace of whoever applies it, usually default`,
      }];
    }
    if (typeof namespace !== 'string') {
      return [{ pointer: '/metadata/namespace', message: `${describeObject(manifest)} has namespace ${JSON.stringify(namespace)}, not a name` }];
    }
    if (FORBIDDEN.includes(namespace)) {
      return [{ pointer: '/metadata/namespace', message: `${describeObject(manifest)} is in namespace '${namespace}'` }];
    }
    return [];
  }
}
