/**
 * The rules of the built-in user-facing ClusterRoles `edit` and `admin` (Kubernetes 1.22 and later, from the API
 * server's bootstrap policy: `system:aggregate-to-edit`, and `system:aggregate-to-admin` on top of it; `view`, which
 * both aggregate, grants nothing the RBAC controls refuse), so that a RoleBinding or ClusterRoleBinding to one of them
 * is judged by what it grants rather than by its name alone.
 *
 * Only what the API server installs is known here: rules that installed CRDs aggregate into these roles (through the
 * `rbac.authorization.k8s.io/aggregate-to-*` labels) are not. `cluster-admin` has its own control
 * (`rbac-cluster-admin`).
 */

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_WRITE = [...READ, ...WRITE];

const rule = (apiGroup: string, verbs: string[], resources: string[]) => ({ apiGroups: [apiGroup], resources, verbs });

const EDIT_RULES: any[] = [
  rule('', READ, ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
  rule('', ['impersonate'], ['serviceaccounts']),
  rule('', WRITE, ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
  rule('', ['create'], ['pods/eviction']),
  rule('', WRITE, ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy',
    'persistentvolumeclaims', 'configmaps', 'secrets']),
  rule('', ['create'], ['serviceaccounts/token']),
  rule('apps', WRITE, ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback',
    'replicasets', 'replicasets/scale']),
  rule('autoscaling', WRITE, ['horizontalpodautoscalers']),
  rule('batch', WRITE, ['jobs', 'cronjobs']),
  rule('policy', WRITE, ['poddisruptionbudgets']),
  rule('networking.k8s.io', WRITE, ['networkpolicies', 'ingresses']),
];

const ADMIN_RULES: any[] = [
  ...EDIT_RULES,
  rule('authorization.k8s.io', ['create'], ['localsubjectaccessreviews']),
  rule('rbac.authorization.k8s.io', READ_WRITE, ['roles', 'rolebindings']),
];

const BUILT_IN: Record<string, any[]> = { edit: EDIT_RULES, admin: ADMIN_RULES };

/** The names of the built-in ClusterRoles whose rules are known. */
export const BUILT_IN_CLUSTER_ROLE_NAMES = Object.keys(BUILT_IN);

/** The rules of the built-in ClusterRole `name` (`edit`, `admin`), or undefined for any other name. */
export function builtInClusterRoleRules(name: unknown): any[] | undefined {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(BUILT_IN, name) ? BUILT_IN[name] : undefined;
}
