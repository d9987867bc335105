import * as kplus from 'cdk8s-plus-27';
import { Endpoint, Reachability } from '../../src';

const UDP = { protocol: kplus.NetworkProtocol.UDP };
const SCTP = { protocol: kplus.NetworkProtocol.SCTP };

// ---------------------------------------------------------------------------------------------------------------
// Hand-written manifests

function deployment(name: string, namespace: string | undefined, labels: Record<string, string>, ports: any[] = [{ containerPort: 8080 }]): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'x:1', ports }] } },
    },
  };
}

function cronJob(name: string, namespace: string, labels: Record<string, string>): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace },
    spec: {
      schedule: '0 0 * * *',
      jobTemplate: { spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'x:1' }] } } } },
    },
  };
}

function policy(name: string, namespace: string | undefined, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, ...(namespace ? { namespace } : {}) }, spec };
}

function namespaceObject(name: string, labels: Record<string, string> = {}): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

const denyAll = (ns: string) => policy('deny-all', ns, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const allowAllEgress = (ns: string) => policy('allow-all-egress', ns, { podSelector: {}, policyTypes: ['Egress'], egress: [{}] });

const web = Endpoint.workload('Deployment', 'web', 'shop');
const api = Endpoint.workload('Deployment', 'api', 'shop');
const other = Endpoint.workload('Deployment', 'other', 'other');

/** web and api in `shop`, other in `other`, plus the given objects. */
function app(...objects: any[]): any[] {
  return [
    deployment('web', 'shop', { app: 'web', tier: 'front' }),
    deployment('api', 'shop', { app: 'api', tier: 'back' }, [{ containerPort: 9000, name: 'http' }, { containerPort: 9090, name: 'metrics' }, { containerPort: 5353, protocol: 'UDP', name: 'dns' }]),
    deployment('other', 'other', { app: 'web', tier: 'front' }),
    ...objects,
  ];
}

// ---------------------------------------------------------------------------------------------------------------

describe('isolation: a pod no policy selects in a direction allows everything in that direction', () => {
  test('no policy at all: allowed, and the explanation says neither side is isolated', () => {
    const verdict = Reachability.of(app()).canConnect(web, api, 9000);
    expect(verdict.allowed).toBe(true);
    expect(verdict.egress).toMatchObject({ allowed: true, isolated: false, selectingPolicies: [] });
    expect(verdict.ingress).toMatchObject({ allowed: true, isolated: false });
    expect(verdict.explanation).toMatch(/allowed\. Egress: no NetworkPolicy selects Deployment shop\/web for Egress, so it is not isolated/);
  });

  test('a policy selecting other pods does not isolate; one selecting the pod does', () => {
    const onlyWeb = policy('web-only', 'shop', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
    const reach = Reachability.of(app(onlyWeb));
    expect(reach.canConnect(web, api, 9000).allowed).toBe(true);
    const verdict = reach.canConnect(api, web, 8080);
    expect(verdict.allowed).toBe(false);
    expect(verdict.ingress).toMatchObject({ allowed: false, isolated: true, selectingPolicies: ['shop/web-only'], allowingRules: [] });
    expect(verdict.explanation).toMatch(/denied by ingress\..*Ingress: Deployment shop\/web is isolated for Ingress by NetworkPolicy shop\/web-only, and no ingress rule admits from Deployment shop\/api on TCP 8080/);
  });

  test('matchExpressions select pods (In, NotIn, Exists, DoesNotExist)', () => {
    const expr = (e: any) => Reachability.of(app(policy('p', 'shop', { podSelector: { matchExpressions: [e] }, policyTypes: ['Ingress'] })));
    expect(expr({ key: 'app', operator: 'In', values: ['api'] }).canConnect(web, api, 9000).allowed).toBe(false);
    expect(expr({ key: 'app', operator: 'In', values: ['web'] }).canConnect(web, api, 9000).allowed).toBe(true);
    expect(expr({ key: 'app', operator: 'NotIn', values: ['web'] }).canConnect(web, api, 9000).allowed).toBe(false);
    expect(expr({ key: 'tier', operator: 'Exists' }).canConnect(web, api, 9000).allowed).toBe(false);
    expect(expr({ key: 'tier', operator: 'DoesNotExist' }).canConnect(web, api, 9000).allowed).toBe(true);
  });

  test('policies of another namespace never select the pod', () => {
    expect(Reachability.of(app(denyAll('other'))).canConnect(web, api, 9000).allowed).toBe(true);
    expect(Reachability.of(app(denyAll('other'))).canConnect(other, api, 9000).explanation).toMatch(/denied by egress/);
  });

  test('a policy without podSelector selects every pod of its namespace (the field decodes as {})', () => {
    const verdict = Reachability.of(app(policy('p', 'shop', { policyTypes: ['Ingress'] }))).canConnect(web, api, 9000);
    expect(verdict.allowed).toBe(false);
  });
});

describe('traffic needs both the source\'s egress and the target\'s ingress', () => {
  const ingressFromWeb = policy('api-from-web', 'shop', {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 9000 }] }],
  });
  const egressToApi = policy('web-to-api', 'shop', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 9000 }] }],
  });

  test('both sides allow: allowed, naming the rule of each side', () => {
    const verdict = Reachability.of(app(denyAll('shop'), ingressFromWeb, egressToApi)).canConnect(web, api, 9000);
    expect(verdict.allowed).toBe(true);
    expect(verdict.egress.allowingRules).toEqual(['NetworkPolicy shop/web-to-api egress[0]']);
    expect(verdict.ingress.allowingRules).toEqual(['NetworkPolicy shop/api-from-web ingress[0]']);
    expect(verdict.egress.selectingPolicies).toEqual(['shop/deny-all', 'shop/web-to-api']);
  });

  test('only the target\'s ingress allows: denied by egress', () => {
    const verdict = Reachability.of(app(denyAll('shop'), ingressFromWeb)).canConnect(web, api, 9000);
    expect(verdict.allowed).toBe(false);
    expect(verdict.egress.allowed).toBe(false);
    expect(verdict.ingress.allowed).toBe(true);
    expect(verdict.explanation).toMatch(/: denied by egress\./);
  });

  test('only the source\'s egress allows: denied by ingress; neither: denied by both', () => {
    expect(Reachability.of(app(denyAll('shop'), egressToApi)).canConnect(web, api, 9000).explanation).toMatch(/: denied by ingress\./);
    expect(Reachability.of(app(denyAll('shop'))).canConnect(web, api, 9000).explanation).toMatch(/: denied by egress and ingress\./);
  });

  test('policies are additive: a deny-all beside an allowing policy does not take anything away', () => {
    expect(Reachability.of(app(ingressFromWeb, denyAll('shop'), allowAllEgress('shop'))).canConnect(web, api, 9000).allowed).toBe(true);
  });
});

