import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { admissionPolicies } from '../../src/admission/policies';
import { runCli } from '../../src/cli/program';
import { Controls } from '../../src/controls/controls';
import { ControlContext } from '../../src/controls/core/control';
import { kubernetesSchema, schemaVersionOf } from '../../src/controls/core/kubernetes-schema-data';
import { PssVersion } from '../../src/controls/core/pss-version';
import { expectSchemaValid } from '../helpers/schema';

// ValidatingAdmissionPolicy and its binding as admissionregistration.k8s.io/v1 are held to their Kubernetes 1.30
// schema (the library emits them; 1.27 serves them as v1alpha1 only). Every other form keeps its 1.27 verdict.

const control = Controls.KUBERNETES_SCHEMA;
const context = (objects: any[]): ControlContext => ({ pssVersion: PssVersion.V1_27, objects });
const violationsOf = (manifest: any) => control.check(manifest, context([manifest]));
const V1 = 'admissionregistration.k8s.io/v1';

function policy(apiVersion = V1, spec: (s: any) => void = () => undefined): any {
  const s: any = {
    failurePolicy: 'Fail',
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
    validations: [{ expression: 'object.spec.replicas <= 10', message: 'at most 10' }],
  };
  spec(s);
  return { apiVersion, kind: 'ValidatingAdmissionPolicy', metadata: { name: 'limit' }, spec: s };
}

function binding(spec: (s: any) => void = () => undefined): any {
  const s: any = { policyName: 'limit', validationActions: ['Deny'] };
  spec(s);
  return { apiVersion: V1, kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'limit' }, spec: s };
}

// [case, object, expected [pointer, message part] of the violations (none: valid)]
const CASES: Array<[string, any, Array<[string, RegExp]>]> = [
  ['a valid v1 policy', policy(), []],
  ['a valid v1 binding', binding(), []],
  ['validations as a string', policy(V1, s => { s.validations = 'object.spec.replicas <= 10'; }),
    [['/spec/validations', /validations is the string "object.spec.replicas <= 10", not an array/]]],
  ['a validation without its expression', policy(V1, s => { s.validations = [{ message: 'x' }]; }),
    [['/spec/validations/0/expression', /required property 'expression' missing/]]],
  ['failurePolicy Never', policy(V1, s => { s.failurePolicy = 'Never'; }),
    [['/spec/failurePolicy', /failurePolicy is the string "Never", not one of Fail, Ignore/]]],
  ['a resource rule whose operations is a string', policy(V1, s => { s.matchConstraints.resourceRules[0].operations = 'CREATE'; }),
    [['/spec/matchConstraints/resourceRules/0/operations', /operations is the string "CREATE", not an array/]]],
  ['validationActions as a string', binding(s => { s.validationActions = 'Deny'; }),
    [['/spec/validationActions', /validationActions is the string "Deny", not an array/]]],
  ['validationActions [deny]', binding(s => { s.validationActions = ['deny']; }),
    [['/spec/validationActions/0', /validationActions\/0 is the string "deny", not one of Audit, Deny, Warn/]]],
  ['a namespaceSelector expression without its operator', binding(s => { s.matchResources = { namespaceSelector: { matchExpressions: [{ key: 'a' }] } }; }),
    [['/spec/matchResources/namespaceSelector/matchExpressions/0/operator', /required property 'operator' missing/]]],
];

describe.each(CASES)('kubernetes-schema on %s', (_name, manifest, expected) => {
  test('reports exactly the expected violations', () => {
    const found = violationsOf(manifest);
    expect(found.map(v => v.pointer)).toEqual(expected.map(([p]) => p));
    found.forEach((v, i) => expect(v.message).toMatch(expected[i][1]));
  });

  test('agrees with kubernetes-models\' v1 schema (an independent rendering of the same OpenAPI definitions)', () => {
    // kubernetes-models has no enums for these fields: only the type and required-field cases are compared.
    if (expected.some(([, m]) => /not one of/.test(m.source))) return;
    const valid = (() => { try { expectSchemaValid([manifest]); return true; } catch { return false; } })();
    expect(valid).toBe(expected.length === 0);
  });
});

test('a required field the 1.30 schema adds is reported with the version whose API server rejects it', () => {
  const [v] = violationsOf(policy(V1, s => { s.validations = [{}]; }));
  expect(v.fix).toContain('Kubernetes 1.30 rejects the object without it');
});

