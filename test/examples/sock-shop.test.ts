import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import { INGRESS_CONTROLLER, SockShopChart } from '../../examples/sock-shop/main';
import { Endpoint, FindingStatus, Guard, Reachability } from '../../src';

/*
 * The Sock Shop port against upstream's own NetworkPolicies (test/examples/sock-shop-upstream/, verbatim, Apache-2.0):
 * for every source workload x every target workload x every container port of the target, the port of the port
 * (our synthesized YAML, through Reachability) allows exactly what upstream's policies allow, except the pairs listed
 * in DIFFERENCES with their reasons. Upstream's side is judged by a small evaluator written here (independent of
 * Reachability), and Reachability over upstream's objects is checked to agree with it on every pair.
 */

const UPSTREAM = path.join(__dirname, 'sock-shop-upstream');
const NAMESPACE = 'sock-shop';

function loadYaml(file: string): any[] {
  return yaml.loadAll(fs.readFileSync(path.join(UPSTREAM, file), 'utf8')).filter((d): d is any => d !== null && d !== undefined);
}

const upstreamManifests = loadYaml('manifests.yaml');
const upstreamPolicies = loadYaml('manifests-policy.yaml');
const upstreamDeployments = upstreamManifests.filter(m => m.kind === 'Deployment');
const WORKLOADS: string[] = upstreamDeployments.map(d => d.metadata.name).sort();

/** What upstream's pod of a workload looks like: labels and container ports. */
function upstreamPod(name: string): { labels: Record<string, string>; ports: number[] } {
  const d = upstreamDeployments.find(m => m.metadata.name === name);
  return {
    labels: d.spec.template.metadata.labels,
    ports: d.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort)),
  };
}

