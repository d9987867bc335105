import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { addShopGuardrails, SHOP_REGISTRIES } from '../../examples/shop/guardrails';
import { buildApp, ShopChart } from '../../examples/shop/main';
import { AdmissionGuardrails, Controls, Guard } from '../../src';
import { createRequest, evaluateCel, policyMatches } from '../helpers/cel';
import { loadYamlFile } from '../helpers/fixtures';
import { expectSchemaValid } from '../helpers/schema';

function shopWithGuardrails() {
  const app = Testing.app();
  const shop = new ShopChart(app, 'shop');
  const guardrails = addShopGuardrails(app, shop);
  Guard.protect(app);
  return { app, shop, guardrails, shopManifests: Testing.synth(shop), policyManifests: Testing.synth(guardrails) };
}

describe('the example shop ships its guardrails', () => {
  const { app, guardrails, shopManifests, policyManifests } = shopWithGuardrails();
  const policies = policyManifests.filter(m => m.kind === 'ValidatingAdmissionPolicy');

  test('a policy and a binding per enforced control, schema-valid, cluster-scoped, image-registry limited to the shop registry', () => {
    expectSchemaValid(policyManifests);
    expect(policies.map(p => p.metadata.name)).toEqual(guardrails.enforcedControlIds.map(id => `cdk8s-hardened-${id}`));
    expect(guardrails.enforcedControlIds).toContain('image-registry');
    for (const m of policyManifests) expect(m.metadata.namespace).toBeUndefined();
    expect(JSON.stringify(policies.find(p => p.metadata.name === 'cdk8s-hardened-image-registry'))).toContain(`['${SHOP_REGISTRIES[0]}']`);
    // The shop's image policy requires digests: an unpinned image is refused in the cluster as at synthesis.
    const digestBinding = policyManifests.find(m => m.kind === 'ValidatingAdmissionPolicyBinding' && m.spec.policyName === 'cdk8s-hardened-image-digest');
    expect(digestBinding.spec.validationActions).toEqual(['Deny']);
  });

  test('the guard finds nothing in the guardrails chart: its v1 policies are schema-checked (Kubernetes 1.30), not exempted', () => {
    expect(Guard.findings(guardrails)).toEqual([]);
    expect(Guard.findings(app).filter(f => f.status === 'fail')).toEqual([]);
  });

  test('the library\'s exemption of the backend token travels as an identity exclusion of that Deployment', () => {
    const tokenPolicy = policies.find(p => p.metadata.name === 'cdk8s-hardened-service-account-token');
    const backend = shopManifests.find(m => m.kind === 'Deployment' && m.metadata.name.includes('backend'));
    expect(tokenPolicy.spec.matchConditions).toHaveLength(1);
    expect(tokenPolicy.spec.matchConditions[0].expression).toContain(`object.metadata.name == '${backend.metadata.name}'`);
    expect(tokenPolicy.spec.matchConditions[0].expression).toContain("request.namespace == 'shop'");
    expect(policies.filter(p => p.spec.matchConditions?.some((c: any) => c.name === 'not-exempted')).map(p => p.metadata.name))
      .toEqual(['cdk8s-hardened-service-account-token']);
    expect(AdmissionGuardrails.exemptionsOf(app).map(e => [e.control.id, e.kind, e.objectNamespace, e.name]))
      .toEqual([[Controls.SERVICE_ACCOUNT_TOKEN.id, 'Deployment', 'shop', backend.metadata.name]]);
  });

  test('every object of the shop is admitted by every policy, evaluated with CEL', () => {
    const cases = shopManifests.flatMap(object => policies.filter(p => policyMatches(p, object))
      .map(p => ({ policy: p.metadata.name, object, request: createRequest(object) })));
    const results = evaluateCel(Object.fromEntries(policies.map(p => [p.metadata.name, p.spec])), cases);
    const refused = results.flatMap((r, i) => (r.verdict === 'deny' ? [`${cases[i].object.kind}/${cases[i].object.metadata.name} ${cases[i].policy}: ${r.failed}`] : []));
    expect(refused).toEqual([]);
    // The backend is judged by every pod policy but the exempted one.
    expect(results.filter(r => r.verdict === 'skip')).toHaveLength(1);
    expect(cases.length).toBeGreaterThan(100);
  });

  test('without its exemption, the backend Deployment would be refused by the token policy', () => {
    const bare = new AdmissionGuardrails(Testing.app(), 'bare', { allowedRegistries: SHOP_REGISTRIES });
    const policy = Testing.synth(bare).find(m => m.metadata.name === 'cdk8s-hardened-service-account-token');
    const backend = shopManifests.find(m => m.kind === 'Deployment' && m.metadata.name.includes('backend'));
    const [result] = evaluateCel({ p: policy.spec }, [{ policy: 'p', object: backend, request: createRequest(backend) }]);
    expect(result.verdict).toBe('deny');
  });

  test('buildApp writes the guardrails beside the shop', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-guardrails-'));
    buildApp(outdir).synth();
    const written = loadYamlFile(path.join(outdir, 'guardrails.k8s.yaml'));
    expect(written.filter(m => m.kind === 'ValidatingAdmissionPolicy').map(m => m.metadata.name)).toEqual(policies.map(p => p.metadata.name));
  });
});

test('AdmissionGuardrails refuses a namespace: policies and bindings are cluster-scoped', () => {
  expect(() => new AdmissionGuardrails(Testing.app(), 'guardrails', { namespace: 'shop' }))
    .toThrow(/\[guardrails\] AdmissionGuardrails: namespace "shop" cannot be set/);
});
