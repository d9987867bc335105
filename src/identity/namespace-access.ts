import { ApiObjectMetadata, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Permission, Verb } from './permission';
import {
  bindClusterRolesInNamespace, checkClusterRoleNames, describeGrant, describeSubject, isPlainObject, listOf, RBAC_API_GROUP,
  refuseUnexemptedGrants, renderRules,
} from './rbac-grant';
import { RbacResource } from './rbac-resource';
import { Controls } from '../controls/controls';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { checkObjectNames, describeValue, NameRule } from '../defaults/kubernetes-validation';
import { ExemptionProps, Exemptions } from '../guard/exemption';
import { Guard } from '../guard/guard';

/** Who gets a NamespaceAccess, and where. */
export interface NamespaceAccessOptions {
  /**
   * Metadata of the Role and the RoleBinding: `namespace` is the namespace the access is granted in, `name` their
   * name, `labels` are added to both.
   * @default - the chart's namespace, a generated name
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * Users (as the cluster's authenticator names them, e.g. `alice@example.com`) granted the access.
   * @default - none
   */
  readonly users?: string[];

  /**
   * Groups granted the access, e.g. `team-payments-testers`. The built-in catch-all and bypass groups
   * (system:authenticated, system:unauthenticated, system:masters...) are refused by `rbac-system-groups`.
   * @default - none
   */
  readonly groups?: string[];

  /**
   * Other subjects granted the access: service accounts (a pipeline's `LeastPrivilegeServiceAccount`, or
   * `kplus.ServiceAccount.fromServiceAccountName()`), `kplus.User`, `kplus.Group`.
   * @default - none
   */
  readonly subjects?: kplus.ISubject[];

  /**
   * Existing ClusterRoles (by name, e.g. `view`, or the viewer role a CRD's operator installs) to grant in the
   * namespace too: each is bound to the same subjects with its own RoleBinding there (no ClusterRoleBinding). Bindings
   * to `cluster-admin`, `edit` and `admin` are refused at construction unless an exemption covers them (their rules
   * grant Secrets read, exec, impersonation or everything); `system:` ClusterRoles are refused.
   * @default - none
   */
  readonly clusterRolesInNamespace?: string[];

  /**
   * Explicit, reasoned exemptions covering the Role and the RoleBindings.
   * @default - none: dangerous grants are refused
   */
  readonly exemptions?: ExemptionProps[];
}

/** Props of a NamespaceAccess. */
export interface NamespaceAccessProps extends NamespaceAccessOptions {
  /**
   * What the subjects may do in the namespace (namespaced resources only). Dangerous grants are refused at
   * construction unless an exemption covers them.
   */
  readonly permissions: Permission[];
}

const VIEWED_CORE = [
  RbacResource.CONFIG_MAPS, RbacResource.ENDPOINTS, RbacResource.EVENTS, RbacResource.LIMIT_RANGES,
  RbacResource.PERSISTENT_VOLUME_CLAIMS, RbacResource.PODS, RbacResource.REPLICATION_CONTROLLERS,
  RbacResource.RESOURCE_QUOTAS, RbacResource.SERVICE_ACCOUNTS, RbacResource.SERVICES,
];
const VIEWED_OTHER = [
  RbacResource.DAEMON_SETS, RbacResource.DEPLOYMENTS, RbacResource.REPLICA_SETS, RbacResource.STATEFUL_SETS,
  RbacResource.CRON_JOBS, RbacResource.JOBS, RbacResource.HORIZONTAL_POD_AUTOSCALERS, RbacResource.INGRESSES,
  RbacResource.NETWORK_POLICIES, RbacResource.POD_DISRUPTION_BUDGETS, RbacResource.ENDPOINT_SLICES,
];
const DEPLOYED = [
  RbacResource.DEPLOYMENTS, RbacResource.STATEFUL_SETS, RbacResource.DAEMON_SETS, RbacResource.JOBS,
  RbacResource.CRON_JOBS, RbacResource.CONFIG_MAPS, RbacResource.SERVICES,
];

