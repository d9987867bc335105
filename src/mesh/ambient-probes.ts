import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { kubernetesSchema } from '../controls/core/kubernetes-schema-data';
import { isObject, POD_RUNNING_KINDS, podsOf } from '../controls/core/pod-template';
import { jsonByNamespace } from '../namespaces/workload-usage';

// Ambient mode gives kubelet's health probes the address 169.254.7.127 (SNAT), which the namespace's default-deny
// NetworkPolicies would refuse. The rule admitting that address is narrowed to the ports the namespace's probes use:
// read from the final JSON of every object that can hold a pod template (hardened or not), so no probe is cut off and
// no other port is opened to that address.

/** Memo key: the serialized objects that may hold pod templates, once per `App.synth()`. */
const POD_HOLDER_JSON = Symbol('cdk8s-hardened.pod-holder-json');

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'];

/** Kinds the API serves that hold no pod template (so not serialized here: a NetworkPolicy's own rule reads this). */
let builtInKinds: Set<string> | undefined;
function holdsNoPodTemplate(kind: string): boolean {
  builtInKinds ??= new Set(Object.keys(kubernetesSchema().kinds).map(key => key.slice(key.lastIndexOf('/') + 1)));
  return POD_RUNNING_KINDS[kind] === undefined && kind !== 'PodTemplate' && builtInKinds.has(kind);
}

/**
 * The ports the probes of every pod template in `namespace` name (httpGet, tcpSocket and grpc, of every container and
 * init container), numbers first, then names, each once. A named port stays a name: a NetworkPolicy resolves it on
 * each pod, as kubelet does.
 */
export function probePortsIn(root: IConstruct, namespace: string): Array<number | string> {
  const numbers = new Set<number>();
  const names = new Set<string>();
  for (const { json } of jsonByNamespace(root, POD_HOLDER_JSON, kind => !holdsNoPodTemplate(kind)).get(namespace) ?? []) {
    for (const pod of podsOf(json)) {
      for (const list of [pod.spec.containers, pod.spec.initContainers]) {
        for (const container of Array.isArray(list) ? list : []) {
          for (const probe of PROBES.map(p => (isObject(container) ? container[p] : undefined))) {
            for (const port of [probe?.httpGet?.port, probe?.tcpSocket?.port, probe?.grpc?.port]) {
              if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) numbers.add(port);
              else if (typeof port === 'string' && port !== '') names.add(port);
            }
          }
        }
      }
    }
  }
  return [...[...numbers].sort((a, b) => a - b), ...[...names].sort()];
}

/**
 * The ingress rules admitting kubelet probes in ambient mode: from `source` on the namespace's probe ports, or none
 * when no probe names a port (an empty port list would admit every port).
 */
export function ambientProbeRules(root: IConstruct, namespace: string, source: string): kplus.k8s.NetworkPolicyIngressRule[] {
  const ports = probePortsIn(root, namespace);
  if (ports.length === 0) return [];
  return [{
    from: [{ ipBlock: { cidr: source } }],
    ports: ports.map(port => ({
      protocol: 'TCP',
      port: typeof port === 'number' ? kplus.k8s.IntOrString.fromNumber(port) : kplus.k8s.IntOrString.fromString(port),
    })),
  }];
}
