import * as kplus from 'cdk8s-plus-27';
import { NetworkPeer } from './network-peer';
import { WorkloadConnections } from './workload-connections';

/**
 * The `connections` of a hardened workload: cdk8s-plus-27's API, compiled like `allowFrom` / `allowTo`.
 *
 * cdk8s-plus-27's own implementation creates a separate NetworkPolicy per call and per side, writes policies into
 * namespaces the app does not manage (an egress policy in `ingress-nginx` isolates the ingress controller's
 * egress), forgets DNS on the egress policies it creates, derives every port as TCP, and selects a peer without a
 * namespace by its pod labels only, which then means "in the policy's namespace". Here the rules land on the
 * workloads' own policies instead (internal: not part of the jsii API; the property keeps its cdk8s-plus type).
 */
export class HardenedPodConnections extends kplus.PodConnections {
  /** Same options as cdk8s-plus: `isolation` POD opens only this side, PEER only the peer's. */
  public allowTo(peer: kplus.INetworkPolicyPeer, options: kplus.PodConnectionsAllowToOptions = {}): void {
    this.compile('Egress', peer, this.checked('allowTo', options));
  }

  /** Same options as cdk8s-plus: `isolation` POD opens only this side, PEER only the peer's. */
  public allowFrom(peer: kplus.INetworkPolicyPeer, options: kplus.PodConnectionsAllowFromOptions = {}): void {
    this.compile('Ingress', peer, this.checked('allowFrom', options));
  }

  /** Options as given, or an error naming the workload and the call (plain JavaScript callers can pass anything). */
  private checked<T extends object>(verb: string, options: T): T {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new Error(`[${this.instance.node.path}] connections.${verb}: options ${JSON.stringify(options) ?? String(options)} is not an object; `
        + 'give { ports?, isolation? }, or leave it out');
    }
    return options;
  }

  private compile(direction: 'Ingress' | 'Egress', peer: kplus.INetworkPolicyPeer,
    { isolation, ports }: { isolation?: kplus.PodConnectionsIsolation; ports?: kplus.NetworkPolicyPort[] }): void {
    const ownSide = isolation === undefined || isolation === kplus.PodConnectionsIsolation.POD;
    const peerSide = isolation === undefined || isolation === kplus.PodConnectionsIsolation.PEER;
    WorkloadConnections.of(this.instance)._allow(direction, NetworkPeer.fromPolicyPeer(peer), ports, ownSide, peerSide);
  }
}