/**
 * Access for people and pipelines to one namespace: a Role with the given permissions and a RoleBinding of it to
 * users, groups or service accounts, checked at construction with the catalog's RBAC controls like
 * `LeastPrivilegeServiceAccount`.
 *
 * Two personas cover the usual team roles: `NamespaceAccess.viewer()` (read-only, for testers and on-call) and
 * `NamespaceAccess.deployer()` (rolls out changes to existing workloads, for developers and pipelines). Neither
 * reads Secrets through the API nor execs into pods; but a deployer can change pod templates, so it can run pods that
 * mount any Secret or use any service account of the namespace (see `deployer()`).
 */
export class NamespaceAccess extends Construct {
  /**
   * The viewer's permissions: get, list and watch on the common namespaced resources (pods and their logs,
   * workloads, services, config maps, events, quotas, policies) and never on Secrets.
   */
  public static viewerPermissions(): Permission[] {
    return [
      Permission.read(...VIEWED_CORE),
      Permission.allow([Verb.GET], RbacResource.PODS_LOG),
      Permission.read(...VIEWED_OTHER),
    ];
  }

  /**
   * The deployer's permissions: get, list, watch, update and patch on deployments, statefulsets, daemonsets, jobs,
   * cronjobs, config maps and services, plus reading pods, their logs, replicasets and events to follow a rollout.
   * No create or delete, no Secrets read through the API, no exec. Updating a workload rewrites its pod template, so
   * `rbac-create-pods` reports these permissions (see `deployer()`).
   */
  public static deployerPermissions(): Permission[] {
    return [
      Permission.allow([Verb.GET, Verb.LIST, Verb.WATCH, Verb.UPDATE, Verb.PATCH], ...DEPLOYED),
      Permission.read(RbacResource.PODS, RbacResource.REPLICA_SETS, RbacResource.EVENTS),
      Permission.allow([Verb.GET], RbacResource.PODS_LOG),
    ];
  }

  /** Read-only access to the namespace for testers: `viewerPermissions()` bound to the given subjects. */
  public static viewer(scope: Construct, id: string, options: NamespaceAccessOptions = {}): NamespaceAccess {
    checkOptions(scope, id, 'NamespaceAccess.viewer', options);
    return new NamespaceAccess(scope, id, { ...options, permissions: NamespaceAccess.viewerPermissions() });
  }

  /**
   * Roll-out access to the namespace for developers and pipelines: `deployerPermissions()` bound to the given subjects.
   *
   * Updating a Deployment, StatefulSet, DaemonSet or CronJob rewrites its pod template, so the subjects can run pods
   * that mount any Secret, use any service account or run any image of their choosing in the namespace (within what
   * its Pod Security level admits): treat a deployer as holding every Secret and service account permission of the
   * namespace. `rbac-create-pods` reports exactly that; the persona carries an exemption for it, narrowed to its own
   * workload rules (a JSON patch that changes them voids it) and recorded with its reason on the Role.
   */
  public static deployer(scope: Construct, id: string, options: NamespaceAccessOptions = {}): NamespaceAccess {
    checkOptions(scope, id, 'NamespaceAccess.deployer', options);
    const permissions = NamespaceAccess.deployerPermissions();
    const { rules } = renderRules(permissions, 'permissions');
    const workloadRules = rules.flatMap((rule, index) => {
      const probe = { apiVersion: `${RBAC_API_GROUP}/v1`, kind: 'Role', metadata: { name: 'probe' }, rules: [rule] };
      return Controls.RBAC_CREATE_PODS.check(probe, { pssVersion: HardenedDefaults.of(scope).pssVersion }).length > 0 ? [{ rule, index }] : [];
    });
    const personaExemptions: ExemptionProps[] = workloadRules.map(({ rule, index }) => ({
      control: Controls.RBAC_CREATE_PODS,
      reason: DEPLOYER_REASON,
      kind: 'Role',
      pointer: `/rules/${index}`,
      pointerValue: rule,
    }));
    const given = listOf(`${scope.node.path ? `${scope.node.path}/` : ''}${id}`, 'exemptions', options.exemptions, EXEMPTIONS_FIX);
    return new NamespaceAccess(scope, id, { ...options, permissions, exemptions: [...given, ...personaExemptions] });
  }

