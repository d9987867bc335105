import * as path from 'path';
import { Yaml } from 'cdk8s';
import { Controls } from '../../src/controls/controls';
import { ControlContext } from '../../src/controls/core/control';
import { PssVersion } from '../../src/controls/core/pss-version';
import { annotation, controllerForms, FIXTURE_ANNOTATIONS, FIXTURES_DIR, loadFixtures } from '../helpers/fixtures';
import { expectSchemaValid } from '../helpers/schema';

// Kyverno-style fixtures: test/fixtures/<control-id>/{pass,fail}/*.yaml. Every fixture is evaluated
// against the whole catalog: a pass fixture fails no control at all, a fail fixture fails exactly the
// controls it expects (by default its folder's control), and so does every pod-controller form of it.

function contextOf(manifest: any): ControlContext {
  const pss = annotation(manifest, FIXTURE_ANNOTATIONS.pssVersion);
  const registries = annotation(manifest, FIXTURE_ANNOTATIONS.allowedRegistries);
  return {
    pssVersion: pss ? PssVersion.of(pss) : PssVersion.V1_27,
    allowedRegistries: registries ? registries.split(',').map(r => r.trim()) : undefined,
  };
}

function failingControls(manifest: any, context: ControlContext): Record<string, string[]> {
  const failing: Record<string, string[]> = {};
  for (const control of Controls.all()) {
    if (!control.appliesTo(manifest, context)) continue;
    const violations = control.check(manifest, context);
    if (violations.length > 0) {
      failing[control.id] = violations.map(v => v.pointer);
    }
  }
  return failing;
}

function formsOf(manifest: any): any[] {
  const wrap = manifest.kind === 'Pod' && annotation(manifest, FIXTURE_ANNOTATIONS.forms) !== 'as-is';
  return wrap ? [manifest, ...controllerForms(manifest)] : [manifest];
}

const fixtures = loadFixtures();
const controlIds = Controls.all().map(c => c.id);

test('the compliant base pod passes every control in every controller form', () => {
  const [pod] = Yaml.load(path.join(FIXTURES_DIR, 'compliant-pod.yaml'));
  for (const form of formsOf(pod)) {
    expect({ kind: form.kind, failing: failingControls(form, contextOf(form)) }).toEqual({ kind: form.kind, failing: {} });
  }
});

test('every control has pass and fail fixtures', () => {
  for (const id of controlIds) {
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
  const forms = formsOf(fixture.manifest);

  test('is schema-valid in every form', () => {
    expectSchemaValid(forms);
  });

  test.each(forms.map(f => [f.kind, f] as const))(`${fixture.verdict}s as %s`, (_kind, form) => {
    const context = contextOf(fixture.manifest);
    const failing = failingControls(form, context);
    const declared = annotation(fixture.manifest, FIXTURE_ANNOTATIONS.expect);
    const expected = fixture.verdict === 'pass' ? [] : (declared ? declared.split(',').map(s => s.trim()) : [fixture.controlId]);
    expect(Object.keys(failing).sort()).toEqual([...expected].sort());
    if (fixture.verdict === 'fail') {
      // The fixture's own control must point into the pod template, not at the object as a whole.
      for (const p of failing[fixture.controlId] ?? []) {
        expect(p).toMatch(/^\/(spec|template|metadata)/);
      }
    }
  });
});
