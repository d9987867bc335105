import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { INGRESS_CONTROLLER, ShopChart } from '../../examples/shop/main';
import { Endpoint, Guard, MeshReachability, PssVersion } from '../../src';
import { check, loadManifests } from '../../src/cli/check';
import { expectCrdCelValid, expectCrdValid } from '../helpers/crd-schema';

/** The shop (in the mesh, examples/shop/mesh.ts), its manifests and its endpoints. */
function shop() {
  const chart = new ShopChart(Testing.app(), 'shop');
  const manifests = Testing.synth(chart);
  const workloads: Array<[string, Endpoint]> = [
    ['frontend', Endpoint.workload('Deployment', chart.frontend.name, 'shop')],
    ['backend', Endpoint.workload('Deployment', chart.backend.name, 'shop')],
    ['database', Endpoint.workload('StatefulSet', chart.database.name, 'shop')],
    ['backup', Endpoint.workload('CronJob', chart.backup.name, 'shop')],
  ];
  return { chart, manifests, workloads, reach: MeshReachability.of(manifests) };
}

const istio = (manifests: any[]) => manifests.filter(m => m.apiVersion === 'security.istio.io/v1');

describe('the shop in the mesh', () => {
  const { chart, manifests, workloads, reach } = shop();
  const ingressController = Endpoint.pod(INGRESS_CONTROLLER.namespace, INGRESS_CONTROLLER.podLabels);

  test('its Istio objects validate against Istio\'s CRDs (security.istio.io/v1 openAPIV3Schema)', () => {
    expect(istio(manifests)).toHaveLength(6);
    expectCrdValid(istio(manifests));
  });

  test('and satisfy the CRDs\' CEL rules (portLevelMtls requires a selector, selector labels without wildcards...)', () => {
    expect(expectCrdCelValid(istio(manifests))).toBeGreaterThanOrEqual(10);
    // Not vacuous: a port-level PeerAuthentication without selector breaks a CEL rule the schema alone accepts.
    const unselected = JSON.parse(JSON.stringify(istio(manifests).find(m => m.kind === 'PeerAuthentication' && m.spec.portLevelMtls)));
    delete unselected.spec.selector;
    expectCrdValid([unselected]);
    expect(() => expectCrdCelValid([unselected])).toThrow(/portLevelMtls requires selector/);
  });

  test('the CRD validation can fail: a misspelt mode and a rule field of the wrong type are refused', () => {
    const bad = JSON.parse(JSON.stringify(istio(manifests)));
    bad.find((m: any) => m.metadata.name === 'default').spec.mtls.mode = 'STRICTEST';
    expect(() => expectCrdValid(bad)).toThrow(/PeerAuthentication default.*must be equal to one of the allowed values/);
    const policy = JSON.parse(JSON.stringify(istio(manifests).find(m => m.spec.rules)));
    policy.spec.rules[0].to[0].operation.ports = 9000;
    expect(() => expectCrdValid([policy])).toThrow(/must be array/);
  });

  test('the guard still has no finding but the backend\'s token (exempted by the library): the mesh objects pass it', () => {
    expect(Guard.findings(chart).map(f => [f.constructPath, f.controlId, f.status])).toEqual([
      ['shop/backend/Resource', 'service-account-token', 'exempt'],
    ]);
  });

  test('`cdk8s-hardened check` reads the Istio objects without error (kubernetes-schema leaves custom resources alone)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-mesh-'));
    const file = path.join(dir, 'shop.k8s.yaml');
    fs.writeFileSync(file, Yaml.stringify(...manifests));
    const result = check(loadManifests([file], dir), { format: 'json', pssVersion: PssVersion.of('v1.27'), cwd: dir });
    expect(result.exitCode).toBe(0);
    const evaluations = result.report.evaluations.filter(e => e.apiVersion === 'security.istio.io/v1');
    expect(evaluations).toHaveLength(6);
    expect(evaluations.flatMap(e => e.findings)).toEqual([]);
    expect(evaluations.flatMap(e => e.applicableControls)).not.toContain('kubernetes-schema');
    fs.rmSync(dir, { recursive: true });
  });

  test('the namespace joins the mesh (sidecar injection) with STRICT mTLS and an allow-nothing policy', () => {
    expect(manifests.find(m => m.kind === 'Namespace').metadata.labels['istio-injection']).toBe('enabled');
    expect(istio(manifests).find(m => m.metadata.name === 'default')).toMatchObject({ kind: 'PeerAuthentication', spec: { mtls: { mode: 'STRICT' } } });
    expect(istio(manifests).find(m => m.metadata.name === 'allow-nothing')).toMatchObject({ kind: 'AuthorizationPolicy', spec: {} });
  });

  test('for every pair of its workloads and every destination port, the mesh verdict equals the network verdict', () => {
    const ports = [...new Set(workloads.flatMap(([, w]) => reach.network.portsOf(w).map(p => p.port)))].sort();
    expect(ports).toEqual([5432, 8080, 9000]);
    const sources: Array<[string, Endpoint]> = [...workloads, ['ingress-controller', ingressController]];
    const allowed: string[] = [];
    let checked = 0;
    for (const [fromName, from] of sources) {
      for (const [toName, to] of workloads) {
        for (const port of ports) {
          const comparison = reach.compare(from, to, port);
          checked++;
          expect({ pair: `${fromName} -> ${toName}:${port}`, agree: comparison.agree, why: comparison.explanation })
            .toEqual({ pair: `${fromName} -> ${toName}:${port}`, agree: true, why: comparison.explanation });
          if (comparison.mesh.allowed) allowed.push(`${fromName} -> ${toName}:${port}`);
        }
      }
    }
    expect(checked).toBe(5 * 4 * 3);
    // Not vacuous: exactly the declared paths are allowed, by both layers.
    expect(allowed.sort()).toEqual(['backend -> database:5432', 'backup -> database:5432', 'frontend -> backend:9000',
      'ingress-controller -> frontend:8080']);
    expect(reach.disagreements([...workloads.map(([, w]) => w), ingressController])).toEqual([]);
  });

  test('the mesh verdicts say why: principal admitted, plain text refused by STRICT, undeclared caller refused by allow-nothing', () => {
    const [frontend, backend, database] = workloads.map(([, w]) => w);
    const ok = reach.canConnect(frontend, backend, 9000);
    expect(ok).toMatchObject({ allowed: true, inMesh: true, mtlsMode: 'STRICT' });
    expect(ok.sourcePrincipal).toMatch(/^cluster\.local\/ns\/shop\/sa\/shop-frontend-serviceaccount-/);
    expect(ok.decidingRules).toEqual([expect.stringMatching(/^AuthorizationPolicy shop\/shop-backend-authorizationpolicy-.* rules\[0\]$/)]);
    const strict = reach.canConnect(ingressController, backend, 9000);
    expect(strict).toMatchObject({ allowed: false, mtlsMode: 'STRICT', sourcePrincipal: '' });
    expect(strict.reason).toMatch(/plain text.*STRICT mTLS/);
    const undeclared = reach.canConnect(frontend, database, 5432);
    expect(undeclared.allowed).toBe(false);
    expect(undeclared.policies).toEqual(expect.arrayContaining(['shop/allow-nothing']));
    // A meshed caller cannot use the frontend's plain-text port: the rule admits only sources without a principal.
    expect(reach.canConnect(backend, frontend, 8080)).toMatchObject({ allowed: false, mtlsMode: 'PERMISSIVE' });
    expect(reach.canConnect(ingressController, frontend, 8080)).toMatchObject({ allowed: true, mtlsMode: 'PERMISSIVE', sourcePrincipal: '' });
    // UDP is not the mesh's: left to the NetworkPolicies.
    expect(reach.canConnect(frontend, backend, 9000, { protocol: kplus.NetworkProtocol.UDP }).reason).toMatch(/only intercepts TCP/);
  });

  test('where the layers disagree is reported: a plain-text pod of another namespace passes the mesh on the frontend\'s port, not the network', () => {
    const stranger = Endpoint.pod('payments', { app: 'api' });
    const comparison = reach.compare(stranger, workloads[0][1], 8080);
    expect(comparison).toMatchObject({ agree: false, network: { allowed: false }, mesh: { allowed: true } });
    expect(comparison.explanation).toMatch(/^LAYERS DISAGREE: the network denies and the mesh allows/);
    // A stray meshed pod of the shop namespace presents the default account's identity: both layers refuse it.
    const stray = Endpoint.pod('shop', { app: 'debug' });
    for (const [, w] of workloads) {
      for (const port of reach.network.portsOf(w)) expect(reach.compare(stray, w, port.port).agree).toBe(true);
    }
    expect(reach.disagreements([stranger, ...workloads.map(([, w]) => w)]).map(c => `${c.network.source} -> ${c.network.destination}:${c.network.port}`))
      .toEqual([expect.stringMatching(/^pod \{app=api\} in payments -> Deployment shop\/shop-frontend-.*:8080$/)]);
  });

  test('deleting a principal from the synthesized policy makes the layers disagree on exactly that connection', () => {
    const edited = JSON.parse(JSON.stringify(manifests));
    const database = edited.find((m: any) => m.kind === 'AuthorizationPolicy' && /database/.test(m.metadata.name));
    database.spec.rules[0].from[0].source.principals = database.spec.rules[0].from[0].source.principals.filter((p: string) => !/backup/.test(p));
    const edit = MeshReachability.of(edited);
    const found = edit.disagreements(workloads.map(([, w]) => w));
    expect(found.map(c => [c.network.source.split(' ')[0], c.network.destination.split(' ')[0], c.network.port, c.network.allowed, c.mesh.allowed]))
      .toEqual([['CronJob', 'StatefulSet', 5432, true, false]]);
  });
});