  /** The Role holding the permissions. */
  public readonly role: kplus.k8s.KubeRole;
  /** Binds `role` to the subjects in the namespace. */
  public readonly roleBinding: kplus.k8s.KubeRoleBinding;
  /** One RoleBinding per entry of `clusterRolesInNamespace`, in its order: the ClusterRole bound to the subjects in the namespace. */
  public readonly roleBindingsToClusterRoles: kplus.k8s.KubeRoleBinding[];

  constructor(scope: Construct, id: string, props: NamespaceAccessProps) {
    super(scope, id);
    const path = this.node.path;
    if (!isPlainObject(props)) {
      throw new Error(`[${path}] props: ${describeValue(props)} is not an object; give { permissions, users, groups or subjects }, e.g. `
        + '{ groups: [\'shop-testers\'], permissions: NamespaceAccess.viewerPermissions() }, or use NamespaceAccess.viewer() or deployer()');
    }
    checkShapes(path, props);
    const exemptions = listOf(path, 'exemptions', props.exemptions, EXEMPTIONS_FIX);
    if (exemptions.length > 0) {
      Exemptions.of(this).add(...exemptions);
    }
    const permissions = props.permissions;
    if (permissions !== undefined && !Array.isArray(permissions)) {
      throw new Error(`[${path}] permissions: ${describeValue(permissions)} is not a list; list what the subjects may do, e.g. NamespaceAccess.viewerPermissions()`);
    }
    if (!Array.isArray(permissions) || permissions.length === 0) {
      throw new Error(`[${path}] permissions: none given; list what the subjects may do, e.g. NamespaceAccess.viewerPermissions()`);
    }
    const clusterRoles = checkClusterRoleNames(path, 'clusterRolesInNamespace', props.clusterRolesInNamespace);
    permissions.forEach((permission, index) => {
      if (!(permission instanceof Permission)) {
        throw new Error(`[${path}] permissions[${index}]: ${JSON.stringify(permission)} is not a Permission; build it with Permission.read(), readWrite() or allow()`);
      }
      const clusterScoped = permission.resources.filter(r => !r.namespaced);
      if (clusterScoped.length > 0) {
        throw new Error(`[${path}] permissions[${index}] (${permission}): ${clusterScoped.join(', ')} ${clusterScoped.length > 1 ? 'are' : 'is'} cluster-scoped, `
          + 'which a Role in one namespace cannot grant; remove it (cluster-wide access is not a namespace persona)');
      }
    });
    const namespace = props.metadata?.namespace ?? Chart.of(this).namespace;
    if (!namespace) {
      throw new Error(`[${path}] metadata.namespace is not set (and the chart has none); name the namespace the access is granted in`);
    }
    checkObjectNames(path, 'Role', props.metadata?.name, namespace, NameRule.PATH_SEGMENT);
    const subjects = subjectsOf(path, props);
    const labels = { 'app.kubernetes.io/managed-by': HardenedDefaults.MANAGED_BY, ...props.metadata?.labels };
    const metadata = { ...props.metadata, namespace, labels };
    const { rules, sources } = renderRules(permissions, 'permissions');
    this.role = new kplus.k8s.KubeRole(this, 'Role', { metadata, rules });
    this.roleBinding = new kplus.k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata,
      roleRef: { apiGroup: RBAC_API_GROUP, kind: 'Role', name: this.role.name },
      subjects,
    });
    const described = subjects.map(describeSubject);
    refuseUnexemptedGrants(this, this.role, describeGrant('Role', sources, described));
    refuseUnexemptedGrants(this, this.roleBinding, describeGrant('RoleBinding', sources, described));
    this.roleBindingsToClusterRoles = bindClusterRolesInNamespace(this, 'clusterRolesInNamespace', clusterRoles, metadataForClusterRoles(props.metadata, namespace, labels), subjects);
    Guard.protect(this);
  }
}

