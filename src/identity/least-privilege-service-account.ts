import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ApiAccessToken, IApiAccessServiceAccount } from './api-access';
import { Permission } from './permission';
import {
  bindClusterRolesInNamespace, checkClusterRoleNames, describeGrant, describeSubject, isPlainObject, listOf, RBAC_API_GROUP,
  refuseUnexemptedGrants, renderRules,
} from './rbac-grant';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { checkObjectNames, describeValue, NameRule } from '../defaults/kubernetes-validation';
import { ExemptionProps, Exemptions } from '../guard/exemption';
import { Guard } from '../guard/guard';

/** Props of a LeastPrivilegeServiceAccount. */
export interface LeastPrivilegeServiceAccountProps extends kplus.ResourceProps {
  /**
   * What the account may do in its own namespace: rendered into one Role and a RoleBinding to the account. Only
   * namespaced resources; dangerous grants (Secrets read, exec, escalation verbs, wildcards...) are refused at
   * construction unless an exemption covers them.
   * @default - none: no Role, and pods using the account get no API token (service-account-token)
   */
  readonly permissions?: Permission[];

  /**
   * What the account may do cluster-wide: rendered into a ClusterRole and a ClusterRoleBinding, which grant namespaced
   * resources in every namespace and cluster-scoped ones (nodes, namespaces, CRDs...). Only where `permissions`
   * (one namespace) cannot serve: every ClusterRole and ClusterRoleBinding is reported by `rbac-cluster-scope`
   * (a warning; exempt it with the reason). The same dangerous grants are refused.
   * @default - none: no cluster-wide grant (rbac-cluster-scope)
   */
  readonly clusterPermissions?: Permission[];

  /**
   * Existing ClusterRoles (by name, e.g. `view`, or a ClusterRole a CRD's operator installs) to grant in the account's
   * namespace only: each is bound to the account with its own RoleBinding there, the namespaced use of a ClusterRole
   * (no ClusterRoleBinding). Bindings to dangerous roles are refused at construction unless an exemption covers them:
   * `cluster-admin` (rbac-cluster-admin), and the built-in `edit` and `admin`, judged by their rules (Secrets read,
   * exec, impersonating service accounts, minting tokens: rbac-secrets-read, rbac-pod-exec, rbac-escalation-verbs,
   * rbac-token-create). `system:` ClusterRoles (Kubernetes components') are refused. The rules of other ClusterRoles
   * are not known here: the guard checks them where they are part of the app.
   * @default - none: only the Role rendered from `permissions`
   */
  readonly clusterRolesInNamespace?: string[];

  /**
   * Audience of the API token pods using this account mount, for a token meant for another service (e.g. Vault's
   * Kubernetes auth) or when the API server must be named explicitly. A token bound to an audience the API server does
   * not accept cannot call the API. Only for an account with permissions.
   * @default - none named: the API server binds the token to its own audiences (`--api-audiences`, by default its
   * service-account issuer), as for the token Kubernetes automounts; no literal value is right on every cluster
   */
  readonly tokenAudience?: string;

  /**
   * Lifetime of the API token pods using this account mount (the kubelet renews it at 80%), from 10 minutes to
   * 24 hours. Only for an account with permissions.
   * @default Duration.seconds(LeastPrivilegeServiceAccount.DEFAULT_TOKEN_EXPIRATION_SECONDS) - one hour
   */
  readonly tokenExpiration?: Duration;

  /**
   * Explicit, reasoned exemptions covering the account, its Role(s) and binding(s): the only way to grant what the
   * RBAC controls refuse.
   * @default - none: dangerous grants are refused
   */
  readonly exemptions?: ExemptionProps[];
}

/**
 * A ServiceAccount with exactly the permissions it is given and short-lived API tokens.
 *
 * It never automounts a token. Typed permissions become one Role and a RoleBinding in the account's namespace (and,
 * only through `clusterPermissions`, a ClusterRole and ClusterRoleBinding); without permissions there is no Role.
 * Existing ClusterRoles named in `clusterRolesInNamespace` are bound with RoleBindings in the account's namespace.
 * Each Role and binding is checked at construction with the catalog's RBAC controls, the same the guard runs at
 * synthesis: wildcards, Secrets read, exec/attach/port-forward and ephemeral containers, bind/escalate/impersonate,
 * nodes/proxy, token creation, webhook configurations, CSR approval, namespace updates, and bindings to
 * cluster-admin or the built-in edit and admin are refused unless an exemption covers them.
 *
 * Used as the `serviceAccount` of a hardened workload, an account with permissions gives its pods a projected,
 * read-only, one-hour API token (with the cluster CA and the namespace) while `automountServiceAccountToken` stays
 * false; an account without permissions gives them no token at all.
 */
