import * as path from 'path';
import { admissionPolicies } from '../../src/admission/policies';
import { Controls } from '../../src/controls/controls';
import { ADMISSION_NOT_DECLARED, Control, ControlContext } from '../../src/controls/core/control';
import { PssVersion } from '../../src/controls/core/pss-version';
import { CelCase, createRequest, evaluateCel, policyMatches } from '../helpers/cel';
import { annotation, controllerForms, FIXTURE_ANNOTATIONS, FIXTURES_DIR, loadFixtures, loadSharedObjects, loadYamlFile } from '../helpers/fixtures';

// The proof that the cluster enforces what synthesis enforces: every exported policy, evaluated by a real CEL engine
// (@marcbachmann/cel-js), agrees with its control's TypeScript check on every object of every fixture, in every
// controller form of a pod fixture, and on the trap cases below, at the fixture's PSS version and registry list.

const shared = loadSharedObjects();
const fixtures = loadFixtures();
const [compliantPod] = loadYamlFile(path.join(FIXTURES_DIR, 'compliant-pod.yaml'));

interface Settings { readonly pssVersion: PssVersion; readonly allowedRegistries?: string[] }

function settingsOf(manifest: any): Settings {
  const pss = annotation(manifest, FIXTURE_ANNOTATIONS.pssVersion);
  const registries = annotation(manifest, FIXTURE_ANNOTATIONS.allowedRegistries);
  return { pssVersion: pss ? PssVersion.of(pss) : PssVersion.V1_27, allowedRegistries: registries ? registries.split(',').map(r => r.trim()) : undefined };
}

// Policies per (PSS version, registry list): the PSS forms depend on the version, image-registry on the list.
const policySets = new Map<string, Record<string, any>>();
function policiesFor(settings: Settings): { key: string; policies: Record<string, any> } {
  const key = `${settings.pssVersion.label}|${settings.allowedRegistries?.join(',') ?? '-'}`;
  if (!policySets.has(key)) {
    const { manifests } = admissionPolicies({ pssVersion: settings.pssVersion, allowedRegistries: settings.allowedRegistries });
    const byControl: Record<string, any> = {};
    for (const m of manifests.filter(x => x.kind === 'ValidatingAdmissionPolicy')) byControl[m.metadata.annotations['cdk8s-hardened.io/control']] = m;
    policySets.set(key, byControl);
  }
  return { key, policies: policySets.get(key)! };
}

interface Comparison {
  readonly label: string;
  readonly control: Control;
  readonly typescriptFails: boolean;
  readonly celCase?: CelCase;
}

const comparisons: Comparison[] = [];
const allPolicies: Record<string, any> = {};

/** Queues the comparison of every exported control on `manifest` (evaluated with `objects`, as the app). */
function compare(label: string, manifest: any, objects: any[], settings: Settings): void {
  const { key, policies } = policiesFor(settings);
  const context: ControlContext = { ...settings, objects };
  for (const [id, policy] of Object.entries(policies)) {
    const control = Controls.byId(id);
    const typescriptFails = control.appliesTo(manifest, context) && control.check(manifest, context).length > 0;
    const policyKey = `${key}|${id}`;
    allPolicies[policyKey] = policy.spec;
    const matched = policyMatches(policy, manifest);
    comparisons.push({
      label: `${label} ${manifest.kind}/${manifest.metadata?.name} ${id}`,
      control,
      typescriptFails,
      celCase: matched ? { policy: policyKey, object: manifest, request: createRequest(manifest) } : undefined,
    });
  }
}

// kubernetes-schema's fixtures are schema-invalid on purpose: the API server refuses them when it decodes them,
// before any admission policy runs.
for (const fixture of fixtures.filter(f => f.controlId !== 'kubernetes-schema')) {
  const settings = settingsOf(fixture.manifest);
  const objects = [...fixture.manifests, ...shared];
  for (const manifest of fixture.manifests) compare(fixture.file, manifest, objects, settings);
  const [only] = fixture.manifests;
  if (fixture.manifests.length === 1 && only.kind === 'Pod' && annotation(only, FIXTURE_ANNOTATIONS.forms) !== 'as-is') {
    for (const form of controllerForms(only)) compare(`${fixture.file} as`, form, [form, ...shared], settings);
  }
}

