const GROUP = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * An API resource a permission names: API group, resource (plural, lowercase) and optional subresource.
 *
 * Common resources are static members (`RbacResource.CONFIG_MAPS`, `RbacResource.DEPLOYMENTS`...), subresources
 * come from `withSubresource()` (`RbacResource.PODS.withSubresource('log')`), and any other resource, custom
 * resources included, from `RbacResource.custom()`. Each resource knows whether it is namespaced: a Role can only
 * grant namespaced resources, cluster-scoped ones need the account's explicit `clusterPermissions`.
 */
export class RbacResource {
  // core group ('')
  /** `pods` (core). */
  public static readonly PODS = new RbacResource('', 'pods', undefined, true);
  /** `pods/log` (core): reading container logs. */
  public static readonly PODS_LOG = new RbacResource('', 'pods', 'log', true);
  /** `configmaps` (core). */
  public static readonly CONFIG_MAPS = new RbacResource('', 'configmaps', undefined, true);
  /** `secrets` (core). Reading them is refused by `rbac-secrets-read` unless exempted. */
  public static readonly SECRETS = new RbacResource('', 'secrets', undefined, true);
  /** `services` (core). */
  public static readonly SERVICES = new RbacResource('', 'services', undefined, true);
  /** `endpoints` (core). */
  public static readonly ENDPOINTS = new RbacResource('', 'endpoints', undefined, true);
  /** `events` (core). */
  public static readonly EVENTS = new RbacResource('', 'events', undefined, true);
  /** `persistentvolumeclaims` (core). */
  public static readonly PERSISTENT_VOLUME_CLAIMS = new RbacResource('', 'persistentvolumeclaims', undefined, true);
  /** `serviceaccounts` (core). */
  public static readonly SERVICE_ACCOUNTS = new RbacResource('', 'serviceaccounts', undefined, true);
  /** `replicationcontrollers` (core). */
  public static readonly REPLICATION_CONTROLLERS = new RbacResource('', 'replicationcontrollers', undefined, true);
  /** `resourcequotas` (core). */
  public static readonly RESOURCE_QUOTAS = new RbacResource('', 'resourcequotas', undefined, true);
  /** `limitranges` (core). */
  public static readonly LIMIT_RANGES = new RbacResource('', 'limitranges', undefined, true);
  /** `namespaces` (core, cluster-scoped). */
  public static readonly NAMESPACES = new RbacResource('', 'namespaces', undefined, false);
  /** `nodes` (core, cluster-scoped). */
  public static readonly NODES = new RbacResource('', 'nodes', undefined, false);
  /** `persistentvolumes` (core, cluster-scoped). */
  public static readonly PERSISTENT_VOLUMES = new RbacResource('', 'persistentvolumes', undefined, false);
  /** `users` (core, cluster-scoped): only meaningful with the impersonate verb. */
  public static readonly USERS = new RbacResource('', 'users', undefined, false);
  /** `groups` (core, cluster-scoped): only meaningful with the impersonate verb. */
  public static readonly GROUPS = new RbacResource('', 'groups', undefined, false);

  // apps
  /** `deployments` (apps). */
  public static readonly DEPLOYMENTS = new RbacResource('apps', 'deployments', undefined, true);
  /** `statefulsets` (apps). */
  public static readonly STATEFUL_SETS = new RbacResource('apps', 'statefulsets', undefined, true);
  /** `daemonsets` (apps). */
  public static readonly DAEMON_SETS = new RbacResource('apps', 'daemonsets', undefined, true);
  /** `replicasets` (apps). */
  public static readonly REPLICA_SETS = new RbacResource('apps', 'replicasets', undefined, true);

  // batch
  /** `jobs` (batch). */
  public static readonly JOBS = new RbacResource('batch', 'jobs', undefined, true);
  /** `cronjobs` (batch). */
  public static readonly CRON_JOBS = new RbacResource('batch', 'cronjobs', undefined, true);

  // other namespaced groups
  /** `horizontalpodautoscalers` (autoscaling). */
  public static readonly HORIZONTAL_POD_AUTOSCALERS = new RbacResource('autoscaling', 'horizontalpodautoscalers', undefined, true);
  /** `ingresses` (networking.k8s.io). */
  public static readonly INGRESSES = new RbacResource('networking.k8s.io', 'ingresses', undefined, true);
  /** `networkpolicies` (networking.k8s.io). */
  public static readonly NETWORK_POLICIES = new RbacResource('networking.k8s.io', 'networkpolicies', undefined, true);
  /** `poddisruptionbudgets` (policy). */
  public static readonly POD_DISRUPTION_BUDGETS = new RbacResource('policy', 'poddisruptionbudgets', undefined, true);
  /** `endpointslices` (discovery.k8s.io). */
  public static readonly ENDPOINT_SLICES = new RbacResource('discovery.k8s.io', 'endpointslices', undefined, true);
  /** `leases` (coordination.k8s.io): leader election. */
  public static readonly LEASES = new RbacResource('coordination.k8s.io', 'leases', undefined, true);

  // rbac.authorization.k8s.io
  /** `roles` (rbac.authorization.k8s.io). */
  public static readonly ROLES = new RbacResource('rbac.authorization.k8s.io', 'roles', undefined, true);
  /** `rolebindings` (rbac.authorization.k8s.io). */
  public static readonly ROLE_BINDINGS = new RbacResource('rbac.authorization.k8s.io', 'rolebindings', undefined, true);
  /** `clusterroles` (rbac.authorization.k8s.io, cluster-scoped). */
  public static readonly CLUSTER_ROLES = new RbacResource('rbac.authorization.k8s.io', 'clusterroles', undefined, false);
  /** `clusterrolebindings` (rbac.authorization.k8s.io, cluster-scoped). */
  public static readonly CLUSTER_ROLE_BINDINGS = new RbacResource('rbac.authorization.k8s.io', 'clusterrolebindings', undefined, false);

