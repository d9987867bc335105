import { AllowPrivilegeEscalation } from './allow-privilege-escalation';
import { Apparmor } from './apparmor';
import { CapabilitiesBaseline } from './capabilities-baseline';
import { CapabilitiesDropAll } from './capabilities-drop-all';
import { Control } from './core/control';
import { CpuLimit } from './cpu-limit';
import { DedicatedServiceAccount } from './dedicated-service-account';
import { HighUidGid } from './high-uid-gid';
import { HostAliases } from './host-aliases';
import { HostNamespaces } from './host-namespaces';
import { HostPathVolumes } from './host-path-volumes';
import { HostPorts } from './host-ports';
import { HostProcess } from './host-process';
import { ImageDigest } from './image-digest';
import { ImagePinned } from './image-pinned';
import { ImageRegistry } from './image-registry';
import { IngressTls } from './ingress-tls';
import { KubernetesSchema } from './kubernetes-schema';
import { NamespaceDefaultDeny } from './namespace-default-deny';
import { NamespaceGuardrailsOptOut } from './namespace-guardrails-opt-out';
import { NamespaceLimitRange } from './namespace-limit-range';
import { NamespaceNotDefault } from './namespace-not-default';
import { NamespacePsaLabels } from './namespace-psa-labels';
import { NamespaceQuota } from './namespace-quota';
import { NetworkPolicyAllowAll } from './network-policy-allow-all';
import { NetworkPolicyTargets } from './network-policy-targets';
import { NonRootGroups } from './non-root-groups';
import { PodDisruptionBudget } from './pod-disruption-budget';
import { Privileged } from './privileged';
import { PrivilegedPort } from './privileged-port';
import { Probes } from './probes';
import { ProcMount } from './proc-mount';
import { RbacAdmissionWebhooks } from './rbac-admission-webhooks';
import { RbacClusterAdmin } from './rbac-cluster-admin';
import { RbacClusterScope } from './rbac-cluster-scope';
import { RbacCreatePods } from './rbac-create-pods';
import { RbacCsrApproval } from './rbac-csr-approval';
import { RbacEscalationVerbs } from './rbac-escalation-verbs';
import { RbacNamespaceWrite } from './rbac-namespace-write';
import { RbacNodeProxy } from './rbac-node-proxy';
import { RbacPersistentVolumes } from './rbac-persistent-volumes';
import { RbacPodExec } from './rbac-pod-exec';
import { RbacSecretsRead } from './rbac-secrets-read';
import { RbacSystemGroups } from './rbac-system-groups';
import { RbacSystemRoles } from './rbac-system-roles';
import { RbacTokenCreate } from './rbac-token-create';
import { RbacWildcard } from './rbac-wildcard';
import { ReadOnlyRootFilesystem } from './read-only-root-filesystem';
import { Replicas } from './replicas';
import { ResourceLimits } from './resource-limits';
import { ResourceRequests } from './resource-requests';
import { RunAsNonRoot } from './run-as-non-root';
import { RunAsUserNonZero } from './run-as-user-non-zero';
import { SeccompNotUnconfined } from './seccomp-not-unconfined';
import { SeccompRequired } from './seccomp-required';
import { SecretEnv } from './secret-env';
import { SecretLiteralData } from './secret-literal-data';
import { Selinux } from './selinux';
import { SensitiveEnvLiteral } from './sensitive-env-literal';
import { ServiceAccountAutomount } from './service-account-automount';
import { ServiceAccountToken } from './service-account-token';
import { ServiceExternalIps } from './service-external-ips';
import { ServiceLoadBalancer } from './service-load-balancer';
import { ServiceNodePort } from './service-node-port';
import { ShareProcessNamespace } from './share-process-namespace';
import { SynthesisIntegrity } from './synthesis-integrity';
import { Sysctls } from './sysctls';
import { TopologySpread } from './topology-spread';
import { VolumeTypes } from './volume-types';
import { WorkloadNetworkPolicy } from './workload-network-policy';

/**
 * The catalog of controls (see docs/controls.md, generated from this catalog).
 *
 * Each control is a static member; an exemption names a control by referencing it, e.g.
 * `Controls.READ_ONLY_ROOT_FILESYSTEM`, so a typo is a compile error, not a silent no-op.
 */