describe('policyTypes and their defaulting', () => {
  const rules = {
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 1 }] }],
  };

  test('explicit [Ingress]: egress rules are ignored and egress is not isolated', () => {
    const reach = Reachability.of(app(policy('p', 'shop', { ...rules, policyTypes: ['Ingress'] })));
    expect(reach.canConnect(web, api, 9000).allowed).toBe(true);
    expect(reach.canConnect(web, api, 9000).egress.isolated).toBe(false);
    expect(reach.canConnect(web, web, 8080).ingress.isolated).toBe(true);
  });

  test('absent, with egress rules: Ingress and Egress', () => {
    const reach = Reachability.of(app(policy('p', 'shop', rules)));
    expect(reach.canConnect(web, api, 9000).egress).toMatchObject({ isolated: true, allowed: false });
    expect(reach.canConnect(web, api, 1).allowed).toBe(true);
    expect(reach.canConnect(api, web, 8080).allowed).toBe(true);
    expect(reach.canConnect(other, web, 8080).allowed).toBe(false);
  });

  test('absent (or []), without egress rules: Ingress only', () => {
    for (const extra of [{}, { policyTypes: [] }]) {
      const reach = Reachability.of(app(policy('p', 'shop', { podSelector: { matchLabels: { app: 'web' } }, ...extra })));
      expect(reach.canConnect(web, api, 9000).egress.isolated).toBe(false);
      expect(reach.canConnect(api, web, 8080).ingress).toMatchObject({ isolated: true, allowed: false });
    }
  });

  test('listed with no rules: everything in that direction is denied; an empty rule admits everything', () => {
    expect(Reachability.of(app(policy('p', 'shop', { podSelector: {}, policyTypes: ['Egress'], egress: [] }))).canConnect(web, api, 9000).allowed).toBe(false);
    const open = Reachability.of(app(denyAll('shop'), policy('p', 'shop', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{ to: [], ports: [] }] })));
    expect(open.canConnect(web, api, 9000).allowed).toBe(true);
    expect(open.canConnect(web, Endpoint.external('198.51.100.7'), 443).allowed).toBe(true);
  });
});

