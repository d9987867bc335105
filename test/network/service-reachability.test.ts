import * as kplus from 'cdk8s-plus-27';
import { Endpoint, Reachability } from '../../src';

/* Reachability.canReachService over raw manifests: Services resolved to their selected pods and target ports. */

const NS = 'shop';

function deployment(name: string, labels: Record<string, string>, ports: Array<{ containerPort: number; name?: string; protocol?: string }>): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'x:1', ports }] } } },
  };
}

function service(name: string, spec: any): any {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec };
}

/** Ingress to pods labelled `labels` from pods labelled app=client, on `ports`. */
function allowIngress(name: string, labels: Record<string, string>, ports: any[]): any {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: NS },
    spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports }] },
  };
}

const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: NS }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
const client = Endpoint.pod(NS, { app: 'client' });
const stranger = Endpoint.pod(NS, { app: 'stranger' });

const manifests = [
  denyAll,
  deployment('web-v1', { app: 'web', track: 'stable' }, [{ containerPort: 8080, name: 'http' }]),
  deployment('web-v2', { app: 'web', track: 'canary' }, [{ containerPort: 8081, name: 'http' }]),
  // Selected by Service web too, but declares no port named http: Kubernetes gives it no endpoint for that port.
  deployment('web-v0', { app: 'web', track: 'old' }, [{ containerPort: 7000 }]),
  deployment('queue', { app: 'queue' }, [{ containerPort: 5672, name: 'amqp' }, { containerPort: 9090, name: 'exporter' }, { containerPort: 5353, name: 'dns', protocol: 'UDP' }]),
  deployment('legacy', { app: 'legacy' }, [{ containerPort: 7000 }]),
  // Numeric targetPort: clients dial 80, pods listen on 8080 (v1) / named http (web-named).
  service('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] }),
  service('web-stable', { selector: { app: 'web', track: 'stable' }, ports: [{ port: 80, targetPort: 8080 }] }),
  service('queue', { selector: { app: 'queue' }, ports: [{ port: 5672 }, { port: 9090, name: 'metrics', targetPort: 'exporter' }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] }),
  service('legacy-named', { selector: { app: 'legacy' }, ports: [{ port: 80, targetPort: 'http' }] }),
  service('external-db', { ports: [{ port: 5432 }] }),
  service('partner', { type: 'ExternalName', externalName: 'api.example.com' }),
  service('nobody', { selector: { app: 'nobody' }, ports: [{ port: 80 }] }),
  allowIngress('web-v1', { app: 'web', track: 'stable' }, [{ protocol: 'TCP', port: 8080 }]),
  allowIngress('queue', { app: 'queue' }, [{ protocol: 'TCP', port: 5672 }, { protocol: 'TCP', port: 'exporter' }, { protocol: 'UDP', port: 5353 }]),
];
const reach = Reachability.of(manifests);

describe('Reachability.canReachService', () => {
  test('a numeric targetPort: the Service port resolves to the container port the policy names', () => {
    const verdict = reach.canReachService(client, 'web-stable', 80);
    expect(verdict).toMatchObject({ allowed: true, service: 'Service shop/web-stable', port: 80 });
    expect(verdict.backends.map(b => [b.destination, b.port, b.allowed])).toEqual([['Deployment shop/web-v1', 8080, true]]);
    expect(reach.canReachService(stranger, 'web-stable', 80).allowed).toBe(false);
  });

  test('an unset targetPort is the port; a named one resolves per pod (policy by number, or by name)', () => {
    expect(reach.canReachService(client, 'queue', 5672).backends.map(b => [b.port, b.allowed])).toEqual([[5672, true]]);
    // The policy names the port `exporter`, the Service targets it by name: both resolve to 9090.
    expect(reach.canReachService(client, 'queue', 9090).backends.map(b => [b.port, b.allowed])).toEqual([[9090, true]]);
    expect(reach.canReachService(client, 'queue', 53, { protocol: kplus.NetworkProtocol.UDP }).backends.map(b => [b.port, b.protocol, b.allowed]))
      .toEqual([[5353, 'UDP', true]]);
  });

  test('a Service selecting several workloads: a verdict per workload at its own target port; allowed when one admits, allBackendsAdmit when all do', () => {
    const verdict = reach.canReachService(client, 'web', 80);
    expect(verdict.backends.map(b => [b.destination, b.port, b.allowed])).toEqual([
      ['Deployment shop/web-v1', 8080, true],
      ['Deployment shop/web-v2', 8081, false],
    ]);
    // The Service may send the client to web-v1, which admits it: reachable, though not on every pod.
    expect(verdict.allowed).toBe(true);
    expect(verdict.allBackendsAdmit).toBe(false);
    expect(verdict.explanation).toMatch(/^pod \{app=client\} in shop -> Service shop\/web port TCP 80: allowed through Deployment shop\/web-v1 \(denied by Deployment shop\/web-v2\) \(no endpoint on Deployment shop\/web-v0: the named targetPort is not theirs\)\. .*web-v2 on TCP 8081: denied by ingress/);
    const stray = reach.canReachService(stranger, 'web', 80);
    expect([stray.allowed, stray.allBackendsAdmit]).toEqual([false, false]);
    expect(stray.explanation).toMatch(/Service shop\/web port TCP 80: denied by every backend/);
    const stable = reach.canReachService(client, 'web-stable', 80);
    expect([stable.allowed, stable.allBackendsAdmit]).toEqual([true, true]);
    expect(stable.explanation).toMatch(/Service shop\/web-stable port TCP 80: allowed by every backend\. /);
  });

  test('a Service selecting a denying workload and one without a policy is reachable (through the unprotected backend)', () => {
    const denyApi = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api-deny', namespace: NS },
      spec: { podSelector: { matchLabels: { app: 'api', track: 'main' } }, policyTypes: ['Ingress'] },
    };
    const apiReach = Reachability.of([
      denyApi,
      deployment('api', { app: 'api', track: 'main' }, [{ containerPort: 8080 }]),
      deployment('api-debug', { app: 'api', track: 'debug' }, [{ containerPort: 8080 }]),
      service('api', { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] }),
    ]);
    const verdict = apiReach.canReachService(stranger, 'api', 80);
    expect(verdict.backends.map(b => [b.destination, b.allowed])).toEqual([['Deployment shop/api', false], ['Deployment shop/api-debug', true]]);
    expect(verdict.allowed).toBe(true);
    expect(verdict.allBackendsAdmit).toBe(false);
    expect(verdict.explanation).toMatch(/allowed through Deployment shop\/api-debug \(denied by Deployment shop\/api\)/);
  });

  test('the Service namespace defaults to the source\'s; an external source must name it', () => {
    expect(() => reach.canReachService(Endpoint.external('198.51.100.7'), 'web', 80)).toThrow(/is outside the cluster.*pass \{ serviceNamespace \}/);
    expect(reach.canReachService(Endpoint.external('198.51.100.7'), 'web-stable', 80, { serviceNamespace: NS }).allowed).toBe(false);
    expect(() => reach.canReachService(Endpoint.pod('other', { app: 'client' }), 'web', 80))
      .toThrow(/no Service other\/web in the manifests \(Services of namespace 'other': none\)/);
  });

  test.each([
    ['unknown Service', 'webb', 80, /no Service shop\/webb in the manifests \(Services of namespace 'shop': web, web-stable, queue, legacy-named, external-db, partner, nobody\)/],
    ['no selector', 'external-db', 5432, /Service shop\/external-db has no selector, so its endpoints are not derived from the manifests; ask canConnect/],
    ['ExternalName', 'partner', 443, /Service shop\/partner has no selector \(ExternalName\)/],
    ['unpublished port', 'queue', 15672, /Service shop\/queue has no TCP port 15672 \(its ports: TCP 5672, TCP 9090 \(metrics\), UDP 53\)/],
    ['selector matching nothing', 'nobody', 80, /Service shop\/nobody selects no pod-bearing object of the manifests \(selector \{"app":"nobody"\}\)/],
    ['named targetPort no pod declares', 'legacy-named', 80, /targets the container port named "http", which no selected pod declares \(Deployment shop\/legacy\)/],
    ['not a port', 'web', 0, /port 0 is not a port number/],
  ])('%s: a clear error, never a verdict', (_name, svc, port, message) => {
    expect(() => reach.canReachService(client, svc as string, port as number)).toThrow(message as RegExp);
  });
});
