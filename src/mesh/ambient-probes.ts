import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { canonicalJson } from '../controls/core/json';
import { servesKind } from '../controls/core/kubernetes-schema-data';
import { isObject, POD_RUNNING_KINDS, podsOf } from '../controls/core/pod-template';
import { jsonByNamespace, ownJson } from '../namespaces/workload-usage';

// Ambient mode gives kubelet's health probes the address 169.254.7.127 (SNAT), which the namespace's default-deny
// NetworkPolicies would refuse. The rule admitting that address is narrowed to the ports the namespace's probes use:
// read from the final JSON of every object that can hold a pod template (hardened or not), so no probe is cut off and
// no other port is opened to that address (but the rule selects every pod: a port one pod probes is open on all).

/** Memo key: the serialized objects that may hold pod templates, once per `App.synth()`. */
const POD_HOLDER_JSON = Symbol('cdk8s-hardened.pod-holder-json');

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'];

/**
 * Built-in kinds that hold no pod template (not serialized here: the NetworkPolicy holding this rule is one). By
 * apiVersion and kind, as podsOf reads them: a Knative `Service` is not a core Service.
 */
function holdsNoPodTemplate(kind: string, apiVersion: string): boolean {
  return POD_RUNNING_KINDS[kind] === undefined && kind !== 'PodTemplate' && servesKind(apiVersion, kind);
}

/**
 * The port numbers the probes of every pod template in `namespace` use (httpGet, tcpSocket and grpc, of every
 * container and init container), ascending, each once. A named port is the number its own container declares under
 * that name, as kubelet resolves it (a NetworkPolicy would resolve the name on every pod, opening ports no probe uses);
 * a name the container does not declare is left out, as kubelet fails that probe.
 */
export function probePortsIn(root: IConstruct, namespace: string): number[] {
  const numbers = new Set<number>();
  const isPort = (port: unknown): port is number => typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536;
  for (const { json } of jsonByNamespace(root, POD_HOLDER_JSON, (kind, apiVersion) => !holdsNoPodTemplate(kind, apiVersion)).get(namespace) ?? []) {
    for (const pod of podsOf(json)) {
      for (const list of [pod.spec.containers, pod.spec.initContainers]) {
        for (const container of Array.isArray(list) ? list : []) {
          for (const probe of PROBES.map(p => (isObject(container) ? container[p] : undefined))) {
            for (const port of [probe?.httpGet?.port, probe?.tcpSocket?.port, probe?.grpc?.port]) {
              if (isPort(port)) {
                numbers.add(port);
              } else if (typeof port === 'string' && port !== '') {
                const declared = (Array.isArray(container.ports) ? container.ports : []).find((p: any) => isObject(p) && p.name === port);
                if (isPort(declared?.containerPort)) numbers.add(declared.containerPort);
              }
            }
          }
        }
      }
    }
  }
  return [...numbers].sort((a, b) => a - b);
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
    ports: ports.map(port => ({ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(port) })),
  }];
}

/**
 * What is wrong with the probe policy as it will be written, when it is not the rule above: a JSON patch can drop its
 * ports (every port from that address) or add one that serializes without its number (a plain number in a patch of
 * a typed object is dropped: every port again). No control can tell such a rule from an intended one; this can.
 */
export function changedProbePolicy(policy: ApiObject, root: IConstruct, namespace: string, source: string): string[] {
  let written: any;
  try {
    written = ownJson(policy);
  } catch {
    return []; // fails synthesis on its own
  }
  const intended = ambientProbeRules(root, namespace, source)
    .map(rule => ({ from: rule.from, ports: rule.ports!.map(p => ({ protocol: p.protocol, port: p.port!.value })) }));
  const spec = written?.spec;
  if (canonicalJson({ ...spec, ingress: spec?.ingress ?? [] }) === canonicalJson({ podSelector: {}, policyTypes: ['Ingress'], ingress: intended })) {
    return [];
  }
  return [`NetworkPolicy '${written?.metadata?.name}' was changed after the mesh wrote it (a JSON patch?): its spec is `
    + `${canonicalJson(spec)}, where the mesh admits kubelet probes from ${source} on the namespace's probe ports only `
    + `(${canonicalJson(intended)}); remove the change (probe ports follow the pods' probes by themselves)`];
}