describe('peers: podSelector, namespaceSelector, both in one peer (AND) or in two (OR)', () => {
  const ingressFrom = (from: any[]) => Reachability.of(app(
    namespaceObject('shop', { team: 'shop' }),
    namespaceObject('other', { team: 'growth' }),
    policy('p', 'shop', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from }] }),
  ));
  const otherApi = Endpoint.pod('other', { app: 'api' });

  test('podSelector alone: pods of the policy\'s own namespace only', () => {
    const reach = ingressFrom([{ podSelector: { matchLabels: { app: 'web' } } }]);
    expect(reach.canConnect(web, api, 9000).allowed).toBe(true);
    expect(reach.canConnect(other, api, 9000).allowed).toBe(false);
  });

  test('namespaceSelector alone: every pod of the selected namespaces, by kubernetes.io/metadata.name', () => {
    const reach = ingressFrom([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }]);
    expect(reach.canConnect(other, api, 9000).allowed).toBe(true);
    expect(reach.canConnect(otherApi, api, 9000).allowed).toBe(true);
    expect(reach.canConnect(web, api, 9000).allowed).toBe(false);
  });

  test('namespaceSelector by a label of the Namespace object, or of namespaceLabels for namespaces outside the app', () => {
    const reach = ingressFrom([{ namespaceSelector: { matchLabels: { team: 'growth' } } }]);
    expect(reach.canConnect(other, api, 9000).allowed).toBe(true);
    expect(reach.canConnect(web, api, 9000).allowed).toBe(false);
    const outside = Endpoint.pod('analytics', { app: 'web' });
    expect(reach.canConnect(outside, api, 9000).allowed).toBe(false);
    const manifests = app(policy('p', 'shop', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'growth' } } }] }] }));
    expect(Reachability.of(manifests, { namespaceLabels: { analytics: { team: 'growth' } } }).canConnect(outside, api, 9000).allowed).toBe(true);
    // The name label cannot be overridden: every namespace has its own.
    expect(Reachability.of(manifests, { namespaceLabels: { shop: { 'kubernetes.io/metadata.name': 'other' } } }).canConnect(web, api, 9000).allowed).toBe(false);
  });

  test('one peer with both selectors is AND: those pods of that namespace', () => {
    const reach = ingressFrom([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } }, podSelector: { matchLabels: { app: 'web' } } }]);
    expect(reach.canConnect(other, api, 9000).allowed).toBe(true);
    expect(reach.canConnect(otherApi, api, 9000).allowed).toBe(false);
    expect(reach.canConnect(web, api, 9000).allowed).toBe(false);
  });

  test('two peers are OR: every pod of that namespace, or those pods of the policy\'s namespace', () => {
    const reach = ingressFrom([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }, { podSelector: { matchLabels: { app: 'web' } } }]);
    expect(reach.canConnect(otherApi, api, 9000).allowed).toBe(true);
    expect(reach.canConnect(web, api, 9000).allowed).toBe(true);
  });

  test('namespaceSelector {} is every namespace; a peer with ipBlock and selectors, or with nothing, matches nothing', () => {
    expect(ingressFrom([{ namespaceSelector: {} }]).canConnect(Endpoint.pod('anywhere', { x: 'y' }), api, 9000).allowed).toBe(true);
    expect(ingressFrom([{ podSelector: {}, ipBlock: { cidr: '0.0.0.0/0' } }]).canConnect(web, api, 9000).allowed).toBe(false);
    expect(ingressFrom([{}]).canConnect(web, api, 9000).allowed).toBe(false);
  });
});