  // cluster-scoped administration
  /** `validatingwebhookconfigurations` (admissionregistration.k8s.io, cluster-scoped). */
  public static readonly VALIDATING_WEBHOOK_CONFIGURATIONS = new RbacResource('admissionregistration.k8s.io', 'validatingwebhookconfigurations', undefined, false);
  /** `mutatingwebhookconfigurations` (admissionregistration.k8s.io, cluster-scoped). */
  public static readonly MUTATING_WEBHOOK_CONFIGURATIONS = new RbacResource('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', undefined, false);
  /** `certificatesigningrequests` (certificates.k8s.io, cluster-scoped). */
  public static readonly CERTIFICATE_SIGNING_REQUESTS = new RbacResource('certificates.k8s.io', 'certificatesigningrequests', undefined, false);
  /** `signers` (certificates.k8s.io, cluster-scoped): only meaningful with the approve and sign verbs. */
  public static readonly SIGNERS = new RbacResource('certificates.k8s.io', 'signers', undefined, false);
  /** `customresourcedefinitions` (apiextensions.k8s.io, cluster-scoped). */
  public static readonly CUSTOM_RESOURCE_DEFINITIONS = new RbacResource('apiextensions.k8s.io', 'customresourcedefinitions', undefined, false);
  /** `storageclasses` (storage.k8s.io, cluster-scoped). */
  public static readonly STORAGE_CLASSES = new RbacResource('storage.k8s.io', 'storageclasses', undefined, false);

  /**
   * A namespaced resource not listed as a static member, e.g. a custom resource:
   * `RbacResource.custom('cert-manager.io', 'certificates')`.
   *
   * `*` is accepted in each part so that an exempted wildcard can be expressed, but the `rbac-wildcard` control
   * refuses it unless an exemption covers it.
   * @param group API group, `''` for the core group
   * @param resource resource name, plural and lowercase
   * @param subresource subresource, e.g. `status`
   */
  public static custom(group: string, resource: string, subresource?: string): RbacResource {
    return RbacResource.checked('RbacResource.custom', group, resource, subresource, true);
  }

  /**
   * A cluster-scoped resource not listed as a static member (a Role cannot grant it: use the account's
   * `clusterPermissions`), e.g. `RbacResource.customClusterScoped('cert-manager.io', 'clusterissuers')`.
   * @param group API group, `''` for the core group
   * @param resource resource name, plural and lowercase
   * @param subresource subresource, e.g. `status`
   */
  public static customClusterScoped(group: string, resource: string, subresource?: string): RbacResource {
    return RbacResource.checked('RbacResource.customClusterScoped', group, resource, subresource, false);
  }

  private static checked(where: string, group: string, resource: string, subresource: string | undefined, namespaced: boolean): RbacResource {
    if (typeof group !== 'string' || (group !== '' && group !== '*' && !(GROUP.test(group) && group.length <= 253))) {
      throw new Error(`${where}: group ${JSON.stringify(group)} is not an API group; use '' for the core group or a DNS name such as 'cert-manager.io'`);
    }
    for (const [field, value] of [['resource', resource], ['subresource', subresource]] as const) {
      if (value === undefined && field === 'subresource') continue;
      if (typeof value !== 'string' || (value !== '*' && !NAME.test(value))) {
        throw new Error(`${where}: ${field} ${JSON.stringify(value)} is not a resource name; use the plural, lowercase name the API uses, e.g. 'certificates'${field === 'subresource' ? ' or \'status\'' : ''}`);
      }
    }
    return new RbacResource(group, resource, subresource, namespaced);
  }

  /** API group, `''` for the core group. */
  public readonly group: string;
  /** Resource name, plural and lowercase. */
  public readonly resource: string;
  /** Subresource, e.g. `log`. */
  public readonly subresource?: string;
  /** Whether the resource lives in a namespace (a Role can grant it). */
  public readonly namespaced: boolean;

  private constructor(group: string, resource: string, subresource: string | undefined, namespaced: boolean) {
    this.group = group;
    this.resource = resource;
    this.subresource = subresource;
    this.namespaced = namespaced;
  }

  /**
   * The same resource's subresource, e.g. `RbacResource.DEPLOYMENTS.withSubresource('scale')`.
   * @param subresource subresource name, lowercase
   */
  public withSubresource(subresource: string): RbacResource {
    if (this.subresource !== undefined) {
      throw new Error(`RbacResource ${this.ruleEntry}: withSubresource(${JSON.stringify(subresource)}): it already is a subresource; start from the resource`);
    }
    return RbacResource.checked(`RbacResource ${this.ruleEntry}: withSubresource`, this.group, this.resource, subresource, this.namespaced);
  }

  /** The entry in a rule's `resources`: `pods`, or `pods/log` for a subresource. */
  public get ruleEntry(): string {
    return this.subresource === undefined ? this.resource : `${this.resource}/${this.subresource}`;
  }

  /** `pods/log`, or `deployments (apps)` outside the core group, for messages. */
  public toString(): string {
    return this.group === '' ? this.ruleEntry : `${this.ruleEntry} (${this.group})`;
  }
}