export class Controls {
  // Pod Security Standards, baseline
  /** `host-process` */
  public static readonly HOST_PROCESS: Control = new HostProcess();
  /** `host-namespaces` */
  public static readonly HOST_NAMESPACES: Control = new HostNamespaces();
  /** `privileged` */
  public static readonly PRIVILEGED: Control = new Privileged();
  /** `capabilities-baseline` */
  public static readonly CAPABILITIES_BASELINE: Control = new CapabilitiesBaseline();
  /** `host-path-volumes` */
  public static readonly HOST_PATH_VOLUMES: Control = new HostPathVolumes();
  /** `host-ports` */
  public static readonly HOST_PORTS: Control = new HostPorts();
  /** `apparmor` */
  public static readonly APPARMOR: Control = new Apparmor();
  /** `selinux` */
  public static readonly SELINUX: Control = new Selinux();
  /** `proc-mount` */
  public static readonly PROC_MOUNT: Control = new ProcMount();
  /** `seccomp-not-unconfined` */
  public static readonly SECCOMP_NOT_UNCONFINED: Control = new SeccompNotUnconfined();
  /** `sysctls` */
  public static readonly SYSCTLS: Control = new Sysctls();

  // Pod Security Standards, restricted
  /** `volume-types` */
  public static readonly VOLUME_TYPES: Control = new VolumeTypes();
  /** `allow-privilege-escalation` */
  public static readonly ALLOW_PRIVILEGE_ESCALATION: Control = new AllowPrivilegeEscalation();
  /** `run-as-non-root` */
  public static readonly RUN_AS_NON_ROOT: Control = new RunAsNonRoot();
  /** `run-as-user-non-zero` */
  public static readonly RUN_AS_USER_NON_ZERO: Control = new RunAsUserNonZero();
  /** `seccomp-required` */
  public static readonly SECCOMP_REQUIRED: Control = new SeccompRequired();
  /** `capabilities-drop-all` */
  public static readonly CAPABILITIES_DROP_ALL: Control = new CapabilitiesDropAll();

  // Workload hardening beyond PSS
  /** `read-only-root-filesystem` */
  public static readonly READ_ONLY_ROOT_FILESYSTEM: Control = new ReadOnlyRootFilesystem();
  /** `high-uid-gid` */
  public static readonly HIGH_UID_GID: Control = new HighUidGid();
  /** `non-root-groups` */
  public static readonly NON_ROOT_GROUPS: Control = new NonRootGroups();
  /** `service-account-token` */
  public static readonly SERVICE_ACCOUNT_TOKEN: Control = new ServiceAccountToken();
  /** `service-account-automount` */
  public static readonly SERVICE_ACCOUNT_AUTOMOUNT: Control = new ServiceAccountAutomount();
  /** `dedicated-service-account` */
  public static readonly DEDICATED_SERVICE_ACCOUNT: Control = new DedicatedServiceAccount();
  /** `resource-requests` */
  public static readonly RESOURCE_REQUESTS: Control = new ResourceRequests();
  /** `resource-limits` */
  public static readonly RESOURCE_LIMITS: Control = new ResourceLimits();
  /** `cpu-limit` */
  public static readonly CPU_LIMIT: Control = new CpuLimit();
  /** `image-pinned` */
  public static readonly IMAGE_PINNED: Control = new ImagePinned();
  /** `image-digest` */
  public static readonly IMAGE_DIGEST: Control = new ImageDigest();
  /** `image-registry` */
  public static readonly IMAGE_REGISTRY: Control = new ImageRegistry();
  /** `probes` */
  public static readonly PROBES: Control = new Probes();
  /** `privileged-port` */
  public static readonly PRIVILEGED_PORT: Control = new PrivilegedPort();
  /** `host-aliases` */
  public static readonly HOST_ALIASES: Control = new HostAliases();
  /** `share-process-namespace` */
  public static readonly SHARE_PROCESS_NAMESPACE: Control = new ShareProcessNamespace();

  // Namespaces and tenancy
  /** `namespace-not-default` */
  public static readonly NAMESPACE_NOT_DEFAULT: Control = new NamespaceNotDefault();
  /** `namespace-psa-labels` */
  public static readonly NAMESPACE_PSA_LABELS: Control = new NamespacePsaLabels();
  /** `namespace-guardrails-opt-out` */
  public static readonly NAMESPACE_GUARDRAILS_OPT_OUT: Control = new NamespaceGuardrailsOptOut();
  /** `namespace-default-deny` */
  public static readonly NAMESPACE_DEFAULT_DENY: Control = new NamespaceDefaultDeny();
  /** `namespace-quota` */
  public static readonly NAMESPACE_QUOTA: Control = new NamespaceQuota();
  /** `namespace-limit-range` */
  public static readonly NAMESPACE_LIMIT_RANGE: Control = new NamespaceLimitRange();