describe('ipBlocks with except', () => {
  const egressTo = (peer: any) => Reachability.of(app(policy('p', 'shop', {
    podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [peer], ports: [{ port: 443 }] }],
  })));
  const block = { ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } };

  test('an address in the CIDR is allowed, in except or outside it denied', () => {
    expect(egressTo(block).canConnect(web, Endpoint.external('203.0.113.10'), 443).allowed).toBe(true);
    expect(egressTo(block).canConnect(web, Endpoint.external('203.0.113.200'), 443).allowed).toBe(false);
    expect(egressTo(block).canConnect(web, Endpoint.external('198.51.100.1'), 443).allowed).toBe(false);
  });

  test('IPv6, and the families never mix', () => {
    const v6 = { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:ffff::/48'] } };
    expect(egressTo(v6).canConnect(web, Endpoint.external('2001:db8::1'), 443).allowed).toBe(true);
    expect(egressTo(v6).canConnect(web, Endpoint.external('2001:db8:ffff::1'), 443).allowed).toBe(false);
    expect(egressTo({ ipBlock: { cidr: '0.0.0.0/0' } }).canConnect(web, Endpoint.external('2001:db8::1'), 443).allowed).toBe(false);
  });

  test('ipBlocks never match pods, and selectors never match external addresses', () => {
    expect(egressTo({ ipBlock: { cidr: '0.0.0.0/0' } }).canConnect(web, api, 443).allowed).toBe(false);
    expect(egressTo({ namespaceSelector: {} }).canConnect(web, Endpoint.external('198.51.100.1'), 443).allowed).toBe(false);
  });

  test('an external source has no egress side: only the target\'s ingress counts', () => {
    const reach = Reachability.of(app(policy('p', 'shop', {
      podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
    })));
    const verdict = reach.canConnect(Endpoint.external('10.1.2.3'), api, 9000);
    expect(verdict.allowed).toBe(true);
    expect(verdict.egress.reason).toMatch(/outside the cluster/);
    expect(reach.canConnect(Endpoint.external('11.1.2.3'), api, 9000).allowed).toBe(false);
  });
});

describe('ports, ranges, protocols and named ports', () => {
  const ingressOn = (ports: any[]) => Reachability.of(app(policy('p', 'shop', {
    podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports }],
  })));

  test('a port number admits that port only; the protocol defaults to TCP', () => {
    const reach = ingressOn([{ port: 9000 }]);
    expect(reach.canConnect(web, api, 9000).allowed).toBe(true);
    expect(reach.canConnect(web, api, 9001).allowed).toBe(false);
    expect(reach.canConnect(web, api, 9000, UDP).allowed).toBe(false);
  });

  test('UDP and SCTP must be named', () => {
    expect(ingressOn([{ port: 5353, protocol: 'UDP' }]).canConnect(web, api, 5353, UDP).allowed).toBe(true);
    expect(ingressOn([{ port: 5353, protocol: 'UDP' }]).canConnect(web, api, 5353).allowed).toBe(false);
    expect(ingressOn([{ port: 3868, protocol: 'SCTP' }]).canConnect(web, api, 3868, SCTP).allowed).toBe(true);
  });

  test('endPort makes an inclusive range', () => {
    const reach = ingressOn([{ port: 9000, endPort: 9010 }]);
    expect([8999, 9000, 9005, 9010, 9011].map(p => reach.canConnect(web, api, p).allowed)).toEqual([false, true, true, true, false]);
  });

  test('an entry without a port admits every port of its protocol; no ports admit everything', () => {
    expect(ingressOn([{ protocol: 'UDP' }]).canConnect(web, api, 12345, UDP).allowed).toBe(true);
    expect(ingressOn([{ protocol: 'UDP' }]).canConnect(web, api, 12345).allowed).toBe(false);
    expect(ingressOn([]).canConnect(web, api, 12345, SCTP).allowed).toBe(true);
  });

  test('a named port resolves against the target container\'s ports: name, number and protocol', () => {
    expect(ingressOn([{ port: 'http' }]).canConnect(web, api, 9000).allowed).toBe(true);
    expect(ingressOn([{ port: 'http' }]).canConnect(web, api, 9090).allowed).toBe(false);
    expect(ingressOn([{ port: 'metrics' }]).canConnect(web, api, 9090).allowed).toBe(true);
    expect(ingressOn([{ port: 'dns', protocol: 'UDP' }]).canConnect(web, api, 5353, UDP).allowed).toBe(true);
    expect(ingressOn([{ port: 'dns' }]).canConnect(web, api, 5353, UDP).allowed).toBe(false);
    expect(ingressOn([{ port: 'nope' }]).canConnect(web, api, 9000).allowed).toBe(false);
  });

  test('in egress rules, named ports resolve against the destination pod; never for an external address', () => {
    const reach = Reachability.of(app(policy('p', 'shop', {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }],
    })));
    expect(reach.canConnect(web, api, 9000).allowed).toBe(true);
    expect(reach.canConnect(web, api, 9090).allowed).toBe(false);
    expect(reach.canConnect(web, other, 8080).allowed).toBe(false);
    expect(reach.canConnect(web, Endpoint.external('198.51.100.1'), 9000).allowed).toBe(false);
  });
});

