import { ApiObject, App, JsonPatch, Testing } from 'cdk8s';
import * as jsYaml from 'js-yaml';
import { Attempt, catalogue } from './harness';
import { Controls, Exemptions, IsolatedNamespace } from '../../../src';

/** The YAML an IsolatedNamespace 'shop' writes, its Namespace labels changed by `labels`, for `check`. */
function namespaceYaml(labels: Record<string, string>): string {
  const app = Testing.app();
  new IsolatedNamespace(app, 'shop');
  const docs = jsYaml.loadAll(app.synthYaml()) as any[];
  const namespace = docs.find(d => d?.kind === 'Namespace');
  namespace.metadata.labels = { ...namespace.metadata.labels, ...labels };
  return docs.filter(d => d).map(d => jsYaml.dump(d)).join('---\n');
}

/** An IsolatedNamespace 'shop' tampered with by `tamper`, for the guard. */
function tampered(name: string, tamper: (ns: IsolatedNamespace, app: App) => void, expect: RegExp): Attempt {
  return { name, guard: (_chart, app) => tamper(new IsolatedNamespace(app, 'shop'), app), expect, only: 'guard' };
}

/** A PSA version label set to `version`: patched into an IsolatedNamespace, and in the YAML given to `check`. */
function psaVersion(label: string, version: string): Attempt {
  const key = `pod-security.kubernetes.io/${label}`;
  return {
    name: `${key}: ${version}`,
    guard: (_chart, app) => new IsolatedNamespace(app, 'shop').namespaceObject.addJsonPatch(
      JsonPatch.replace(`/metadata/labels/${key.replace('/', '~1')}`, version)),
    yaml: namespaceYaml({ [key]: version }),
    expect: new RegExp(`namespace-psa-labels: Namespace shop /metadata/labels/pod-security.kubernetes.io~1${label}: Namespace 'shop' has ${key} `
      + `"${version.replace('.', '\\.')}", a Pod Security Standards version the catalog does not know`),
  };
}

// Issue 12, class 7: the namespace bundle tampered with.
catalogue('7. the namespace bundle tampered with', [
  psaVersion('enforce-version', 'v1.0'),
  psaVersion('audit-version', 'v1.24'),
  psaVersion('warn-version', 'v1.99'),
  tampered('the Namespace removed from the tree', ns => ns.node.tryRemoveChild('Resource'),
    /namespaceObject: the Namespace 'shop' of namespace 'shop' was removed from the construct tree/),
  tampered('the ResourceQuota removed and a permissive one added', ns => {
    ns.node.tryRemoveChild('ResourceQuota');
    new ApiObject(ns, 'loose', {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'loose' },
      spec: { hard: { 'requests.cpu': '1k', 'requests.memory': '1Pi', 'limits.cpu': '1k', 'limits.memory': '1Pi', 'pods': '10000', 'services.loadbalancers': '0', 'services.nodeports': '0' } },
    });
  }, /resourceQuota: the ResourceQuota 'resource-quota' of namespace 'shop' was removed from the construct tree/),
  tampered('the LimitRange removed and one without max added', ns => {
    ns.node.tryRemoveChild('LimitRange');
    new ApiObject(ns, 'loose', {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'loose' },
      spec: { limits: [{ type: 'Container', default: { cpu: '1', memory: '1Gi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }] },
    });
  }, /limitRange: the LimitRange 'limit-range' of namespace 'shop' was removed from the construct tree/),
  tampered('the ResourceQuota\'s hard limits raised by a JSON patch', ns => {
    ns.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/requests.cpu/value', '1000'));
    ns.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/pods', { value: '10000' }));
  }, /quota: ResourceQuota 'resource-quota' of namespace 'shop' writes spec.hard\['requests.cpu'\] "1000", not at most the \S+ that NamespaceQuota.of\(\) gave it/),
  tampered('the LimitRange max removed by a JSON patch', ns => ns.limitRange.addJsonPatch(JsonPatch.remove('/spec/limits/0/max')),
    /containerMaximum: LimitRange 'limit-range' of namespace 'shop' writes max.cpu unset, not at most the declared/),
  tampered('a LoadBalancer Service where the quota allows none', ns => new ApiObject(ns, 'lb', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'public', annotations: { 'cdk8s-hardened.io/load-balancer-reason': 'MQTT devices connect over raw TCP from the internet' } },
    spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, selector: { app: 'mqtt' }, ports: [{ port: 1883 }] },
  }), /allowedLoadBalancers: Service 'public' \(shop\/lb\) is of type LoadBalancer but namespace 'shop' allows no LoadBalancer Services/),
  tampered('a NodePort Service (service-node-port exempted) where the quota allows none', ns => Exemptions.of(new ApiObject(ns, 'np', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'debug' },
    spec: { type: 'NodePort', selector: { app: 'debug' }, ports: [{ port: 8080 }] },
  })).add({ control: Controls.SERVICE_NODE_PORT, reason: 'bare-metal operators reach the debug endpoint through node addresses' }), /allowedNodePorts: Service 'debug' \(shop\/np\) is of type NodePort but namespace 'shop' allows no node ports/),
]);