/**
 * The trap cases (issue 14, item 6): security contexts and seccomp profiles missing at every level, empty, or set on
 * only some containers. Public CEL policies admit some of these (Kyverno's "restrict seccomp (strict)" admits a pod
 * with no seccompProfile at all); Pod Security Admission and our controls refuse them.
 */
function trapCases(): Array<{ name: string; pod: any }> {
  const base = () => structuredClone(compliantPod);
  const traps: Array<{ name: string; pod: any }> = [];
  const add = (name: string, change: (pod: any) => void) => {
    const pod = base();
    pod.metadata.name = `trap-${name}`;
    change(pod);
    traps.push({ name, pod });
  };
  add('no-security-context-anywhere', p => { delete p.spec.securityContext; for (const c of p.spec.containers) delete c.securityContext; });
  add('no-pod-security-context', p => { delete p.spec.securityContext; });
  add('empty-pod-security-context', p => { p.spec.securityContext = {}; });
  add('empty-container-security-context', p => { for (const c of p.spec.containers) c.securityContext = {}; });
  add('no-container-security-context', p => { for (const c of p.spec.containers) delete c.securityContext; });
  add('no-seccomp-anywhere', p => { delete p.spec.securityContext.seccompProfile; for (const c of p.spec.containers) delete c.securityContext.seccompProfile; });
  add('seccomp-container-only', p => { delete p.spec.securityContext.seccompProfile; });
  add('seccomp-pod-only', p => { for (const c of p.spec.containers) delete c.securityContext.seccompProfile; });
  add('empty-seccomp-profile', p => { p.spec.securityContext.seccompProfile = {}; });
  add('init-container-without-security-context', p => {
    p.spec.initContainers = [{ ...structuredClone(p.spec.containers[0]), name: 'init', securityContext: undefined }];
    delete p.spec.initContainers[0].securityContext;
    delete p.spec.initContainers[0].readinessProbe;
    delete p.spec.initContainers[0].livenessProbe;
  });
  add('ephemeral-container-without-security-context', p => {
    p.spec.ephemeralContainers = [{ name: 'debug', image: p.spec.containers[0].image }];
  });
  add('no-containers-security-but-pod-non-root', p => { for (const c of p.spec.containers) delete c.securityContext; p.spec.securityContext.runAsNonRoot = true; });
  add('run-as-non-root-false-on-container', p => { p.spec.containers[0].securityContext.runAsNonRoot = false; });
  add('no-capabilities', p => { delete p.spec.containers[0].securityContext.capabilities; });
  add('empty-capabilities', p => { p.spec.containers[0].securityContext.capabilities = {}; });
  add('no-resources', p => { delete p.spec.containers[0].resources; });
  add('zero-quantities', p => { p.spec.containers[0].resources = { requests: { 'cpu': '0', 'memory': '0Mi', 'ephemeral-storage': '0' }, limits: { 'cpu': '0.0', 'memory': '0', 'ephemeral-storage': '0Gi' } }; });
  add('no-volumes-no-probes', p => { delete p.spec.volumes; delete p.spec.containers[0].volumeMounts; delete p.spec.containers[0].readinessProbe; delete p.spec.containers[0].livenessProbe; });
  add('windows-with-nothing', p => { p.spec.os = { name: 'windows' }; delete p.spec.securityContext; delete p.spec.containers[0].securityContext; });
  add('image-without-tag', p => { p.spec.containers[0].image = 'registry.example.com/team/app'; });
  add('image-latest', p => { p.spec.containers[0].image = 'registry.example.com/team/app:Latest'; });
  add('image-dotted-first-component', p => { p.spec.containers[0].image = 'a_b.c/team/app:1.0'; });
  add('image-uppercase-registry', p => { p.spec.containers[0].image = 'Registry.Example.com/team/app:1.0@sha512:' + 'a'.repeat(128); });
  add('image-long-name', p => { p.spec.containers[0].image = `registry.example.com/${'a'.repeat(240)}:1.0`; });
  return traps;
}