describe('the forms Kubernetes 1.27 serves keep their 1.27 verdicts', () => {
  test('v1beta1 is still refused, naming v1 (1.30) and v1alpha1 (1.27) as the versions to use', () => {
    const [v, ...rest] = violationsOf(policy('admissionregistration.k8s.io/v1beta1'));
    expect(rest).toEqual([]);
    expect(v.pointer).toBe('/apiVersion');
    expect(v.message).toMatch(/Kubernetes 1.27 serves no kind "ValidatingAdmissionPolicy" in admissionregistration.k8s.io\/v1beta1/);
    expect(v.fix).toBe('Use apiVersion admissionregistration.k8s.io/v1 (served from Kubernetes 1.30) or admissionregistration.k8s.io/v1alpha1 '
      + 'for ValidatingAdmissionPolicy (the versions this schema holds it to).');
  });

  test('v1alpha1 is validated against the 1.27 v1alpha1 definitions, not the 1.30 ones', () => {
    expect(kubernetesSchema().kinds['admissionregistration.k8s.io/v1alpha1/ValidatingAdmissionPolicy'])
      .toBe('io.k8s.api.admissionregistration.v1alpha1.ValidatingAdmissionPolicy');
    expect(violationsOf(policy('admissionregistration.k8s.io/v1alpha1'))).toEqual([]);
    // 1.30's failurePolicy enum is not applied to the 1.27 form.
    expect(violationsOf(policy('admissionregistration.k8s.io/v1alpha1', s => { s.failurePolicy = 'Never'; }))).toEqual([]);
    const [v] = violationsOf(policy('admissionregistration.k8s.io/v1alpha1', s => { s.validations = [{}]; }));
    expect([v.pointer, v.fix]).toEqual(['/spec/validations/0/expression', expect.stringContaining('Kubernetes 1.27 rejects')]);
  });

  test('the v1 kinds of 1.27 (webhook configurations) and the lists of the newer kinds are unchanged', () => {
    expect(schemaVersionOf(`${V1}/ValidatingWebhookConfiguration`)).toBe('1.27');
    expect(kubernetesSchema().kinds[`${V1}/ValidatingAdmissionPolicyList`]).toBeUndefined();
    expect(violationsOf({ apiVersion: V1, kind: 'ValidatingAdmissionPolicyList', metadata: {}, items: [] })[0].message)
      .toMatch(/serves no kind "ValidatingAdmissionPolicyList"/);
  });
});

test('the schema file names exactly the two newer kinds, with their 1.30 source', () => {
  const { newerKinds, kinds } = kubernetesSchema();
  expect(newerKinds.kinds).toEqual([`${V1}/ValidatingAdmissionPolicy`, `${V1}/ValidatingAdmissionPolicyBinding`]);
  expect(newerKinds.kubernetesVersion).toBe('1.30.0');
  expect(newerKinds.source.path).toBe('kubernetes-schemas/v1.30.0/_definitions.json');
  expect(newerKinds.source.commit).toMatch(/^[0-9a-f]{40}$/);
  expect(newerKinds.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  for (const key of newerKinds.kinds) expect(newerKinds.definitions).toContain(kinds[key]);
  for (const name of newerKinds.definitions) expect(name).toMatch(/^io\.k8s\.api\.admissionregistration\.v1\./);
});

describe('the library\'s own admission policies are validated, not exempted', () => {
  const { manifests } = admissionPolicies({ allowedRegistries: ['registry.example.com'] });

  test('every policy and binding conforms', () => {
    expect(manifests.length).toBeGreaterThan(20);
    for (const m of manifests) expect([m.metadata.name, m.kind, control.check(m, context(manifests))]).toEqual([m.metadata.name, m.kind, []]);
  });

  test('the check CLI passes them, and finds a broken one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vap-schema-'));
    const write = (name: string, objects: any[]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, objects.map(o => yaml.dump(o)).join('---\n'));
      return file;
    };
    const run = (file: string) => {
      let output = '';
      const code = runCli(['node', 'cdk8s-hardened', 'check', file], { stdout: t => { output += t; }, stderr: t => { output += t; } });
      return { code, output };
    };
    const good = run(write('good.yaml', manifests));
    expect(good.output).not.toMatch(/kubernetes-schema/);
    expect(good.code).toBe(0);
    const broken = structuredClone(manifests.find(m => m.kind === 'ValidatingAdmissionPolicyBinding'));
    broken.spec.validationActions = 'Deny';
    const bad = run(write('bad.yaml', [broken]));
    expect(bad.output).toMatch(/kubernetes-schema.*validationActions is the string "Deny", not an array/);
    expect(bad.code).not.toBe(0);
  });
});
