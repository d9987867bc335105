import * as path from 'path';
import { Controls } from '../../src/controls/controls';
import { ControlContext } from '../../src/controls/core/control';
import { PssVersion } from '../../src/controls/core/pss-version';
import { annotation, controllerForms, Fixture, FIXTURE_ANNOTATIONS, FIXTURES_DIR, loadFixtures, loadSharedObjects, loadYamlFile } from '../helpers/fixtures';
import { expectSchemaValid } from '../helpers/schema';

// Kyverno-style fixtures: test/fixtures/<control-id>/{pass,fail}/*.yaml. The documents of a file are evaluated
// together (as one app, with test/fixtures/_shared/) against the whole catalog: a pass fixture fails no control
// at all, a fail fixture fails exactly the controls it expects (by default its folder's control). A file holding
// one Pod is also evaluated in every pod-controller form.

// The derived controller forms run one replica with no PodDisruptionBudget; availability has its own fixtures.
const NOT_FOR_DERIVED_FORMS = new Set(['replicas', 'pod-disruption-budget', 'topology-spread']);

const shared = loadSharedObjects();

function contextOf(manifest: any, objects: any[]): ControlContext {
  const pss = annotation(manifest, FIXTURE_ANNOTATIONS.pssVersion);
  const registries = annotation(manifest, FIXTURE_ANNOTATIONS.allowedRegistries);
  return {
    pssVersion: pss ? PssVersion.of(pss) : PssVersion.V1_27,
    allowedRegistries: registries ? registries.split(',').map(r => r.trim()) : undefined,
    objects,
  };
}

/** Control id -> violation pointers, over every document of one evaluation (shared objects excluded). */
function failingControls(manifests: any[], settingsFrom: any, derived = false): Record<string, string[]> {
  const objects = [...manifests, ...shared];
  const context = contextOf(settingsFrom, objects);
  const failing: Record<string, string[]> = {};
  for (const manifest of manifests) {
    for (const control of Controls.all()) {
      if (derived && NOT_FOR_DERIVED_FORMS.has(control.id)) continue;
      if (!control.appliesTo(manifest, context)) continue;
      const violations = control.check(manifest, context);
      if (violations.length > 0) {
        failing[control.id] = [...(failing[control.id] ?? []), ...violations.map(v => v.pointer)];
      }
    }
  }
  return failing;
}

/** The evaluations of a fixture: the file as written, plus the controller forms of a lone Pod. */
function evaluationsOf(fixture: Fixture): Array<{ name: string; manifests: any[]; derived: boolean }> {
  const [only] = fixture.manifests;
  const asWritten = { name: fixture.manifests.map(m => m.kind).join('+'), manifests: fixture.manifests, derived: false };
  const wrap = fixture.manifests.length === 1 && only.kind === 'Pod' && annotation(only, FIXTURE_ANNOTATIONS.forms) !== 'as-is';
  return wrap ? [asWritten, ...controllerForms(only).map(f => ({ name: f.kind, manifests: [f], derived: true }))] : [asWritten];
}

const fixtures = loadFixtures();
const controlIds = Controls.all().map(c => c.id);
// synthesis-integrity judges what the guard is given at synthesis (the CLI splits Lists and honours exemption
// annotations instead): its cases are the bypass catalogue's, in test/guard/bypasses/.
const SYNTHESIS_ONLY = new Set([Controls.SYNTHESIS_INTEGRITY.id]);

test('the compliant base pod passes every control in every controller form', () => {
  const [pod] = loadYamlFile(path.join(FIXTURES_DIR, 'compliant-pod.yaml'));
  expect(failingControls([pod], pod)).toEqual({});
  for (const form of controllerForms(pod)) {
    expect({ kind: form.kind, failing: failingControls([form], pod, true) }).toEqual({ kind: form.kind, failing: {} });
  }
});

test('every control has pass and fail fixtures', () => {
  for (const id of controlIds.filter(c => !SYNTHESIS_ONLY.has(c))) {
    expect({ id, pass: fixtures.some(f => f.controlId === id && f.verdict === 'pass') }).toEqual({ id, pass: true });
    expect({ id, fail: fixtures.some(f => f.controlId === id && f.verdict === 'fail') }).toEqual({ id, fail: true });
  }
});

test('fixture folders name catalog controls', () => {
  for (const fixture of fixtures) {
    expect(controlIds).toContain(fixture.controlId);
  }
});

describe.each(fixtures.map(f => [f.file, f] as const))('%s', (_file, fixture) => {
  const evaluations = evaluationsOf(fixture);

  // kubernetes-schema's own fixtures are schema-invalid on purpose, or custom resources: the control is their check.
  (fixture.controlId === 'kubernetes-schema' ? test.skip : test)('is schema-valid in every form', () => {
    expectSchemaValid(evaluations.flatMap(e => e.manifests));
  });

  test.each(evaluations.map(e => [e.name, e] as const))(`${fixture.verdict}s as %s`, (_name, evaluation) => {
    const failing = failingControls(evaluation.manifests, fixture.manifest, evaluation.derived);
    const declared = annotation(fixture.manifest, FIXTURE_ANNOTATIONS.expect);
    const expected = fixture.verdict === 'pass' ? [] : (declared ? declared.split(',').map(s => s.trim()) : [fixture.controlId]);
    expect(Object.keys(failing).sort()).toEqual([...expected].filter(id => !(evaluation.derived && NOT_FOR_DERIVED_FORMS.has(id))).sort());
    if (fixture.verdict === 'fail') {
      // The fixture's own control points at a field, not at the object as a whole.
      for (const p of failing[fixture.controlId] ?? []) {
        expect(p).toMatch(/^\/./);
      }
    }
  });
});
