import { ApiObject, JsonPatch } from 'cdk8s';
import { catalogue } from './harness';
import { HardenedDeployment } from '../../../src';

const DIGEST_IMAGE = 'registry.example.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

function policy(name: string, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec };
}

const WEB = { matchLabels: { app: 'web' } };

// Issue: NetworkPolicy opened wide. A rule admitting every peer on every port, wherever it hides.
catalogue('5. NetworkPolicy opened wide', [
  {
    name: 'ingress: [{}] on a select-all policy (no Namespace object in the app)',
    objects: [policy('allow-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] })],
    expect: /network-policy-allow-all: NetworkPolicy shop\/allow-all \/spec\/ingress\/0: .*no from \(every peer\) and no ports/,
  },
  {
    name: 'egress: [{}] on a policy selecting pods with DoesNotExist',
    objects: [policy('egress-open', {
      podSelector: { matchExpressions: [{ key: 'quarantine', operator: 'DoesNotExist' }] },
      policyTypes: ['Egress'],
      egress: [{}],
    })],
    expect: /network-policy-allow-all: NetworkPolicy shop\/egress-open \/spec\/egress\/0/,
  },
  {
    name: 'a rule with ports: [] and to: []',
    objects: [policy('empty-lists', { podSelector: WEB, policyTypes: ['Egress'], egress: [{ to: [], ports: [] }] })],
    expect: /network-policy-allow-all: .*\/spec\/egress\/0: .*to \[\] \(every peer\) and ports \[\]/,
  },
  {
    name: 'from ipBlock 0.0.0.0/0 on every port',
    objects: [policy('internet-in', { podSelector: WEB, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })],
    expect: /network-policy-allow-all: .*\/spec\/ingress\/0\/from\/0: .*every IPv4 address/,
  },
  {
    name: 'to ipBlock ::/0 on every port',
    objects: [policy('v6-out', { podSelector: WEB, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0' } }] }] })],
    expect: /network-policy-allow-all: .*\/spec\/egress\/0\/to\/0: .*every IPv6 address/,
  },
  {
    name: 'a /0 written with host bits (10.0.0.0/0 is every address)',
    objects: [policy('host-bits', { podSelector: WEB, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/0' } }] }] })],
    expect: /network-policy-allow-all: .*every IPv4 address/,
  },
  {
    name: '0.0.0.0/1 and 128.0.0.0/1 in one rule',
    objects: [policy('halves', {
      podSelector: WEB,
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/1' } }, { ipBlock: { cidr: '128.0.0.0/1' } }] }],
    })],
    expect: /network-policy-allow-all: .*\/spec\/egress: .*together cover every IPv4 address/,
  },
  {
    name: '0.0.0.0/1 and 128.0.0.0/1 split over two rules',
    objects: [policy('split-halves', {
      podSelector: WEB,
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/1' } }] }, { to: [{ ipBlock: { cidr: '128.0.0.0/1' } }] }],
    })],
    expect: /network-policy-allow-all: .*rules \[0\], \[1\] together cover every IPv4 address/,
  },
  {
    name: 'every pod of every namespace (namespaceSelector {})',
    objects: [policy('cluster-wide', { podSelector: WEB, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    expect: /network-policy-allow-all: .*\/spec\/ingress\/0\/from\/0: .*every pod of every namespace/,
  },
  {
    name: 'every namespace through an exclusion (namespaceSelector DoesNotExist)',
    objects: [policy('exclusion', {
      podSelector: WEB,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'nothing-has-this', operator: 'DoesNotExist' }] }, podSelector: {} }] }],
    })],
    expect: /network-policy-allow-all: .*every pod of every namespace/,
  },
  {
    name: 'every address on a port range 1-65535',
    objects: [policy('range', {
      podSelector: WEB,
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 1, endPort: 65535 }] }],
    })],
    expect: /network-policy-allow-all: .*ports covering every TCP port/,
  },
  {
    name: 'a HardenedDeployment\'s own NetworkPolicy opened by a JSON patch',
    guard: chart => {
      const web = new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
      ApiObject.of(web.node.findChild('NetworkPolicy')).addJsonPatch(JsonPatch.add('/spec/ingress/-', {}));
    },
    protect: false,
    only: 'guard',
    expect: /network-policy-allow-all: NetworkPolicy shop\/.* \/spec\/ingress\/0: .*no from \(every peer\)/,
  },
]);
