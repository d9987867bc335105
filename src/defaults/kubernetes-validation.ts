import { IConstruct } from 'constructs';

/**
 * Rules the Kubernetes API server applies to object names, namespaces and counts, so that constructs refuse at
 * construction what `kubectl apply` would reject later (internal helpers, not part of the jsii API).
 */

/** RFC 1123 label: namespaces, and the names that become host names or label values. */
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: most object names. */
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** How the API server validates the name of one kind of object. */
export enum NameRule {
  /** A DNS-1123 subdomain of at most 253 characters (Deployment, ServiceAccount, ...). */
  DNS_SUBDOMAIN = 'subdomain',
  /** A DNS-1123 label of at most 63 characters. */
  DNS_LABEL = 'label',
  /** Any path segment: not `.` or `..`, no `/` or `%` (Role, RoleBinding). */
  PATH_SEGMENT = 'segment',
}

/** True when `value` is a DNS-1123 label of at most 63 characters. */
export function isDnsLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && DNS_LABEL_RE.test(value);
}

/** True when `value` is a DNS-1123 subdomain of at most `max` characters (253 by default). */
export function isDnsSubdomain(value: unknown, max = 253): value is string {
  return typeof value === 'string' && value.length <= max && DNS_SUBDOMAIN_RE.test(value);
}

/**
 * Checks the name and namespace a construct's object will be emitted with, throwing
 * `[path] metadata.name: ...; fix` or `[path] metadata.namespace: ...; fix`.
 * @param path the construct path, for the message
 * @param kind the object's kind, for the message
 * @param name the object's name (given in metadata or generated); undefined when cdk8s will generate it
 * @param namespace the object's namespace (given in metadata or the chart's), if any
 * @param rule how the API server validates this kind's names
 * @param maxLength a tighter length limit the kind has (a CronJob's name is at most 52 characters)
 */
export function checkObjectNames(path: string, kind: string, name: unknown, namespace: unknown, rule: NameRule, maxLength?: number): void {
  if (namespace !== undefined && !isDnsLabel(namespace)) {
    throw new Error(`[${path}] metadata.namespace: ${JSON.stringify(namespace)} is not a namespace name (from metadata.namespace or the chart's namespace); `
      + 'use at most 63 lowercase letters, digits and \'-\', starting and ending alphanumeric, e.g. \'shop\'');
  }
  if (name === undefined) return;
  const max = maxLength ?? (rule === NameRule.DNS_LABEL ? 63 : 253);
  const valid = rule === NameRule.PATH_SEGMENT
    ? typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[/%]/.test(name) && name.length <= max
    : rule === NameRule.DNS_LABEL ? isDnsLabel(name) && name.length <= max : isDnsSubdomain(name, max);
  if (!valid) {
    const what = rule === NameRule.PATH_SEGMENT
      ? 'a non-empty name without \'/\' or \'%\' (not \'.\' or \'..\')'
      : `at most ${max} lowercase letters, digits${rule === NameRule.DNS_SUBDOMAIN ? ', \'.\'' : ''} and '-', starting and ending alphanumeric`;
    throw new Error(`[${path}] metadata.name: ${JSON.stringify(name)} is not a valid ${kind} name; use ${what}, or leave metadata.name out `
      + 'for a generated one');
  }
}

/**
 * Refuses a replica count the API server would reject (negative, fractional): `[path] replicas: ...`. Zero is a valid
 * scale-down; below two replicas the `replicas` control reports a warning.
 */
export function checkReplicas<T extends { readonly replicas?: number }>(scope: IConstruct, id: string, props: T): T {
  const replicas = props.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    throw new Error(`[${path}] replicas: ${JSON.stringify(replicas)} is not a replica count; use an integer from 0, `
      + 'e.g. 2 (from 2 replicas the workload gets a PodDisruptionBudget and spreading across nodes)');
  }
  return props;
}

/** A value for an error message: a construct by its path (constructs do not serialize), anything else as JSON. */
export function describeValue(value: unknown): string {
  const path = (value as { node?: { path?: unknown } } | undefined)?.node?.path;
  if (typeof path === 'string') return `construct '${path}'`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
