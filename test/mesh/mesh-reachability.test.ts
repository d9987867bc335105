import * as kplus from 'cdk8s-plus-27';
import { Endpoint, MeshReachability } from '../../src';

/** A meshed namespace with two pods (a caller and a server) and the given Istio objects. */
function cluster(...objects: any[]): any[] {
  const pod = (name: string, account: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', labels: { app: name } },
    spec: { serviceAccountName: account, containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }, { containerPort: 81 }] }] },
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels: { 'istio-injection': 'enabled' } } },
    pod('client', 'client-sa'), pod('server', 'server-sa'),
    ...objects.map(o => ({ apiVersion: 'security.istio.io/v1', metadata: { namespace: 'ns', ...o.metadata }, kind: o.kind, spec: o.spec })),
  ];
}
const policy = (name: string, spec: any) => ({ kind: 'AuthorizationPolicy', metadata: { name }, spec });
const client = Endpoint.workload('Pod', 'client');
const server = Endpoint.workload('Pod', 'server');
const allowed = (manifests: any[], port = 80, from = client) => MeshReachability.of(manifests).canConnect(from, server, port).allowed;

describe('MeshReachability follows Istio\'s documented semantics', () => {
  test('no ALLOW policy selecting the workload allows; any ALLOW policy must then match', () => {
    expect(allowed(cluster())).toBe(true);
    expect(allowed(cluster(policy('allow-nothing', {})))).toBe(false);
    const other = policy('other', { selector: { matchLabels: { app: 'elsewhere' } }, rules: [{}] });
    expect(allowed(cluster(other))).toBe(true);
    expect(allowed(cluster(policy('allow-all', { rules: [{}] })))).toBe(true);
  });

  test('DENY is evaluated first and wins over a matching ALLOW', () => {
    const allow = policy('allow', { rules: [{}] });
    const deny = policy('deny', { action: 'DENY', rules: [{ to: [{ operation: { ports: ['81'] } }] }] });
    expect(allowed(cluster(allow, deny), 80)).toBe(true);
    const verdict = MeshReachability.of(cluster(allow, deny)).canConnect(client, server, 81);
    expect(verdict).toMatchObject({ allowed: false, decidingRules: ['AuthorizationPolicy ns/deny rules[0]'] });
    // A DENY rule with layer-7 attributes refuses only some requests: it does not deny the connection.
    const partial = policy('deny-path', { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] });
    expect(allowed(cluster(partial))).toBe(true);
    expect(MeshReachability.of(cluster(partial)).canConnect(client, server, 80).reason).toMatch(/refuse only some requests/);
  });

  test('principals match exactly, by prefix, suffix or presence; namespaces, serviceAccounts, ports and notPorts', () => {
    const rule = (source: any, operation: any = {}) => cluster(policy('p', { rules: [{ from: [{ source }], to: [{ operation }] }] }));
    expect(allowed(rule({ principals: ['cluster.local/ns/ns/sa/client-sa'] }))).toBe(true);
    expect(allowed(rule({ principals: ['cluster.local/ns/ns/sa/server-sa'] }))).toBe(false);
    expect(allowed(rule({ principals: ['cluster.local/ns/ns/*'] }))).toBe(true);
    expect(allowed(rule({ principals: ['*/sa/client-sa'] }))).toBe(true);
    expect(allowed(rule({ principals: ['*'] }))).toBe(true);
    expect(allowed(rule({ notPrincipals: ['*'] }))).toBe(false);
    expect(allowed(rule({ namespaces: ['ns'] }))).toBe(true);
    expect(allowed(rule({ notNamespaces: ['ns'] }))).toBe(false);
    expect(allowed(rule({ serviceAccounts: ['ns/client-sa'] }))).toBe(true);
    expect(allowed(rule({ principals: ['*'] }, { ports: ['81'] }))).toBe(false);
    expect(allowed(rule({ principals: ['*'] }, { notPorts: ['80'] }))).toBe(false);
    // Another trust domain: the principal differs.
    expect(MeshReachability.of(rule({ principals: ['cluster.local/ns/ns/sa/client-sa'] }), { trustDomain: 'corp' }).canConnect(client, server, 80).allowed)
      .toBe(false);
    // when: source.principal and destination.port conditions.
    const when = (conditions: any[]) => cluster(policy('w', { rules: [{ when: conditions }] }));
    expect(allowed(when([{ key: 'destination.port', values: ['80'] }]))).toBe(true);
    expect(allowed(when([{ key: 'source.principal', notValues: ['cluster.local/ns/ns/sa/client-sa'] }]))).toBe(false);
  });

  test('PeerAuthentication: the most specific mode wins per port; STRICT refuses plain text, PERMISSIVE admits it', () => {
    const outsider = Endpoint.pod('elsewhere', { app: 'x' });
    const peer = (name: string, spec: any) => ({ kind: 'PeerAuthentication', metadata: { name }, spec });
    expect(MeshReachability.of(cluster()).canConnect(outsider, server, 80)).toMatchObject({ allowed: true, mtlsMode: 'PERMISSIVE' });
    const strict = peer('default', { mtls: { mode: 'STRICT' } });
    expect(MeshReachability.of(cluster(strict)).canConnect(outsider, server, 80)).toMatchObject({ allowed: false, mtlsMode: 'STRICT' });
    const port = peer('server', { selector: { matchLabels: { app: 'server' } }, mtls: { mode: 'UNSET' }, portLevelMtls: { 81: { mode: 'PERMISSIVE' } } });
    const reach = MeshReachability.of(cluster(strict, port));
    expect(reach.canConnect(outsider, server, 80).mtlsMode).toBe('STRICT');
    expect(reach.canConnect(outsider, server, 81)).toMatchObject({ allowed: true, mtlsMode: 'PERMISSIVE', sourcePrincipal: '' });
    // The mesh-wide default in the root namespace applies when the namespace sets none.
    const meshWide = { kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } };
    expect(MeshReachability.of(cluster(meshWide)).canConnect(outsider, server, 80).mtlsMode).toBe('STRICT');
  });

  test('destinations outside the mesh (no label, opted out, host network) and non-TCP traffic are left to the network', () => {
    const manifests = cluster(policy('allow-nothing', {}));
    manifests[0].metadata.labels = {};
    expect(MeshReachability.of(manifests).canConnect(client, server, 80)).toMatchObject({ allowed: true, inMesh: false });
    const optOut = cluster(policy('allow-nothing', {}));
    optOut[2].metadata.labels['sidecar.istio.io/inject'] = 'false';
    expect(MeshReachability.of(optOut).canConnect(client, server, 80).reason).toMatch(/not in the mesh.*inject: "false"/);
    const host = cluster(policy('allow-nothing', {}));
    host[2].spec.hostNetwork = true;
    expect(MeshReachability.of(host).canConnect(client, server, 80).reason).toMatch(/not in the mesh \(it uses the host network\)/);
    const ambient = cluster(policy('allow-nothing', {}));
    ambient[0].metadata.labels = { 'istio.io/dataplane-mode': 'ambient' };
    expect(MeshReachability.of(ambient).canConnect(client, server, 80)).toMatchObject({ allowed: false, inMesh: true });
    expect(MeshReachability.of(cluster(policy('allow-nothing', {}))).canConnect(client, server, 80, { protocol: kplus.NetworkProtocol.UDP }).allowed).toBe(true);
    expect(() => MeshReachability.of(cluster()).canConnect(client, server, 0)).toThrow(/not a port number/);
  });
});
