import { ApiObjectMetadata, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Permission, Verb } from './permission';
import { describeGrant, describeSubject, RBAC_API_GROUP, refuseUnexemptedGrants, renderRules } from './rbac-grant';
import { RbacResource } from './rbac-resource';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { checkObjectNames, NameRule } from '../defaults/kubernetes-validation';
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
   * Explicit, reasoned exemptions covering the Role and the RoleBinding.
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
 * reads Secrets nor execs into pods.
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
   * No create or delete (a pipeline that creates objects adds that permission explicitly and `rbac-create-pods`
   * reports it), never Secrets, never exec.
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
    return new NamespaceAccess(scope, id, { ...options, permissions: NamespaceAccess.viewerPermissions() });
  }

  /** Roll-out access to the namespace for developers and pipelines: `deployerPermissions()` bound to the given subjects. */
  public static deployer(scope: Construct, id: string, options: NamespaceAccessOptions = {}): NamespaceAccess {
    return new NamespaceAccess(scope, id, { ...options, permissions: NamespaceAccess.deployerPermissions() });
  }

  /** The Role holding the permissions. */
  public readonly role: kplus.k8s.KubeRole;
  /** Binds `role` to the subjects in the namespace. */
  public readonly roleBinding: kplus.k8s.KubeRoleBinding;

  constructor(scope: Construct, id: string, props: NamespaceAccessProps) {
    super(scope, id);
    const path = this.node.path;
    if (props.exemptions) {
      Exemptions.of(this).add(...props.exemptions);
    }
    const permissions = props.permissions;
    if (!Array.isArray(permissions) || permissions.length === 0) {
      throw new Error(`[${path}] permissions: none given; list what the subjects may do, e.g. NamespaceAccess.viewerPermissions()`);
    }
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
    Guard.protect(this);
  }
}

function subjectsOf(path: string, props: NamespaceAccessOptions): kplus.k8s.Subject[] {
  const subjects: kplus.k8s.Subject[] = [];
  for (const [field, kind, names] of [['users', 'User', props.users], ['groups', 'Group', props.groups]] as const) {
    (names ?? []).forEach((name, index) => {
      if (typeof name !== 'string' || name.trim() === '' || name !== name.trim()) {
        throw new Error(`[${path}] ${field}[${index}]: ${JSON.stringify(name)} is not a ${kind.toLowerCase()} name; give the name the cluster's authenticator uses`);
      }
      subjects.push({ kind, name, apiGroup: RBAC_API_GROUP });
    });
  }
  (props.subjects ?? []).forEach((subject, index) => {
    const config = subject?.toSubjectConfiguration?.();
    if (!config) {
      throw new Error(`[${path}] subjects[${index}]: not a subject; give a service account, kplus.User or kplus.Group`);
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
