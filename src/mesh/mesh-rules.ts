import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { Mesh } from './mesh';
import { podOf } from '../controls/core/pod-template';
import { dataPlaneOf } from '../network/mesh-data-plane';
import { NetworkPeer } from '../network/network-peer';
import { WorkloadConnections } from '../network/workload-connections';

/* Internal: a workload's declared ingress compiled to Istio authorization (not part of the jsii API). */

/** Pod labels / annotations by which a pod leaves the mesh its namespace is in. */
export const SIDECAR_INJECT_LABEL = 'sidecar.istio.io/inject';
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** What a source outside the mesh is: no mTLS, so no principal (`*` matches any non-empty principal). */
export const PLAINTEXT_SOURCE = { notPrincipals: ['*'] };
/** A port range wider than this is refused: AuthorizationPolicy ports are single numbers. */
const MAX_RANGE = 64;

/** One ALLOW rule of an AuthorizationPolicy. */
export interface AuthorizationRule {
  readonly from: Array<{ readonly source: Record<string, string[]> }>;
  readonly to: Array<{ readonly operation: { readonly ports: string[] } }>;
}

/** What a target workload's declared ingress compiles to. */
export interface TargetAuthorization {
  /** ALLOW rules, one per source (ports united), sorted. */
  readonly rules: AuthorizationRule[];
  /** Ports declared reachable from outside the mesh: PERMISSIVE at port level. */
  readonly permissivePorts: number[];
  /** Bad declarations, one line each (the construct path, the declaration, what is wrong, the fix). */
  readonly errors: string[];
}

/** Compiles the declared ingress of `target` (a workload of a meshed namespace) to ALLOW rules. */
export function compileTarget(mesh: Mesh, target: kplus.AbstractPod): TargetAuthorization {
  const errors: string[] = [];
  const root = target.node.root;
  const namespace = target.metadata.namespace!;
  const outside = leavesMesh(target);
  if (outside) {
    errors.push(`[${target.node.path}] mesh: the workload is a target of declared connections but is outside the mesh (${outside}), `
      + `so namespace '${namespace}''s AuthorizationPolicies would not apply to it while its NetworkPolicy does; remove that setting, `
      + 'or move the workload to a namespace without mesh');
  }
  const bySource = new Map<string, { source: Record<string, string[]>; ports: Set<number> }>();
  const permissive = new Set<number>();
  for (const declared of WorkloadConnections.of(target)._declaredIngress()) {
    const ports = tcpPorts(target, declared.ports, declared.origin, errors);
    if (ports.length === 0) continue; // UDP and SCTP only: Istio does not intercept them, the NetworkPolicy decides alone.
    for (const { source, plaintext } of sourcesOf(mesh, root, namespace, declared.peer, declared.origin, errors)) {
      const key = JSON.stringify(source);
      const entry = bySource.get(key) ?? { source, ports: new Set<number>() };
      ports.forEach(p => entry.ports.add(p));
      bySource.set(key, entry);
      if (plaintext) ports.forEach(p => permissive.add(p));
    }
  }
  // Principals of one set of ports share a rule; other sources keep their own.
  const principalsByPorts = new Map<string, { principals: Set<string>; ports: number[] }>();
  const rules: AuthorizationRule[] = [];
  for (const { source, ports } of bySource.values()) {
    const sorted = [...ports].sort((a, b) => a - b);
    if (Object.keys(source).length === 1 && source.principals) {
      const key = sorted.join(',');
      const entry = principalsByPorts.get(key) ?? { principals: new Set<string>(), ports: sorted };
      source.principals.forEach(p => entry.principals.add(p));
      principalsByPorts.set(key, entry);
    } else {
      rules.push(rule(source, sorted));
    }
  }
  for (const { principals, ports } of principalsByPorts.values()) rules.push(rule({ principals: [...principals].sort() }, ports));
  rules.sort((a, b) => compare(JSON.stringify(a), JSON.stringify(b)));
  return { rules, permissivePorts: [...permissive].sort((a, b) => a - b), errors };
}