/** matchLabels only (upstream uses nothing else; anything else is refused below so this stays complete). */
function matches(selector: any, labels: Record<string, string>): boolean {
  if (selector?.matchExpressions) throw new Error('the upstream evaluator handles matchLabels only');
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/**
 * Upstream's verdict, by Kubernetes' networking.k8s.io/v1 semantics: upstream has ingress policies only (so egress is
 * never isolated); a pod is isolated for ingress when a policy of its namespace selects it (`cortex-access` selects
 * every pod: its podSelector's matchLabels is null), then admitted only by a rule whose `from` and `ports` admit the
 * traffic (missing = everything). The Namespace's `net.beta.kubernetes.io/network-policy` annotation is the
 * pre-v1 beta isolation switch, which no current Kubernetes reads.
 */
function upstreamAllows(from: { labels: Record<string, string> }, to: { labels: Record<string, string> }, port: number): boolean {
  const selecting = upstreamPolicies.filter(p => p.kind === 'NetworkPolicy' && matches(p.spec.podSelector, to.labels));
  if (selecting.length === 0) return true;
  return selecting.some(p => (p.spec.ingress ?? []).some((rule: any) => {
    const peers: any[] = rule.from ?? [];
    const peerOk = peers.length === 0 || peers.some(peer => {
      if (peer.namespaceSelector || peer.ipBlock) throw new Error('the upstream evaluator handles podSelector peers only');
      return matches(peer.podSelector, from.labels);
    });
    const ports: any[] = rule.ports ?? [];
    const portOk = ports.length === 0 || ports.some(entry => (entry.protocol ?? 'TCP') === 'TCP' && entry.port === port);
    return peerOk && portOk;
  }));
}

/**
 * Where the port deliberately differs from upstream's policies, source -> target:port, with the reason. Kept to
 * upstream's bugs (the app cannot work with them); everything else is equal.
 */
const DIFFERENCES: Record<string, string> = {
  'front-end -> carts:80': 'upstream\'s cart-access selects `name: cart`, a label no pod carries (the carts pods are `name: carts`), '
    + 'so the cart page cannot load; front-end calls http://carts',
  'orders -> carts:80': 'same cart-access typo: orders reads the cart (http://carts) to place an order',
  'carts -> carts-db:27017': 'carts-db-access admits `name: cart`, no pod: carts could not reach its database',
  'front-end -> session-db:6379': 'upstream has no policy for session-db, so cortex-access isolates it and nothing reaches it; '
    + 'front-end runs with SESSION_REDIS=true and keeps its sessions there',
};

describe('the Sock Shop port', () => {
  const chart = new SockShopChart(Testing.app(), 'sock-shop');
  const manifests = Testing.synth(chart);
  const ours = Reachability.of(manifests);
  const upstream = Reachability.of([...upstreamManifests, ...upstreamPolicies]);
  const oursEndpoint = (name: string) => Endpoint.workload('Deployment', chart.workloads[name].name, NAMESPACE);
  const upstreamEndpoint = (name: string) => Endpoint.workload('Deployment', name, NAMESPACE);

  test('has every upstream Deployment, under the same name, with the same container ports', () => {
    expect(WORKLOADS).toHaveLength(14);
    expect(Object.keys(chart.workloads).sort()).toEqual(WORKLOADS);
    for (const name of WORKLOADS) {
      expect(chart.workloads[name].name).toBe(name);
      expect(ours.portsOf(oursEndpoint(name)).map(p => p.port).sort()).toEqual(upstreamPod(name).ports.sort());
    }
  });

  test('has every upstream Service, same name, port and target port (named targets resolved)', () => {
    const services = manifests.filter(m => m.kind === 'Service');
    for (const svc of upstreamManifests.filter(m => m.kind === 'Service')) {
      const ourService = services.find(s => s.metadata.name === svc.metadata.name);
      expect(ourService?.metadata.namespace).toBe(NAMESPACE);
      const pod = upstreamDeployments.find(d => d.metadata.name === svc.spec.selector.name).spec.template.spec;
      const named = (target: unknown) => (typeof target === 'string'
        ? pod.containers.flatMap((c: any) => c.ports).find((p: any) => p.name === target).containerPort : target);
      const simplified = (s: any) => s.spec.ports.map((p: any) => [p.port, p.targetPort]);
      expect(simplified(ourService)).toEqual(svc.spec.ports.map((p: any) => [p.port, named(p.targetPort)]));
      // Selects exactly the workload upstream's selects.
      const selected = manifests.filter(m => m.kind === 'Deployment'
        && Object.entries(ourService.spec.selector).every(([k, v]) => m.spec.template.metadata.labels[k] === v));
      expect(selected.map(m => m.metadata.name)).toEqual([svc.spec.selector.name]);
    }
  });

  test('synthesizes with no guard error and no JSON patch: only digest warnings and the port-80 exemptions, each with its reason', () => {
    const findings = Guard.findings(chart);
    expect(findings.filter(f => f.status === FindingStatus.FAIL && f.severity === 'error')).toEqual([]);
    const byControl = (status: FindingStatus) => [...new Set(findings.filter(f => f.status === status).map(f => f.controlId))];
    // Upstream publishes tags only; digests come from the registry (resolve them with your registry tooling, e.g. `crane digest`), never invented here.
    expect(byControl(FindingStatus.FAIL)).toEqual(['image-digest']);
    expect(byControl(FindingStatus.EXEMPT)).toEqual(['privileged-port']);
    const exempt = findings.filter(f => f.status === FindingStatus.EXEMPT).map(f => f.constructPath.split('/')[1]).sort();
    expect(exempt).toEqual(['carts', 'catalogue', 'orders', 'payment', 'queue-master', 'shipping', 'user']);
    const source = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'sock-shop', 'main.ts'), 'utf8');
    expect(source).not.toMatch(/JsonPatch|addJsonPatch|ApiObject\.of/);
  });

  test('catalogue-db reads its 0440 MySQL credentials through the pod\'s fsGroup (its gid); pods without such files set none', () => {
    for (const d of manifests.filter(m => m.kind === 'Deployment')) {
      const security = d.spec.template.spec.securityContext;
      const credentials = (d.spec.template.spec.volumes ?? []).find((v: any) => v.secret);
      if (d.metadata.name === 'catalogue-db') {
        expect(credentials).toEqual({ name: expect.any(String), secret: { secretName: 'catalogue-db-credentials', defaultMode: 0o440 } });
        expect(security).toMatchObject({ fsGroup: security.runAsGroup, fsGroupChangePolicy: 'OnRootMismatch' });
        expect(security.runAsGroup).toBeGreaterThan(0);
      } else {
        expect(credentials).toBeUndefined();
        expect(security).not.toHaveProperty('fsGroup');
      }
    }
  });

  test('every container is hardened; the only capability added back is NET_BIND_SERVICE, for the port-80 images', () => {
    for (const d of manifests.filter(m => m.kind === 'Deployment')) {
      const spec = d.spec.template.spec;
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false });
        expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
        const listensOn80 = (c.ports ?? []).some((p: any) => p.containerPort === 80);
        expect(c.securityContext.capabilities.add).toEqual(listensOn80 ? ['NET_BIND_SERVICE'] : undefined);
      }
    }
  });

  test('upstream\'s side: the evaluator written here and Reachability agree on every pair of upstream\'s own objects', () => {
    let pairs = 0;
    for (const from of WORKLOADS) {
      for (const to of WORKLOADS) {
        for (const port of upstreamPod(to).ports) {
          const verdict = upstream.canConnect(upstreamEndpoint(from), upstreamEndpoint(to), port);
          expect([from, to, port, verdict.allowed]).toEqual([from, to, port, upstreamAllows(upstreamPod(from), upstreamPod(to), port)]);
          pairs++;
        }
      }
    }
    expect(pairs).toBe(14 * 16);
  });

  test('pair by pair (14 sources x 14 targets x every port: 224), ours equals upstream\'s except the listed differences', () => {
    const differences: Record<string, string> = {};
    const allowed: string[] = [];
    for (const from of WORKLOADS) {
      for (const to of WORKLOADS) {
        for (const port of upstreamPod(to).ports) {
          const key = `${from} -> ${to}:${port}`;
          const theirs = upstreamAllows(upstreamPod(from), upstreamPod(to), port);
          const verdict = ours.canConnect(oursEndpoint(from), oursEndpoint(to), port);
          if (verdict.allowed) allowed.push(key);
          if (verdict.allowed !== theirs) differences[key] = `${theirs ? 'upstream allows, ours denies' : 'ours allows, upstream denies'}`;
        }
      }
    }
    expect(differences).toEqual(Object.fromEntries(Object.keys(DIFFERENCES).map(k => [k, 'ours allows, upstream denies'])));
    // 14 sources reach front-end:8079 (front-end-access), 15 declared calls (the 4 differences among them).
    expect(allowed).toHaveLength(14 + 15);
  });

  test('by Service, as the services dial each other (14 sources x every Service port: 210), equal except the same differences', () => {
    const services = upstreamManifests.filter(m => m.kind === 'Service');
    const differences: string[] = [];
    let pairs = 0;
    for (const from of WORKLOADS) {
      for (const svc of services) {
        for (const { port } of svc.spec.ports) {
          const theirs = upstream.canReachService(upstreamEndpoint(from), svc.metadata.name, port);
          const mine = ours.canReachService(oursEndpoint(from), svc.metadata.name, port);
          // Same target port on the same workload (rabbitmq's exporter is targeted by name upstream, by number here).
          expect(mine.backends.map(b => b.port)).toEqual(theirs.backends.map(b => b.port));
          // Each Service selects one workload: reachable and admitted by every backend are the same answer.
          expect([mine.backends.length, mine.allBackendsAdmit]).toEqual([1, mine.allowed]);
          if (mine.allowed !== theirs.allowed) differences.push(`${from} -> ${svc.metadata.name}:${mine.backends[0].port}`);
          pairs++;
        }
      }
    }
    expect(pairs).toBe(14 * 15);
    expect(differences.sort()).toEqual(Object.keys(DIFFERENCES).sort());
  });

  test('outside the namespace ours is narrower: documented, and checked', () => {
    const ingressController = Endpoint.pod(INGRESS_CONTROLLER.namespace, INGRESS_CONTROLLER.podLabels);
    const frontEnd = [oursEndpoint('front-end'), upstreamEndpoint('front-end')] as const;
    // The ingress controller replaces the NodePort: it reaches front-end in both.
    expect(ours.canConnect(ingressController, frontEnd[0], 8079).allowed).toBe(true);
    expect(upstream.canConnect(ingressController, frontEnd[1], 8079).allowed).toBe(true);
    // Upstream admits any address and any namespace on 8079 (NodePort 30001); ours only the ingress controller.
    for (const other of [Endpoint.external('198.51.100.7'), Endpoint.pod('default', { app: 'anything' })]) {
      expect(upstream.canConnect(other, frontEnd[1], 8079).allowed).toBe(true);
      expect(ours.canConnect(other, frontEnd[0], 8079).allowed).toBe(false);
    }
    // Upstream has no egress policy: every pod may call the Internet; ours only the cluster DNS.
    expect(upstream.canConnect(upstreamEndpoint('carts'), Endpoint.external('198.51.100.7'), 443).allowed).toBe(true);
    expect(ours.canConnect(oursEndpoint('carts'), Endpoint.external('198.51.100.7'), 443).allowed).toBe(false);
    for (const name of WORKLOADS) expect(ours.canResolveDns(oursEndpoint(name)).allowed).toBe(true);
    // cortex-access admits pods labelled name=cortex (Weave Cloud's agent) to every pod: upstream deploys none; a
    // monitoring agent is declared here when one is deployed. A pod the app does not declare reaches nothing in ours.
    const cortex = Endpoint.pod(NAMESPACE, { name: 'cortex' });
    expect(upstream.canConnect(cortex, upstreamEndpoint('carts-db'), 27017).allowed).toBe(true);
    expect(ours.canConnect(cortex, oursEndpoint('carts-db'), 27017).allowed).toBe(false);
    expect(ours.canConnect(cortex, frontEnd[0], 8079).allowed).toBe(false);
  });
});
