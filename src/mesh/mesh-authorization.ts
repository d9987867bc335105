import { ApiObject, Chart, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ambientProbeRules, changedProbePolicy } from './ambient-probes';
import { Mesh, MeshMode } from './mesh';
import { compileTarget, TargetAuthorization, unrewrittenProbes } from './mesh-rules';
import { bypassedTargetPorts, rawObjectsSharingSourceAccounts } from './mesh-target-checks';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { describeValue } from '../defaults/kubernetes-validation';
import { Guard } from '../guard/guard';
import { dataPlaneOf, markMeshed } from '../network/mesh-data-plane';
import { NetworkPeer } from '../network/network-peer';
import { WorkloadConnections } from '../network/workload-connections';

/** Props of a MeshAuthorization. */
export interface MeshAuthorizationProps {
  /**
   * The mesh that authorizes the namespace's declared connections.
   * @default Mesh.istio() - sidecar mode, trust domain cluster.local
   */
  readonly mesh?: Mesh;
}

/** Istio's API group and version of AuthorizationPolicy and PeerAuthentication. */
const ISTIO_SECURITY = 'security.istio.io/v1';
/** The address ambient mode gives kubelet health probes (SNAT), which NetworkPolicies must admit. */
export const AMBIENT_PROBE_SOURCE = '169.254.7.127/32';

/**
 * The declared connections of a namespace's workloads, authorized by the mesh too (Istio, `security.istio.io/v1`).
 *
 * It labels the namespace into the mesh and renders: a PeerAuthentication `default` with `mtls.mode: STRICT`; an
 * AuthorizationPolicy `allow-nothing` (empty spec: every workload of the namespace refuses what no ALLOW rule
 * admits); and, for each workload with declared ingress, an AuthorizationPolicy selecting its pods (the same labels
 * as its NetworkPolicy) with one ALLOW rule per source: the principal `<trust domain>/ns/<ns>/sa/<account>` of a
 * source workload's ServiceAccount, on the ports its NetworkPolicy admits. Peers outside the mesh (pods of a
 * namespace the app does not mesh, addresses outside the cluster) are admitted in plain text (no principal) on their
 * declared ports only, which a workload-level PeerAuthentication makes PERMISSIVE (`portLevelMtls`); the NetworkPolicy
 * still narrows who reaches those ports. In ambient mode, NetworkPolicies between meshed workloads also admit HBONE
 * (TCP 15008), and a NetworkPolicy admits kubelet probes from the address ambient mode gives them, on the ports the
 * namespace's probes use.
 *
 * Created by an IsolatedNamespace with the `mesh` prop; the scope must be a Chart with a namespace whose Namespace
 * object it holds. See docs/mesh.md.
 */
export class MeshAuthorization extends Construct {
  /** The mesh. */
  public readonly mesh: Mesh;
  /** The namespace whose connections are authorized. */
  public readonly namespaceName: string;
  /** PeerAuthentication `default`: STRICT mTLS for the namespace. */
  public readonly peerAuthentication: ApiObject;
  /** AuthorizationPolicy `allow-nothing`: what no ALLOW rule admits is refused. */
  public readonly allowNothingPolicy: ApiObject;
  /**
   * Ambient mode: the NetworkPolicy admitting kubelet probes from their SNAT address, on the ports the namespace's
   * probes use (undefined in sidecar mode).
   */
  public readonly ambientProbePolicy?: kplus.k8s.KubeNetworkPolicy;

  private readonly targets = new Map<kplus.AbstractPod, { permissive?: ApiObject }>();
  private readonly labels = { 'app.kubernetes.io/managed-by': HardenedDefaults.MANAGED_BY };

  constructor(scope: Construct, id: string, props: MeshAuthorizationProps = {}) {
    super(scope, id);
    const path = this.node.path;
    if (props === null || typeof props !== 'object' || Array.isArray(props)) {
      throw new Error(`[${path}] props ${describeValue(props)} is not an options object; pass { mesh: Mesh.istio() }, or leave it out`);
    }
    const mesh = props.mesh ?? Mesh.istio();
    if (!(mesh instanceof Mesh)) {
      throw new Error(`[${path}] mesh: ${describeValue(mesh)} is not a Mesh; use Mesh.istio({ mode, trustDomain }), or leave it out`);
    }
    this.mesh = mesh;
    const chart = Chart.of(this);
    const namespace = chart.namespace;
    if (namespace === undefined) {
      throw new Error(`[${path}] the chart ${chart.node.path} names no namespace, and a mesh authorizes one namespace; create the `
        + 'authorization in an IsolatedNamespace (prop mesh)');
    }
    this.namespaceName = namespace;
    const root = this.node.root;
    if (dataPlaneOf(root, namespace) !== undefined) {
      throw new Error(`[${path}] namespace '${namespace}' already has a mesh authorization in this app; give the mesh prop once`);
    }
    const namespaceObject = chart.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Namespace'
      && c.metadata.name === namespace);
    if (!namespaceObject) {
      throw new Error(`[${path}] chart ${chart.node.path} holds no Namespace object '${namespace}' to label into the mesh; `
        + 'use an IsolatedNamespace with the mesh prop');
    }
    namespaceObject.metadata.addLabel(mesh.mode.namespaceLabel, mesh.mode.namespaceLabelValue);
    markMeshed(root, namespace, mesh.mode.value === 'ambient' ? 'ambient' : 'sidecar');