describe('DNS and pods outside the app', () => {
  const dnsRule = {
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
  };

  test('a pod reaches DNS when its egress admits kube-dns in kube-system on UDP 53', () => {
    const reach = Reachability.of(app(denyAll('shop'), policy('dns', 'shop', { podSelector: {}, policyTypes: ['Egress'], egress: [dnsRule] })));
    expect(reach.canResolveDns(web).allowed).toBe(true);
    expect(reach.canResolveDns(web).destination).toBe('pod {k8s-app=kube-dns} in kube-system');
    expect(reach.canConnect(web, Endpoint.kubeDns(), 53).allowed).toBe(true);
    expect(reach.canConnect(web, Endpoint.kubeDns(), 9153).allowed).toBe(false);
    expect(reach.canResolveDns(other).allowed).toBe(true);
  });

  test('no DNS rule, or one with the namespace and pod selectors in two peers mistaken for one, is judged exactly', () => {
    expect(Reachability.of(app(denyAll('shop'))).canResolveDns(web).allowed).toBe(false);
    // Two peers (OR) also admit kube-dns, but every pod of kube-system as well.
    const or = { ...dnsRule, to: [{ namespaceSelector: dnsRule.to[0].namespaceSelector }, { podSelector: dnsRule.to[0].podSelector }] };
    const reach = Reachability.of(app(denyAll('shop'), policy('dns', 'shop', { podSelector: {}, policyTypes: ['Egress'], egress: [or] })));
    expect(reach.canResolveDns(web).allowed).toBe(true);
    expect(reach.canConnect(web, Endpoint.pod('kube-system', { component: 'etcd' }), 53, UDP).allowed).toBe(true);
    // ...and any kube-dns-labelled pod of the source's own namespace (its egress side; shop's deny-all still guards its ingress).
    expect(reach.canConnect(web, Endpoint.pod('shop', { 'k8s-app': 'kube-dns' }), 53, UDP).egress.allowed).toBe(true);
  });

  test('a described pod is subject to the policies of its namespace in the manifests', () => {
    const rogue = Endpoint.pod('shop', { app: 'rogue' });
    expect(Reachability.of(app()).canConnect(rogue, api, 9000).allowed).toBe(true);
    expect(Reachability.of(app(denyAll('shop'))).canConnect(rogue, api, 9000).explanation).toMatch(/denied by egress and ingress/);
  });

  test('a described pod\'s containerPorts resolve named ports', () => {
    const target = Endpoint.pod('tools', { app: 'db' }, { containerPorts: [{ name: 'pg', port: 5432 }] });
    const reach = Reachability.of(app(policy('p', 'shop', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'pg' }] }] })));
    expect(reach.canConnect(web, target, 5432).allowed).toBe(true);
    expect(reach.canConnect(web, Endpoint.pod('tools', { app: 'db' }), 5432).allowed).toBe(false);
    expect(reach.portsOf(target)).toEqual([{ name: 'pg', port: 5432 }]);
  });
});

