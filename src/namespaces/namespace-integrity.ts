import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { parseAmount, ResourceName } from './quantity';
import { jsonByNamespace, ownJson } from './workload-usage';
import { Controls } from '../controls/controls';
import { today } from '../guard/evaluate';
import { Exemptions } from '../guard/exemption';

// An IsolatedNamespace's boundary is its Namespace, default-deny policy, ResourceQuota and LimitRange, as declared.
// The controls judge whatever YAML is written; these checks compare what is written with what was declared, so an
// escape hatch (node.tryRemoveChild, a JSON patch) cannot weaken the boundary behind the typed props.

/** What an IsolatedNamespace declared, and the objects that carry it. */
export interface DeclaredBoundary {
  /** The IsolatedNamespace (a Chart). */
  readonly scope: IConstruct;
  readonly name: string;
  /** Each boundary object with the property that exposes it, e.g. `['resourceQuota', quota]`. */
  readonly parts: Array<[string, ApiObject]>;
  readonly resourceQuota: ApiObject;
  /** The quota's hard limits as declared or sized from the workloads. */
  readonly declaredHard: { [key: string]: unknown };
  /** How the quota was sized, for messages: `NamespaceQuota.of` or `NamespaceQuota.fromWorkloads`. */
  readonly quotaFactory: string;
  readonly limitRange: ApiObject;
  /** The LimitRange's declared Container `max`, rendered. */
  readonly declaredMax: { [key: string]: unknown };
  readonly loadBalancers: number;
  readonly nodePorts: number;
}

const SERVICE_JSON = Symbol('cdk8s-hardened.service-json');

/** The resource a quota key is measured in (counts compare as plain numbers, in any unit, on both sides). */
function resourceOf(key: string): ResourceName {
  return key.endsWith('memory') ? 'memory' : key.endsWith('ephemeral-storage') ? 'ephemeral-storage' : 'cpu';
}

function quantityText(value: unknown): string {
  return typeof value === 'object' && value !== null && 'value' in value ? String((value as any).value) : String(value);
}

/** One line per way the written boundary is weaker than the declared one. */
export function boundaryErrors(b: DeclaredBoundary): string[] {
  const errors: string[] = [];
  for (const [field, object] of b.parts) {
    if (object.node.scope !== b.scope || b.scope.node.tryFindChild(object.node.id) !== object) {
      errors.push(`${field}: the ${object.kind} '${object.name}' of namespace '${b.name}' was removed from the construct tree, so it would `
        + 'not be written and the namespace would lose it; the Namespace, default-deny NetworkPolicy, ResourceQuota and LimitRange are the '
        + 'isolation boundary: keep them (weaken one through the IsolatedNamespace props or an exemption instead)');
    }
  }
  errors.push(...quotaErrors(b), ...limitRangeErrors(b), ...serviceErrors(b));
  return errors;
}

/** A hard limit raised above, or removed from, what was declared (lowering it only tightens), unless a namespace-quota exemption covers that key. */
function quotaErrors(b: DeclaredBoundary): string[] {
  const json = ownJson(b.resourceQuota);
  const hard = json?.spec?.hard ?? {};
  const now = today();
  const exemptions = Exemptions.covering(b.resourceQuota).filter(e => !e.isExpiredOn(now));
  const errors: string[] = [];
  for (const [key, declaredValue] of Object.entries(b.declaredHard)) {
    // The services counts are judged by namespace-quota itself, at the key, against exemptions pinned to the count.
    if (key.startsWith('services.')) continue;
    const declared = quantityText(declaredValue);
    const written = hard[key];
    const resource = resourceOf(key);
    const writtenAmount = written === undefined || written === null ? undefined : parseAmount(quantityText(written), resource);
    const declaredAmount = parseAmount(declared, resource);
    if (writtenAmount !== undefined && declaredAmount !== undefined && writtenAmount <= declaredAmount) continue;
    if (exemptions.some(e => e.covers(Controls.NAMESPACE_QUOTA.id, json, `/spec/hard/${key}`))) continue;
    errors.push(`quota: ResourceQuota '${json?.metadata?.name}' of namespace '${b.name}' writes spec.hard['${key}'] `
      + `${written === undefined ? 'unset' : JSON.stringify(quantityText(written))}, not at most the ${declared} that ${b.quotaFactory}() gave it; remove the `
      + `JSON patch or override that raises or removes it, and size the quota through the quota prop (or exempt namespace-quota at /spec/hard/${key} `
      + 'with a reason)');
  }
  return errors;
}

/** The LimitRange's Container `max` removed or raised: admission would take containers of any size. */
function limitRangeErrors(b: DeclaredBoundary): string[] {
  const json = ownJson(b.limitRange);
  const limits = Array.isArray(json?.spec?.limits) ? json.spec.limits : [];
  const container = limits.find((l: any) => l?.type === 'Container');
  const errors: string[] = [];
  for (const [resource, declaredValue] of Object.entries(b.declaredMax)) {
    const declared = quantityText(declaredValue);
    const written = container?.max?.[resource];
    const writtenAmount = written === undefined || written === null ? undefined : parseAmount(quantityText(written), resource as ResourceName);
    const declaredAmount = parseAmount(declared, resource as ResourceName);
    if (writtenAmount !== undefined && declaredAmount !== undefined && writtenAmount <= declaredAmount) continue;
    errors.push(`containerMaximum: LimitRange '${json?.metadata?.name}' of namespace '${b.name}' writes max.${resource} `
      + `${written === undefined ? 'unset' : JSON.stringify(quantityText(written))}, not at most the declared ${declared}; without it a container `
      + 'of any size is admitted: remove the JSON patch that changes it, and set the maximum with containerMaximum');
  }
  return errors;
}

/** Services the namespace's quota would make admission refuse: LoadBalancers or node ports where it allows none. */
function serviceErrors(b: DeclaredBoundary): string[] {
  const services = jsonByNamespace(b.scope.node.root, SERVICE_JSON, kind => kind === 'Service').get(b.name) ?? [];
  const errors: string[] = [];
  for (const { object, json } of services) {
    const type = json?.spec?.type;
    if (type !== 'LoadBalancer' && type !== 'NodePort') continue;
    const what = `Service '${json?.metadata?.name}' (${object.node.path}) is of type ${type}`;
    if (type === 'LoadBalancer' && b.loadBalancers === 0) {
      errors.push(`allowedLoadBalancers: ${what} but namespace '${b.name}' allows no LoadBalancer Services (quota services.loadbalancers "0"), `
        + 'so admission would refuse it; use type ClusterIP behind an Ingress, or set allowedLoadBalancers');
    }
    const usesNodePorts = type === 'NodePort' || json?.spec?.allocateLoadBalancerNodePorts !== false;
    if (usesNodePorts && b.nodePorts === 0) {
      errors.push(`allowedNodePorts: ${what}${type === 'LoadBalancer' ? ' allocating node ports' : ''} but namespace '${b.name}' allows no `
        + 'node ports (quota services.nodeports "0"), so admission would refuse it; use type ClusterIP'
        + `${type === 'LoadBalancer' ? ', set allocateLoadBalancerNodePorts: false,' : ''} or set allowedNodePorts`);
    }
  }
  return errors;
}