export class LeastPrivilegeServiceAccount extends kplus.ServiceAccount implements IApiAccessServiceAccount {
  /** Default lifetime of the projected API token: one hour (not the 3607 seconds the API server would extend to a year). */
  public static readonly DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
  /** Shortest token lifetime the API server accepts (10 minutes). */
  public static readonly MIN_TOKEN_EXPIRATION_SECONDS = 600;
  /** Longest token lifetime this construct accepts (24 hours): tokens are meant to be short-lived. */
  public static readonly MAX_TOKEN_EXPIRATION_SECONDS = 86400;

  /** The token pods using this account mount; undefined when the account has no permissions (no token at all). */
  public readonly apiAccessToken?: ApiAccessToken;
  /** The Role holding `permissions`, in the account's namespace; undefined without permissions. */
  public readonly role?: kplus.k8s.KubeRole;
  /** Binds `role` to this account; undefined without permissions. */
  public readonly roleBinding?: kplus.k8s.KubeRoleBinding;
  /** The ClusterRole holding `clusterPermissions`; undefined without them. */
  public readonly clusterRole?: kplus.k8s.KubeClusterRole;
  /** Binds `clusterRole` to this account in every namespace; undefined without cluster permissions. */
  public readonly clusterRoleBinding?: kplus.k8s.KubeClusterRoleBinding;
  /** One RoleBinding per entry of `clusterRolesInNamespace`, in its order: the ClusterRole bound to this account in its namespace. */
  public readonly roleBindingsToClusterRoles: kplus.k8s.KubeRoleBinding[];

  constructor(scope: Construct, id: string, props: LeastPrivilegeServiceAccountProps = {}) {
    checkProps(scope.node.path ? `${scope.node.path}/${id}` : id, props);
    const labels = { 'app.kubernetes.io/managed-by': HardenedDefaults.MANAGED_BY, ...props.metadata?.labels };
    super(scope, id, { metadata: { ...props.metadata, labels }, automountToken: false });
    checkObjectNames(this.node.path, 'ServiceAccount', this.name, this.metadata.namespace, NameRule.DNS_SUBDOMAIN);
    const path = this.node.path;
    const exemptions = listOf(path, 'exemptions', props.exemptions, 'give a list of exemptions, e.g. [{ control: Controls.RBAC_SECRETS_READ, reason: \'...\' }]');
    if (exemptions.length > 0) {
      Exemptions.of(this).add(...exemptions);
    }
    const permissions = checkPermissions(path, 'permissions', props.permissions);
    const clusterPermissions = checkPermissions(path, 'clusterPermissions', props.clusterPermissions);
    const clusterRoles = checkClusterRoleNames(path, 'clusterRolesInNamespace', props.clusterRolesInNamespace);
    permissions.forEach((permission, index) => {
      const clusterScoped = permission.resources.filter(r => !r.namespaced);
      if (clusterScoped.length > 0) {
        throw new Error(`[${path}] permissions[${index}] (${permission}): ${clusterScoped.join(', ')} ${clusterScoped.length > 1 ? 'are' : 'is'} cluster-scoped, `
          + 'which a Role cannot grant; move this permission to clusterPermissions (a ClusterRole, reported by rbac-cluster-scope) if the '
          + 'account really needs it');
      }
    });
    const hasPermissions = permissions.length + clusterPermissions.length + clusterRoles.length > 0;
    this.apiAccessToken = resolveToken(path, props, hasPermissions);

    const namespace = this.metadata.namespace;
    if (hasPermissions && !namespace) {
      throw new Error(`[${path}] metadata.namespace is not set (and the chart has none), so no binding can name this account; `
        + 'set metadata.namespace or the chart\'s namespace');
    }
    const subject: kplus.k8s.Subject = { kind: 'ServiceAccount', name: this.name, namespace };
    const subjects = [describeSubject(subject)];

    if (permissions.length > 0) {
      const { rules, sources } = renderRules(permissions, 'permissions');
      this.role = new kplus.k8s.KubeRole(this, 'Role', { metadata: { namespace, labels }, rules });
      this.roleBinding = new kplus.k8s.KubeRoleBinding(this, 'RoleBinding', {
        metadata: { namespace, labels },
        roleRef: { apiGroup: RBAC_API_GROUP, kind: 'Role', name: this.role.name },
        subjects: [subject],
      });
      refuseUnexemptedGrants(this, this.role, describeGrant('Role', sources, subjects));
      refuseUnexemptedGrants(this, this.roleBinding, describeGrant('RoleBinding', sources, subjects));
    }
    this.roleBindingsToClusterRoles = bindClusterRolesInNamespace(this, 'clusterRolesInNamespace', clusterRoles, { namespace, labels }, [subject]);
    if (clusterPermissions.length > 0) {
      const { rules, sources } = renderRules(clusterPermissions, 'clusterPermissions');
      this.clusterRole = new kplus.k8s.KubeClusterRole(this, 'ClusterRole', { metadata: { labels }, rules });
      this.clusterRoleBinding = new kplus.k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
        metadata: { labels },
        roleRef: { apiGroup: RBAC_API_GROUP, kind: 'ClusterRole', name: this.clusterRole.name },
        subjects: [subject],
      });
      refuseUnexemptedGrants(this, this.clusterRole, describeGrant('ClusterRole', sources, subjects));
      refuseUnexemptedGrants(this, this.clusterRoleBinding, describeGrant('ClusterRoleBinding', sources, subjects));
    }
    Guard.protect(this);
  }
}

