import { describeValue } from '../defaults/kubernetes-validation';

/** How the mesh captures a namespace's traffic. */
export class MeshMode {
  /**
   * An Envoy sidecar injected into every pod (namespace label `istio-injection=enabled`). Needs the Istio CNI plugin
   * under the restricted Pod Security Standard: without it the injected `istio-init` container asks for NET_ADMIN and
   * NET_RAW, which the namespace refuses.
   */
  public static readonly SIDECAR = new MeshMode('sidecar', 'istio-injection', 'enabled');

  /**
   * Istio ambient mode (namespace label `istio.io/dataplane-mode=ambient`): the node's ztunnel carries the pods'
   * traffic over HBONE (TCP 15008), which the NetworkPolicies then admit between meshed workloads.
   */
  public static readonly AMBIENT = new MeshMode('ambient', 'istio.io/dataplane-mode', 'ambient');

  /** `sidecar` or `ambient`. */
  public readonly value: string;
  /** The namespace label that puts the namespace's pods in the mesh. */
  public readonly namespaceLabel: string;
  /** Its value. */
  public readonly namespaceLabelValue: string;

  private constructor(value: string, namespaceLabel: string, namespaceLabelValue: string) {
    this.value = value;
    this.namespaceLabel = namespaceLabel;
    this.namespaceLabelValue = namespaceLabelValue;
  }
}

/** Options of `Mesh.istio`. */
export interface IstioMeshProps {
  /**
   * How pods join the mesh.
   * @default MeshMode.SIDECAR
   */
  readonly mode?: MeshMode;

  /**
   * The mesh's trust domain (Istio `meshConfig.trustDomain`): the first part of every workload principal,
   * `<trustDomain>/ns/<namespace>/sa/<account>`.
   * @default Mesh.DEFAULT_TRUST_DOMAIN ('cluster.local')
   */
  readonly trustDomain?: string;
}

/** SPIFFE trust domain characters: lowercase letters, digits, '.', '-' and '_'. */
const TRUST_DOMAIN = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;

/**
 * A service mesh that authorizes the declared connections by workload identity, in addition to the NetworkPolicies.
 * Give it to an IsolatedNamespace (`mesh: Mesh.istio()`): see MeshAuthorization for what is rendered.
 */
export class Mesh {
  /** Istio's default trust domain. */
  public static readonly DEFAULT_TRUST_DOMAIN = 'cluster.local';

  /** Istio (`security.istio.io/v1` AuthorizationPolicy and PeerAuthentication). */
  public static istio(props: IstioMeshProps = {}): Mesh {
    if (props === null || typeof props !== 'object' || Array.isArray(props)) {
      throw new Error(`Mesh.istio: props ${describeValue(props)} is not an options object; pass e.g. { mode: MeshMode.AMBIENT }, or leave it out`);
    }
    const mode = props.mode ?? MeshMode.SIDECAR;
    if (!(mode instanceof MeshMode)) {
      throw new Error(`Mesh.istio: mode ${describeValue(mode)} is not a MeshMode; use MeshMode.SIDECAR or MeshMode.AMBIENT, or leave it out`);
    }
    const trustDomain = props.trustDomain ?? Mesh.DEFAULT_TRUST_DOMAIN;
    if (typeof trustDomain !== 'string' || trustDomain.length > 255 || !TRUST_DOMAIN.test(trustDomain)) {
      throw new Error(`Mesh.istio: trustDomain ${describeValue(trustDomain)} is not a trust domain; use the mesh's meshConfig.trustDomain `
        + `(lowercase letters, digits, '.', '-' and '_', no '/' or '*'), e.g. '${Mesh.DEFAULT_TRUST_DOMAIN}', or leave it out`);
    }
    return new Mesh(mode, trustDomain);
  }

  /** How pods join the mesh. */
  public readonly mode: MeshMode;
  /** The trust domain of the workload principals. */
  public readonly trustDomain: string;

  private constructor(mode: MeshMode, trustDomain: string) {
    this.mode = mode;
    this.trustDomain = trustDomain;
  }

  /** The principal of pods running as `serviceAccount` in `namespaceName`: `<trustDomain>/ns/<namespace>/sa/<account>`. */
  public principalOf(namespaceName: string, serviceAccount: string): string {
    return `${this.trustDomain}/ns/${namespaceName}/sa/${serviceAccount}`;
  }
}