/** Why a workload's pods are outside the mesh of their namespace (opt-out label or annotation, host network), or undefined. */
export function leavesMesh(workload: kplus.AbstractPod): string | undefined {
  const labels = workload.podMetadata;
  if (labels.getLabel(SIDECAR_INJECT_LABEL) === 'false' || labels.toJson().annotations?.[SIDECAR_INJECT_LABEL] === 'false') {
    return `pod template ${SIDECAR_INJECT_LABEL}: "false"`;
  }
  if (labels.getLabel(DATAPLANE_MODE_LABEL) === 'none') return `pod template label ${DATAPLANE_MODE_LABEL}: none`;
  if ((workload as { hostNetwork?: boolean }).hostNetwork === true) return 'hostNetwork: true, which the mesh never captures';
  return undefined;
}

/** The source entries of a peer, each with whether it is outside the mesh (plain text). */
function sourcesOf(mesh: Mesh, root: any, namespace: string, peer: NetworkPeer, origin: string, errors: string[]):
Array<{ source: Record<string, string[]>; plaintext: boolean }> {
  const spec = peer._spec;
  switch (spec.kind) {
    case 'workload': {
      const principal = principalOfWorkload(mesh, spec.workload, origin, errors);
      return principal ? [{ source: { principals: [principal] }, plaintext: false }] : [];
    }
    case 'sameNamespace':
      // Every pod of the declaring workload's namespace (meshed: this one), by the namespace of its identity.
      return [{ source: { namespaces: [namespace] }, plaintext: false }];
    case 'ipBlock':
      return [{
        source: { ipBlocks: [spec.cidr], ...(spec.except.length > 0 ? { notIpBlocks: [...spec.except] } : {}), ...PLAINTEXT_SOURCE },
        plaintext: true,
      }];
    case 'pods':
      return spec.namespaces.flatMap((entry): Array<{ source: Record<string, string[]>; plaintext: boolean }> => {
        const name = entry === undefined ? namespace : entry.name;
        if (name === undefined) {
          errors.push(`${origin}: mesh: the peer selects namespaces by labels, which name no identity the mesh can admit; select the `
            + 'namespace by name: NetworkPeer.inNamespace(name, { podLabels, serviceAccountName })');
          return [];
        }
        if (spec.serviceAccountName === 'default') {
          errors.push(`${origin}: mesh: the peer names ServiceAccount 'default' of namespace '${name}', the identity of every pod there `
            + 'without an account of its own, so admitting it would admit them all; name the peer\'s own ServiceAccount');
          return [];
        }
        if (spec.serviceAccountName !== undefined) {
          return [{ source: { principals: [mesh.principalOf(name, spec.serviceAccountName)] }, plaintext: false }];
        }
        if (dataPlaneOf(root, name) !== undefined) {
          if (!spec.podSelector) return [{ source: { namespaces: [name] }, plaintext: false }];
          errors.push(`${origin}: mesh: the peer's pods are in namespace '${name}', which is in the mesh, so they connect with an identity `
            + 'that labels do not name; declare the workload itself (NetworkPeer.workload(w)), or name its ServiceAccount: '
            + `NetworkPeer.inNamespace('${name}', { podLabels, serviceAccountName })`);
          return [];
        }
        // Pods of a namespace the app does not mesh (an ingress controller, say): plain text on the declared ports only.
        return [{ source: { ...PLAINTEXT_SOURCE }, plaintext: true }];
      });
  }
}

/** The principal of a workload of the app, or an error when it has no identity of its own in the mesh. */
function principalOfWorkload(mesh: Mesh, source: kplus.AbstractPod, origin: string, errors: string[]): string | undefined {
  const namespace = source.metadata.namespace;
  const where = `${origin}: mesh: the peer ${source.node.path}`;
  if (dataPlaneOf(source.node.root, namespace) === undefined) {
    errors.push(`${where} is in namespace '${namespace ?? 'default'}', which is not in the mesh, so its traffic carries no identity `
      + 'and STRICT mTLS refuses it; give that IsolatedNamespace the same mesh prop, or declare the peer as outside the mesh '
      + '(NetworkPeer.inNamespace(name, { podLabels }))');
    return undefined;
  }
  const outside = leavesMesh(source);
  if (outside) {
    errors.push(`${where} is outside the mesh (${outside}), so its traffic carries no identity and STRICT mTLS refuses it; remove that `
      + 'setting');
    return undefined;
  }
  const account = source.serviceAccount?.name;
  if (account === undefined || account === 'default') {
    errors.push(`${where} runs as namespace '${namespace}''s default ServiceAccount, an identity every pod without an account shares, `
      + 'so admitting it would admit them all; give the workload a ServiceAccount of its own (a Hardened workload creates one, or '
      + 'serviceAccount: new LeastPrivilegeServiceAccount(...))');
    return undefined;
  }
  const sharing = source.node.root.node.findAll().filter((c): c is kplus.AbstractPod => c instanceof kplus.AbstractPod && c !== source
    && c.metadata.namespace === namespace && c.serviceAccount?.name === account);
  if (sharing.length > 0) {
    errors.push(`${where} shares ServiceAccount '${account}' with ${sharing.map(s => s.node.path).join(', ')}, so the mesh cannot tell `
      + 'them apart and would admit both where the NetworkPolicy admits one; give each workload a ServiceAccount of its own');
    return undefined;
  }
  return mesh.principalOf(namespace!, account);
}