  // Network
  /** `workload-network-policy` */
  public static readonly WORKLOAD_NETWORK_POLICY: Control = new WorkloadNetworkPolicy();
  /** `network-policy-targets` */
  public static readonly NETWORK_POLICY_TARGETS: Control = new NetworkPolicyTargets();
  /** `network-policy-allow-all` */
  public static readonly NETWORK_POLICY_ALLOW_ALL: Control = new NetworkPolicyAllowAll();
  /** `service-node-port` */
  public static readonly SERVICE_NODE_PORT: Control = new ServiceNodePort();
  /** `service-load-balancer` */
  public static readonly SERVICE_LOAD_BALANCER: Control = new ServiceLoadBalancer();
  /** `service-external-ips` */
  public static readonly SERVICE_EXTERNAL_IPS: Control = new ServiceExternalIps();
  /** `ingress-tls` */
  public static readonly INGRESS_TLS: Control = new IngressTls();

  // RBAC
  /** `rbac-wildcard` */
  public static readonly RBAC_WILDCARD: Control = new RbacWildcard();
  /** `rbac-secrets-read` */
  public static readonly RBAC_SECRETS_READ: Control = new RbacSecretsRead();
  /** `rbac-escalation-verbs` */
  public static readonly RBAC_ESCALATION_VERBS: Control = new RbacEscalationVerbs();
  /** `rbac-pod-exec` */
  public static readonly RBAC_POD_EXEC: Control = new RbacPodExec();
  /** `rbac-create-pods` */
  public static readonly RBAC_CREATE_PODS: Control = new RbacCreatePods();
  /** `rbac-cluster-admin` */
  public static readonly RBAC_CLUSTER_ADMIN: Control = new RbacClusterAdmin();
  /** `rbac-system-groups` */
  public static readonly RBAC_SYSTEM_GROUPS: Control = new RbacSystemGroups();
  /** `rbac-system-roles` */
  public static readonly RBAC_SYSTEM_ROLES: Control = new RbacSystemRoles();
  /** `rbac-node-proxy` */
  public static readonly RBAC_NODE_PROXY: Control = new RbacNodeProxy();
  /** `rbac-admission-webhooks` */
  public static readonly RBAC_ADMISSION_WEBHOOKS: Control = new RbacAdmissionWebhooks();
  /** `rbac-csr-approval` */
  public static readonly RBAC_CSR_APPROVAL: Control = new RbacCsrApproval();
  /** `rbac-token-create` */
  public static readonly RBAC_TOKEN_CREATE: Control = new RbacTokenCreate();
  /** `rbac-namespace-write` */
  public static readonly RBAC_NAMESPACE_WRITE: Control = new RbacNamespaceWrite();
  /** `rbac-persistent-volumes` */
  public static readonly RBAC_PERSISTENT_VOLUMES: Control = new RbacPersistentVolumes();
  /** `rbac-cluster-scope` */
  public static readonly RBAC_CLUSTER_SCOPE: Control = new RbacClusterScope();

  // Secrets
  /** `secret-literal-data` */
  public static readonly SECRET_LITERAL_DATA: Control = new SecretLiteralData();
  /** `secret-env` */
  public static readonly SECRET_ENV: Control = new SecretEnv();
  /** `sensitive-env-literal` */
  public static readonly SENSITIVE_ENV_LITERAL: Control = new SensitiveEnvLiteral();

  // Availability
  /** `replicas` */
  public static readonly REPLICAS: Control = new Replicas();
  /** `pod-disruption-budget` */
  public static readonly POD_DISRUPTION_BUDGET: Control = new PodDisruptionBudget();
  /** `topology-spread` */
  public static readonly TOPOLOGY_SPREAD: Control = new TopologySpread();

  // The guard's own integrity, and the Kubernetes API
  /** `synthesis-integrity` (not exemptable) */
  public static readonly SYNTHESIS_INTEGRITY: Control = new SynthesisIntegrity();
  /** `kubernetes-schema` */
  public static readonly KUBERNETES_SCHEMA: Control = new KubernetesSchema();