const EXEMPTIONS_FIX = 'give a list of exemptions, e.g. [{ control: Controls.RBAC_POD_EXEC, reason: \'...\' }], or leave it out';

/** The recorded reason the deployer persona's workload rules are accepted (rbac-create-pods). */
const DEPLOYER_REASON = 'the deployer persona rolls out new versions of existing workloads, which means updating their pod '
  + 'templates; it cannot create or delete workloads';

/** Refuses options that are not an object before a persona reads them. */
function checkOptions(scope: Construct, id: string, factory: string, options: unknown): void {
  if (!isPlainObject(options)) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    throw new Error(`[${path}] ${factory}: options ${describeValue(options)} is not an object; give users, groups or subjects, `
      + 'e.g. { groups: [\'shop-developers\'] }');
  }
}

/** Refuses metadata that is not an object and user, group or subject lists that are not lists, naming the field. */
function checkShapes(path: string, props: NamespaceAccessProps): void {
  if (props.metadata !== undefined && !isPlainObject(props.metadata)) {
    throw new Error(`[${path}] metadata: ${describeValue(props.metadata)} is not an object; give e.g. { name: 'shop-testers', namespace: 'shop' }, or leave it out`);
  }
  listOf(path, 'users', props.users, 'give a list of user names, e.g. [\'alice@example.com\'], or leave it out');
  listOf(path, 'groups', props.groups, 'give a list of group names, e.g. [\'shop-testers\'], or leave it out');
  listOf(path, 'subjects', props.subjects, 'give a list of service accounts, kplus.User or kplus.Group, or leave it out');
}

/** The RoleBindings to ClusterRoles share the namespace and labels, not the name given for the Role and its binding. */
function metadataForClusterRoles(metadata: ApiObjectMetadata | undefined, namespace: string, labels: Record<string, string>): ApiObjectMetadata {
  const { name: _name, ...rest } = metadata ?? {};
  return { ...rest, namespace, labels };
}

function subjectsOf(path: string, props: NamespaceAccessOptions): kplus.k8s.Subject[] {
  const subjects: kplus.k8s.Subject[] = [];
  for (const [field, kind, names] of [['users', 'User', props.users], ['groups', 'Group', props.groups]] as const) {
    (names ?? []).forEach((name, index) => {
      if (typeof name !== 'string' || name.trim() === '' || name !== name.trim()) {
        throw new Error(`[${path}] ${field}[${index}]: ${describeValue(name)} is not a ${kind.toLowerCase()} name; give the name the cluster's authenticator uses`);
      }
      subjects.push({ kind, name, apiGroup: RBAC_API_GROUP });
    });
  }
  (props.subjects ?? []).forEach((subject, index) => {
    const config = typeof subject?.toSubjectConfiguration === 'function' ? subject.toSubjectConfiguration() : undefined;
    if (!config) {
      throw new Error(`[${path}] subjects[${index}]: ${describeValue(subject)} is not a subject; give a service account, kplus.User or kplus.Group`);
    }
    if (config.kind === 'ServiceAccount' && !config.namespace) {
      throw new Error(`[${path}] subjects[${index}]: ServiceAccount '${config.name}' has no namespace; create it in a namespace or import it with namespaceName`);
    }
    // The API requires apiGroup '' for ServiceAccount subjects (cdk8s-plus reports 'core') and the RBAC group for
    // User and Group subjects.
    const apiGroup = config.kind === 'ServiceAccount' ? undefined : config.kind === 'User' || config.kind === 'Group' ? RBAC_API_GROUP : config.apiGroup;
    subjects.push({ kind: config.kind, name: config.name, namespace: config.namespace, apiGroup });
  });
  if (subjects.length === 0) {
    throw new Error(`[${path}] no subjects; give users, groups or subjects (service accounts) to grant the access to`);
  }
  return subjects;
}