/** The TCP port numbers of declared ports (named ports resolved against the target's containers, ranges expanded). */
function tcpPorts(target: kplus.AbstractPod, ports: kplus.k8s.NetworkPolicyPort[], origin: string, errors: string[]): number[] {
  const numbers: number[] = [];
  for (const port of ports) {
    if ((port.protocol ?? 'TCP') !== 'TCP') continue;
    const value = port.port?.value;
    if (typeof value === 'string') {
      const found = target.containers.flatMap(c => c.ports ?? []).filter(p => p.name === value && (p.protocol ?? 'TCP') === 'TCP');
      if (found.length === 0) {
        errors.push(`${origin}: mesh: port '${value}' names no TCP container port of ${target.node.path}, so no AuthorizationPolicy port `
          + 'can be derived; use the port number');
      }
      found.forEach(p => numbers.push(p.number));
    } else if (typeof value !== 'number') {
      errors.push(`${origin}: mesh: the declaration admits every port, which an AuthorizationPolicy would admit too; name the ports`);
    } else if (port.endPort !== undefined) {
      if (port.endPort - value + 1 > MAX_RANGE) {
        errors.push(`${origin}: mesh: port range ${value}-${port.endPort} is wider than ${MAX_RANGE} ports, and AuthorizationPolicy `
          + 'ports are single numbers; declare the ports the workload serves');
      } else {
        for (let p = value; p <= port.endPort; p++) numbers.push(p);
      }
    } else {
      numbers.push(value);
    }
  }
  return numbers;
}

function rule(source: Record<string, string[]>, ports: number[]): AuthorizationRule {
  return { from: [{ source }], to: [{ operation: { ports: ports.map(String) } }] };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The pod annotation that turns off the sidecar injector's probe rewriting. */
const REWRITE_PROBES_ANNOTATION = 'sidecar.istio.io/rewriteAppHTTPProbers';

/**
 * Workloads of a sidecar-mode namespace whose HTTP, TCP or gRPC probes the injector is told not to rewrite: the kubelet
 * would then probe the app port in plain text, which STRICT mTLS refuses (HTTP), or the sidecar would answer for the
 * app (TCP). Read from each workload's final JSON.
 */
export function unrewrittenProbes(root: IConstruct, namespace: string): string[] {
  const errors: string[] = [];
  for (const workload of root.node.findAll().filter((c): c is kplus.AbstractPod => c instanceof kplus.AbstractPod)) {
    if (workload.metadata.namespace !== namespace || workload.podMetadata.toJson().annotations?.[REWRITE_PROBES_ANNOTATION] !== 'false') continue;
    const pod = podOf(ApiObject.of(workload).toJson());
    const probed = (pod?.spec?.containers ?? []).filter((c: any) => ['livenessProbe', 'readinessProbe', 'startupProbe']
      .some(p => c?.[p]?.httpGet || c?.[p]?.tcpSocket || c?.[p]?.grpc)).map((c: any) => c.name);
    if (probed.length > 0) {
      errors.push(`[${workload.node.path}] mesh: the pod template sets ${REWRITE_PROBES_ANNOTATION}: "false" and container(s) `
        + `${probed.join(', ')} have HTTP, TCP or gRPC probes: the kubelet would probe in plain text, which STRICT mTLS refuses, or `
        + 'reach the sidecar instead of the app; remove the annotation (the sidecar then rewrites the probes), or use exec probes');
    }
  }
  return errors;
}