  /** Every control of the catalog, in catalog order. */
  public static all(): Control[] {
    return [
      Controls.SYNTHESIS_INTEGRITY,
      Controls.HOST_PROCESS,
      Controls.HOST_NAMESPACES,
      Controls.PRIVILEGED,
      Controls.CAPABILITIES_BASELINE,
      Controls.HOST_PATH_VOLUMES,
      Controls.HOST_PORTS,
      Controls.APPARMOR,
      Controls.SELINUX,
      Controls.PROC_MOUNT,
      Controls.SECCOMP_NOT_UNCONFINED,
      Controls.SYSCTLS,
      Controls.VOLUME_TYPES,
      Controls.ALLOW_PRIVILEGE_ESCALATION,
      Controls.RUN_AS_NON_ROOT,
      Controls.RUN_AS_USER_NON_ZERO,
      Controls.SECCOMP_REQUIRED,
      Controls.CAPABILITIES_DROP_ALL,
      Controls.READ_ONLY_ROOT_FILESYSTEM,
      Controls.HIGH_UID_GID,
      Controls.NON_ROOT_GROUPS,
      Controls.SERVICE_ACCOUNT_TOKEN,
      Controls.SERVICE_ACCOUNT_AUTOMOUNT,
      Controls.DEDICATED_SERVICE_ACCOUNT,
      Controls.RESOURCE_REQUESTS,
      Controls.RESOURCE_LIMITS,
      Controls.CPU_LIMIT,
      Controls.IMAGE_PINNED,
      Controls.IMAGE_DIGEST,
      Controls.IMAGE_REGISTRY,
      Controls.PROBES,
      Controls.PRIVILEGED_PORT,
      Controls.HOST_ALIASES,
      Controls.SHARE_PROCESS_NAMESPACE,
      Controls.NAMESPACE_NOT_DEFAULT,
      Controls.NAMESPACE_PSA_LABELS,
      Controls.NAMESPACE_GUARDRAILS_OPT_OUT,
      Controls.NAMESPACE_DEFAULT_DENY,
      Controls.NAMESPACE_QUOTA,
      Controls.NAMESPACE_LIMIT_RANGE,
      Controls.WORKLOAD_NETWORK_POLICY,
      Controls.NETWORK_POLICY_TARGETS,
      Controls.NETWORK_POLICY_ALLOW_ALL,
      Controls.SERVICE_NODE_PORT,
      Controls.SERVICE_LOAD_BALANCER,
      Controls.SERVICE_EXTERNAL_IPS,
      Controls.INGRESS_TLS,
      Controls.RBAC_WILDCARD,
      Controls.RBAC_SECRETS_READ,
      Controls.RBAC_ESCALATION_VERBS,
      Controls.RBAC_POD_EXEC,
      Controls.RBAC_CREATE_PODS,
      Controls.RBAC_CLUSTER_ADMIN,
      Controls.RBAC_SYSTEM_GROUPS,
      Controls.RBAC_SYSTEM_ROLES,
      Controls.RBAC_NODE_PROXY,
      Controls.RBAC_ADMISSION_WEBHOOKS,
      Controls.RBAC_CSR_APPROVAL,
      Controls.RBAC_TOKEN_CREATE,
      Controls.RBAC_NAMESPACE_WRITE,
      Controls.RBAC_PERSISTENT_VOLUMES,
      Controls.RBAC_CLUSTER_SCOPE,
      Controls.SECRET_LITERAL_DATA,
      Controls.SECRET_ENV,
      Controls.SENSITIVE_ENV_LITERAL,
      Controls.REPLICAS,
      Controls.POD_DISRUPTION_BUDGET,
      Controls.TOPOLOGY_SPREAD,
      Controls.KUBERNETES_SCHEMA,
    ];
  }

  /**
   * Looks a control up by id.
   * @throws if no control has this id (the message lists the closest ids)
   */
  public static byId(id: string): Control {
    if (typeof id !== 'string' || id.trim() === '') {
      const shown = typeof id === 'string' ? JSON.stringify(id) : typeof id === 'number' || typeof id === 'boolean' || id === null ? String(id) : typeof id;
      throw new Error(`Controls.byId: id ${shown} is not a control id; give a catalog id such as 'read-only-root-filesystem', `
        + 'or use the catalog member, e.g. Controls.READ_ONLY_ROOT_FILESYSTEM (see docs/controls.md for the catalog)');
    }
    const found = Controls.all().find(c => c.id === id);
    if (!found) {
      const near = Controls.all().map(c => c.id).filter(known => known.includes(id) || id.includes(known)).slice(0, 3);
      throw new Error(`Unknown control id '${id}'${near.length ? `; did you mean ${near.map(n => `'${n}'`).join(', ')}?` : ''} (see docs/controls.md for the catalog)`);
    }
    return found;
  }

  private constructor() {}
}
