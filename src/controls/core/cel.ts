import { AdmissionExpression, AdmissionResource, AdmissionRule, AdmissionValidation } from './control';
import { IMAGE_REFERENCE_PATTERNS } from './image-reference';

/*
 * Shared fragments of the controls' CEL forms (ValidatingAdmissionPolicy, admissionregistration.k8s.io/v1).
 *
 * Conventions, so every form reads like its TypeScript twin:
 * - `x.?f.orValue(d)` reads an optional field; an absent field and one the API server decoded from `null` are the
 *   same (it decodes into Go structs, where null is unset).
 * - Only standard CEL, optional types and the strings extension Kubernetes ships (`join`, `lowerAscii`): no
 *   Kubernetes-only library function, so the forms evaluate the same in any CEL engine.
 * - Every expression is one pass over the containers, volumes, env entries or ports: cost linear in their number.
 */

/** Every kind that carries a pod spec, as admission matches it (`pods/ephemeralcontainers`: `kubectl debug`). */
export const POD_RESOURCES: AdmissionResource[] = [
  { apiGroup: '', resource: 'pods', kind: 'Pod' },
  { apiGroup: '', resource: 'pods/ephemeralcontainers', kind: 'Pod' },
  { apiGroup: '', resource: 'replicationcontrollers', kind: 'ReplicationController' },
  { apiGroup: 'apps', resource: 'deployments', kind: 'Deployment' },
  { apiGroup: 'apps', resource: 'replicasets', kind: 'ReplicaSet' },
  { apiGroup: 'apps', resource: 'statefulsets', kind: 'StatefulSet' },
  { apiGroup: 'apps', resource: 'daemonsets', kind: 'DaemonSet' },
  { apiGroup: 'batch', resource: 'jobs', kind: 'Job' },
  { apiGroup: 'batch', resource: 'cronjobs', kind: 'CronJob' },
];

/** The pod template of the object: the Pod itself, a CronJob's job template's, or `spec.template`. */
const POD_TEMPLATE = "object.kind == 'Pod' ? object : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.template)";

/**
 * The variables every pod form reads: `podSpec` (wherever the kind keeps it), `podMetadata` (the template's
 * metadata), `containers` (containers, initContainers and ephemeralContainers) and `isWindows`.
 */
export const POD_VARIABLES: AdmissionExpression[] = [
  { name: 'podSpec', expression: `(${POD_TEMPLATE}).spec` },
  { name: 'podMetadata', expression: `(${POD_TEMPLATE}).?metadata.orValue({})` },
  {
    name: 'containers',
    expression: 'variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([])'
      + ' + variables.podSpec.?ephemeralContainers.orValue([])',
  },
  { name: 'isWindows', expression: "variables.podSpec.?os.?name.orValue('') == 'windows'" },
];