describe('workloads in the manifests', () => {
  test('CronJob pods are found by their job template labels', () => {
    const manifests = app(cronJob('backup', 'shop', { app: 'backup' }), denyAll('shop'), policy('p', 'shop', {
      podSelector: { matchLabels: { app: 'backup' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
    }));
    const backup = Endpoint.workload('CronJob', 'backup', 'shop');
    const verdict = Reachability.of(manifests).canConnect(backup, api, 9000);
    expect(verdict.egress.allowed).toBe(true);
    expect(verdict.ingress.allowed).toBe(false);
  });

  test('objects without a namespace are in the default namespace (or the one given)', () => {
    const manifests = [deployment('a', undefined, { app: 'a' }), deployment('b', 'default', { app: 'b' }), denyAll('default')];
    const a = Endpoint.workload('Deployment', 'a', 'default');
    expect(Reachability.of(manifests).canConnect(a, Endpoint.workload('Deployment', 'b'), 8080).allowed).toBe(false);
    expect(Reachability.of(manifests, { defaultNamespace: 'dev' }).canConnect(Endpoint.workload('Deployment', 'a', 'dev'),
      Endpoint.workload('Deployment', 'b'), 8080).ingress.allowed).toBe(false);
    expect(Reachability.of(manifests, { defaultNamespace: 'dev' }).canConnect(Endpoint.workload('Deployment', 'a', 'dev'),
      Endpoint.workload('Deployment', 'b'), 8080).egress.allowed).toBe(true);
  });

  test('workloads() lists every pod-bearing object, portsOf() their container ports', () => {
    const reach = Reachability.of(app(cronJob('backup', 'shop', { app: 'backup' }), denyAll('shop')));
    expect(reach.workloads().map(w => w.description)).toEqual(['Deployment shop/web', 'Deployment shop/api', 'Deployment other/other', 'CronJob shop/backup']);
    expect(reach.portsOf(api)).toEqual([
      { port: 9000, protocol: 'TCP', name: 'http' }, { port: 9090, protocol: 'TCP', name: 'metrics' }, { port: 5353, protocol: 'UDP', name: 'dns' },
    ]);
    expect(reach.portsOf(Endpoint.external('198.51.100.1'))).toEqual([]);
  });

  test('unknown or ambiguous workloads, bad ports and bad endpoints are refused with what exists', () => {
    const reach = Reachability.of([...app(), deployment('web', 'staging', { app: 'web' })]);
    expect(() => reach.canConnect(Endpoint.workload('Deployment', 'nope'), api, 1)).toThrow(/no Deployment nope in the manifests \(pod-bearing objects: Deployment shop\/web, /);
    expect(() => reach.canConnect(Endpoint.workload('Deployment', 'web'), api, 1)).toThrow(/2 objects match: Deployment web ; give its namespace/);
    expect(() => reach.canConnect(web, api, 0)).toThrow(/not a port number/);
    expect(() => reach.canConnect('web' as any, api, 1)).toThrow(/not an Endpoint/);
    expect(() => Endpoint.external('10.0.0.0/8')).toThrow(/not an IP address/);
    expect(() => Endpoint.workload('', 'x')).toThrow(/must name an object/);
    expect(() => Endpoint.pod('', {})).toThrow(/must describe a pod/);
    expect(() => Reachability.of({} as any)).toThrow(/not an array of manifests/);
  });
});

describe('assertions for tests', () => {
  const reach = Reachability.of(app(denyAll('shop')));

  test('assertAllowed and assertDenied return the verdict, or throw with the explanation', () => {
    expect(reach.assertDenied(web, api, 9000).allowed).toBe(false);
    expect(() => reach.assertAllowed(web, api, 9000)).toThrow(/^expected the connection to be allowed: Deployment shop\/web -> Deployment shop\/api on TCP 9000: denied by egress and ingress\./);
    expect(reach.assertAllowed(other, other, 8080).allowed).toBe(true);
    expect(() => reach.assertDenied(other, other, 8080)).toThrow(/^expected the connection to be denied: .*: allowed\./);
  });
});
