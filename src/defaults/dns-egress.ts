import * as kplus from 'cdk8s-plus-27';
import { HardenedDefaults } from './hardened-defaults';

/**
 * The egress rule that lets pods resolve names: UDP and TCP 53 to the cluster DNS pods. Shared by the workloads'
 * own NetworkPolicies and IsolatedNamespace's DNS allowance (a module function: not part of the jsii API).
 */
export function dnsEgressRule(): kplus.k8s.NetworkPolicyEgressRule {
  return {
    // One peer with both selectors: kube-dns pods AND in kube-system (two peers would mean OR).
    to: [{
      namespaceSelector: { matchLabels: { ...HardenedDefaults.DNS_NAMESPACE_LABELS } },
      podSelector: { matchLabels: { ...HardenedDefaults.DNS_POD_LABELS } },
    }],
    ports: ['UDP', 'TCP'].map(protocol => ({ protocol, port: kplus.k8s.IntOrString.fromNumber(HardenedDefaults.DNS_PORT) })),
  };
}