/** A CEL string literal. */
export function celString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A CEL list literal of strings. */
export function celStrings(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/** The rule of a pod control: every pod-bearing kind, the shared variables, and `validations`. */
export function podRule(validations: AdmissionValidation[], matchConditions?: AdmissionExpression[]): AdmissionRule {
  return { resources: POD_RESOURCES, variables: POD_VARIABLES, validations, ...(matchConditions ? { matchConditions } : {}) };
}

/**
 * A validation that `predicate` (over the container `c`) holds for every container, init container and ephemeral
 * container; the message names the containers where it does not.
 */
export function everyContainer(predicate: string, message: string, list = 'variables.containers'): AdmissionValidation {
  return {
    expression: `(${list}).all(c, ${predicate})`,
    message,
    messageExpression: `${celString(message + ': ')} + (${list}).filter(c, !(${predicate})).map(c, c.name).join(', ')`,
  };
}

/** A validation over the pod spec as a whole. */
export function podCheck(expression: string, message: string): AdmissionValidation {
  return { expression, message };
}

/** The field `path` of `holder`, as an optional value (`holder.?a.?b`). */
export function optional(holder: string, ...path: string[]): string {
  return holder + path.map(f => `.?${f}`).join('');
}

/** `holder.securityContext.<field>` as an optional, for the pod (`variables.podSpec`) or a container (`c`). */
export function securityContextField(holder: string, field: string): string {
  return optional(holder, 'securityContext', field);
}

/** A positive Kubernetes quantity: the API server's grammar, and a non-zero digit before any suffix or exponent. */
const POSITIVE_QUANTITY = (value: string) =>
  `string(${value}).matches(${celString(QUANTITY_PATTERN)}) && string(${value}).matches('^[+]?[0-9.]*[1-9]')`;
const QUANTITY_PATTERN = '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$';

/**
 * Every container and init container (ephemeral containers cannot carry resources) sets each of `names` in
 * `resources.<section>` to a positive quantity.
 */
export function resourcesSet(section: string, names: string[]): AdmissionValidation {
  const predicate = names.map(n => {
    const value = `c.?resources.?${section}[?${celString(n)}]`;
    return `${value}.hasValue() && ${POSITIVE_QUANTITY(`${value}.value()`)}`;
  }).join(' && ');
  return everyContainer(predicate, `containers must set resources.${section} ${names.join(', ')} to positive quantities`,
    'variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([])');
}

/** The container `holder` has a valid image reference (see IMAGE_REFERENCE_PATTERNS). */
export function validImage(holder: string): string {
  const image = `${holder}.image`;
  return `has(${image}) && ${image}.matches(${celString(IMAGE_REFERENCE_PATTERNS.reference)})`
    + ` && ${image}.matches(${celString(IMAGE_REFERENCE_PATTERNS.nameLength)}) && !${image}.matches(${celString(IMAGE_REFERENCE_PATTERNS.identifier)})`;
}

/**
 * The control-plane identities whose requests the RBAC and ServiceAccount forms do not judge, each for a reason:
 * the API server reconciles its bootstrap ClusterRoles (`cluster-admin` holds `*`); the controller manager (its own
 * identity, or one service account per controller with --use-service-account-credentials) runs the aggregation
 * controller, which rewrites aggregated ClusterRoles (`admin`, `edit`, `view`), the ServiceAccount controller, which
 * creates `default` in every namespace, and the garbage collector, which UPDATEs any object (RBAC objects and
 * ServiceAccounts included) to remove its orphan/foregroundDeletion finalizers and owner references, so a
 * non-compliant object created before the policies can still be deleted. Only these: any other service account of
 * kube-system (cluster-autoscaler, a Helm-installed operator) is judged like a tenant.
 */
export const CONTROL_PLANE_USERNAMES: string[] = [
  'system:apiserver',
  'system:kube-controller-manager',
  ...['clusterrole-aggregation-controller', 'service-account-controller', 'generic-garbage-collector']
    .map(controller => `system:serviceaccount:kube-system:${controller}`),
];

/** Requests of the control plane (CONTROL_PLANE_USERNAMES) are not judged. Tenants never hold these identities. */
export const NOT_CONTROL_PLANE: AdmissionExpression = {
  name: 'not-control-plane',
  expression: `!(request.userInfo.username in ${celStrings(CONTROL_PLANE_USERNAMES)})`,
};

/** The RBAC kinds. */
export const RBAC_RESOURCES: AdmissionResource[] = [
  { apiGroup: 'rbac.authorization.k8s.io', resource: 'roles', kind: 'Role' },
  { apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', kind: 'ClusterRole' },
  { apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings', kind: 'RoleBinding' },
  { apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding' },
];

/** The resources of `kinds` among RBAC_RESOURCES. */
export function rbacResources(...kinds: string[]): AdmissionResource[] {
  return RBAC_RESOURCES.filter(r => kinds.includes(r.kind));
}

/** The rule of a control over role bindings (Role- and ClusterRoleBindings), not judging the control plane's own requests. */
export function bindingRule(validation: AdmissionValidation): AdmissionRule {
  return { resources: rbacResources('RoleBinding', 'ClusterRoleBinding'), matchConditions: [NOT_CONTROL_PLANE], validations: [validation] };
}

/** The core-group Service kind. */
export const SERVICE_RESOURCES: AdmissionResource[] = [{ apiGroup: '', resource: 'services', kind: 'Service' }];