/** Refuses props that are not an object, and metadata that is not one, before anything reads them. */
function checkProps(path: string, props: unknown): void {
  if (!isPlainObject(props)) {
    throw new Error(`[${path}] props: ${describeValue(props)} is not an object; give the account's props, e.g. `
      + '{ permissions: [Permission.read(RbacResource.CONFIG_MAPS)] }, or leave them out');
  }
  if (props.metadata !== undefined && !isPlainObject(props.metadata)) {
    throw new Error(`[${path}] metadata: ${describeValue(props.metadata)} is not an object; give e.g. { name: 'backend', namespace: 'shop' }, or leave it out`);
  }
}

function checkPermissions(path: string, field: string, permissions: Permission[] | undefined): Permission[] {
  if (permissions === undefined) return [];
  if (!Array.isArray(permissions)) {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(permissions)} is not a list; give a list of permissions, e.g. [Permission.read(RbacResource.CONFIG_MAPS)]`);
  }
  permissions.forEach((permission, index) => {
    if (!(permission instanceof Permission)) {
      throw new Error(`[${path}] ${field}[${index}]: ${JSON.stringify(permission)} is not a Permission; build it with Permission.read(), readWrite() or allow()`);
    }
  });
  return permissions;
}

function resolveToken(path: string, props: LeastPrivilegeServiceAccountProps, hasPermissions: boolean): ApiAccessToken | undefined {
  if (!hasPermissions) {
    const given = (['tokenAudience', 'tokenExpiration'] as const).filter(field => props[field] !== undefined);
    if (given.length > 0) {
      throw new Error(`[${path}] ${given.join(', ')}: the account has no permissions (nor clusterPermissions or clusterRolesInNamespace), `
        + 'so its pods get no API token to configure; remove it, or give the account the permissions it needs');
    }
    return undefined;
  }
  const audience = props.tokenAudience;
  if (audience !== undefined && (typeof audience !== 'string' || audience.trim() === '' || audience !== audience.trim())) {
    throw new Error(`[${path}] tokenAudience: ${JSON.stringify(audience)} is not an audience; name the API server's audience, e.g. `
      + '\'https://kubernetes.default.svc.cluster.local\', or leave it out for the API server\'s own audiences');
  }
  if (props.tokenExpiration !== undefined && !(props.tokenExpiration instanceof Duration)) {
    throw new Error(`[${path}] tokenExpiration: ${JSON.stringify(props.tokenExpiration)} is not a Duration; use e.g. Duration.hours(1)`);
  }
  const seconds = props.tokenExpiration?.toSeconds({ integral: false }) ?? LeastPrivilegeServiceAccount.DEFAULT_TOKEN_EXPIRATION_SECONDS;
  const min = LeastPrivilegeServiceAccount.MIN_TOKEN_EXPIRATION_SECONDS;
  const max = LeastPrivilegeServiceAccount.MAX_TOKEN_EXPIRATION_SECONDS;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw new Error(`[${path}] tokenExpiration: ${seconds} seconds is not a whole number of seconds from ${min} (the API server's minimum) `
      + `to ${max} (24 hours: tokens stay short-lived); use e.g. Duration.hours(1)`);
  }
  return { audience, expirationSeconds: seconds };
}