const traps = trapCases();
for (const settings of [{ pssVersion: PssVersion.V1_27 }, { pssVersion: PssVersion.V1_25 }, { pssVersion: PssVersion.V1_33 },
  { pssVersion: PssVersion.V1_27, allowedRegistries: ['registry.example.com/team', 'docker.io'] }]) {
  for (const { name, pod } of traps) {
    for (const form of [pod, ...controllerForms(pod)]) compare(`trap ${name} ${settings.pssVersion.label}`, form, [form, ...shared], settings);
  }
}

const celCases = comparisons.filter(c => c.celCase).map(c => c.celCase!);
const results = evaluateCel(allPolicies, celCases);
const resultOf = new Map<Comparison, (typeof results)[number]>();
comparisons.filter(c => c.celCase).forEach((c, i) => resultOf.set(c, results[i]));

test('every control of the catalog declares its CEL form or why it has none', () => {
  for (const control of Controls.all()) {
    const form = control.admission({ pssVersion: PssVersion.V1_27, allowedRegistries: ['registry.example.com'] });
    expect({ id: control.id, declared: form.notEnforcedReason !== ADMISSION_NOT_DECLARED }).toEqual({ id: control.id, declared: true });
    const ruleOrReason = (form.rule !== undefined) !== (form.notEnforcedReason !== undefined);
    expect({ id: control.id, ruleOrReason }).toEqual({ id: control.id, ruleOrReason: true });
  }
});

test('the CEL of every exported policy agrees with the TypeScript check on every fixture, form and trap', () => {
  const disagreements = comparisons.filter(c => c.celCase).flatMap(c => {
    const result = resultOf.get(c)!;
    const celFails = result.verdict === 'deny';
    return celFails === c.typescriptFails ? [] : [`${c.label}: TypeScript ${c.typescriptFails ? 'fails' : 'passes'}, CEL ${result.verdict} ${result.failed.join('; ')}`];
  });
  expect({ count: disagreements.length, first: disagreements.slice(0, 30) }).toEqual({ count: 0, first: [] });
});

test('no CEL expression errors on any case (an error would refuse the object whatever it holds)', () => {
  const errors = comparisons.filter(c => c.celCase).flatMap(c => resultOf.get(c)!.failed.filter(f => /error/.test(f)).map(f => `${c.label}: ${f}`));
  expect({ count: errors.length, first: errors.slice(0, 20) }).toEqual({ count: 0, first: [] });
});

test('the comparison covers every exported control with failing and passing objects, in every controller form', () => {
  const exported = Object.keys(policiesFor({ pssVersion: PssVersion.V1_27, allowedRegistries: ['registry.example.com'] }).policies);
  for (const id of exported) {
    const mine = comparisons.filter(c => c.control.id === id && c.celCase);
    const kinds = new Set(mine.map(c => c.celCase!.object.kind));
    expect({ id, fails: mine.some(c => c.typescriptFails), passes: mine.some(c => !c.typescriptFails) }).toEqual({ id, fails: true, passes: true });
    if (Controls.byId(id).admission({ pssVersion: PssVersion.V1_27, allowedRegistries: [] }).rule!.resources.some(r => r.kind === 'CronJob')) {
      expect({ id, kinds: [...kinds].sort() }).toEqual({ id, kinds: ['CronJob', 'DaemonSet', 'Deployment', 'Job', 'Pod', 'ReplicaSet', 'ReplicationController', 'StatefulSet'] });
    }
  }
  // Reported in the integrator's log: how much the proof covers.
  // eslint-disable-next-line no-console
  console.log(`CEL agreement: ${celCases.length} evaluations of ${exported.length} policies, `
    + `${comparisons.filter(c => c.celCase && c.typescriptFails).length} refusals, ${comparisons.filter(c => !c.celCase).length} (object, policy) pairs where the policy does not match the kind`);
});