    const labels = this.labels;
    this.peerAuthentication = new ApiObject(this, 'PeerAuthentication', {
      apiVersion: ISTIO_SECURITY,
      kind: 'PeerAuthentication',
      metadata: { name: 'default', labels },
      spec: { mtls: { mode: 'STRICT' } },
    });
    this.allowNothingPolicy = new ApiObject(this, 'AllowNothing', {
      apiVersion: ISTIO_SECURITY,
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow-nothing', labels },
      spec: {},
    });
    if (mesh.mode.value === 'ambient') {
      // Ambient mode sends kubelet probes from this link-local address (SNAT); without this rule every probe fails.
      // Admitted on the ports the namespace's probes use, read at synthesis (workloads added later included).
      this.ambientProbePolicy = new kplus.k8s.KubeNetworkPolicy(this, 'AllowAmbientProbes', {
        metadata: { name: 'allow-ambient-health-probes', labels },
        spec: {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: Lazy.any({ produce: () => ambientProbeRules(root, namespace, AMBIENT_PROBE_SOURCE) }) as any,
        },
      });
    }

    // Workloads that already have ingress, then every one that gets some later.
    for (const workload of root.node.findAll().filter((c): c is kplus.AbstractPod => c instanceof kplus.AbstractPod)) {
      for (const peer of WorkloadConnections.of(workload)._ingressPeers()) this.observe(workload, peer);
    }
    WorkloadConnections._observeIngress(root, (workload, peer) => this.observe(workload, peer));
    this.node.addValidation({
      validate: () => [
        ...[...this.targets.keys()].flatMap(t => {
          const compiled = compileTarget(this.mesh, t);
          return [...compiled.errors, ...bypassedTargetPorts(this.mesh, t, compiled), ...rawObjectsSharingSourceAccounts(t)];
        }),
        ...(mesh.mode === MeshMode.SIDECAR ? unrewrittenProbes(root, namespace) : []),
        ...(this.ambientProbePolicy ? changedProbePolicy(this.ambientProbePolicy, root, namespace, AMBIENT_PROBE_SOURCE) : []),
      ],
    });
    Guard.protect(this);
  }

  /** Renders the authorization of a workload of this namespace that got an ingress allowance from `peer`. */
  private observe(workload: kplus.AbstractPod, peer: NetworkPeer): void {
    if (workload.metadata.namespace !== this.namespaceName) return;
    let target = this.targets.get(workload);
    if (!target) {
      target = {};
      this.targets.set(workload, target);
      new ApiObject(workload, 'AuthorizationPolicy', {
        apiVersion: ISTIO_SECURITY,
        kind: 'AuthorizationPolicy',
        metadata: { namespace: this.namespaceName, labels: this.labels },
        spec: {
          selector: { matchLabels: Lazy.any({ produce: () => WorkloadConnections._podSelectorOf(workload) }) },
          action: 'ALLOW',
          rules: Lazy.any({ produce: () => this.compiled(workload).rules }),
        },
      });
    }
    const spec = peer._spec;
    const outsideMesh = spec.kind === 'ipBlock' || (spec.kind === 'pods' && spec.serviceAccountName === undefined);
    if (outsideMesh && !target.permissive) {
      // Outside-mesh peers speak plain text: accepted on their declared ports only (the namespace default stays STRICT).
      target.permissive = new ApiObject(workload, 'PeerAuthentication', {
        apiVersion: ISTIO_SECURITY,
        kind: 'PeerAuthentication',
        metadata: { namespace: this.namespaceName, labels: this.labels },
        spec: {
          selector: { matchLabels: Lazy.any({ produce: () => WorkloadConnections._podSelectorOf(workload) }) },
          mtls: { mode: 'STRICT' },
          portLevelMtls: Lazy.any({
            produce: () => {
              const ports = this.compiled(workload).permissivePorts;
              return ports.length > 0 ? Object.fromEntries(ports.map(p => [String(p), { mode: 'PERMISSIVE' }])) : undefined;
            },
          }),
        },
      });
    }
  }

  /** The target's rules; errors were reported by validation, and fail serialization if it was skipped. */
  private compiled(workload: kplus.AbstractPod): TargetAuthorization {
    const result = compileTarget(this.mesh, workload);
    if (result.errors.length > 0) throw new Error(result.errors.join('\n'));
    return result;
  }
}
