import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, ControlStatus, Guard, GuardReport, HardenedDeployment, REPORT_FILES } from '../../src';
import { sarifValidator } from '../helpers/sarif';
import { expectOutdirSchemaValid } from '../helpers/schema';
import { DIGEST_IMAGE, REASON } from '../helpers/synth';

function reportedApp() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  const app = new App({ outdir });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  Guard.protect(app, { writeReports: true, printSummary: false });
  new HardenedDeployment(chart, 'legacy', {
    containers: [{ image: DIGEST_IMAGE, portNumber: 8080, securityContext: { readOnlyRootFilesystem: false } }],
    exemptions: [
      { control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON, ticket: 'SEC-42', expires: '2999-01-01' },
      { control: Controls.HOST_PORTS, reason: 'kept to show that unused exemptions are reported' },
    ],
  });
  new HardenedDeployment(chart, 'web', { containers: [{ image: 'registry.example.com/shop/web:1.0.0', portNumber: 8080 }] });
  return { app, outdir };
}

describe('reports written next to the YAML', () => {
  const { app, outdir } = reportedApp();
  app.synth();
  const json = JSON.parse(fs.readFileSync(path.join(outdir, REPORT_FILES.json), 'utf-8'));
  const sarif = JSON.parse(fs.readFileSync(path.join(outdir, REPORT_FILES.sarif), 'utf-8'));

  test('the YAML written beside the reports is schema-valid', () => {
    expect(expectOutdirSchemaValid(outdir)).toBeGreaterThanOrEqual(3);
  });

  test('the JSON report gives every object a status for every control of the catalog', () => {
    expect(json.objects.length).toBeGreaterThanOrEqual(8);
    for (const object of json.objects) {
      expect(Object.keys(object.controls).sort()).toEqual(Controls.all().map(c => c.id).sort());
    }
    const deployment = json.objects.find((o: any) => o.constructPath === 'shop/legacy/Resource');
    expect(deployment.controls['read-only-root-filesystem'].status).toBe(ControlStatus.EXEMPT);
    expect(deployment.controls['allow-privilege-escalation'].status).toBe(ControlStatus.PASS);
    expect(deployment.controls['rbac-wildcard'].status).toBe(ControlStatus.NOT_APPLICABLE);
  });

  test('the JSON report lists exempted findings with their reasons, and unused exemptions', () => {
    const deployment = json.objects.find((o: any) => o.constructPath === 'shop/legacy/Resource');
    expect(deployment.controls['read-only-root-filesystem'].findings[0].exemption).toEqual({
      control: 'read-only-root-filesystem', reason: REASON, ticket: 'SEC-42', expires: '2999-01-01', scope: 'shop/legacy',
    });
    expect(json.exemptions.map((e: any) => [e.control, e.used])).toEqual([['read-only-root-filesystem', true], ['host-ports', false]]);
    expect(json.summary).toMatchObject({ errors: 0, warnings: 1, exempted: 1, unusedExemptions: 1 });
  });

  test('the JSON report carries each control\'s references', () => {
    const control = json.controls.find((c: any) => c.id === 'read-only-root-filesystem');
    expect(control.references.trivy).toContain('KSV014');
  });

  test('SARIF output is valid SARIF 2.1.0 with one rule per control', () => {
    const validate = sarifValidator({ allErrors: true });
    expect(validate(sarif) ? [] : validate.errors).toEqual([]);
    expect(sarif.runs[0].tool.driver.rules.map((r: any) => r.id)).toEqual(Controls.all().map(c => c.id));
  });

  test('SARIF results: warnings stay warnings, exempted findings are suppressed with their reason', () => {
    const results = sarif.runs[0].results;
    expect(results.find((r: any) => r.ruleId === 'image-digest').level).toBe('warning');
    const exempted = results.find((r: any) => r.ruleId === 'read-only-root-filesystem');
    expect(exempted.level).toBe('error');
    expect(exempted.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: REASON }]);
    expect(exempted.locations[0].physicalLocation.artifactLocation.uri).toBe('shop.k8s.yaml');
  });

  test('the SARIF schema check can fail', () => {
    const validate = sarifValidator();
    expect(validate({ ...sarif, version: '2.0.0' })).toBe(false);
    expect(validate({ ...sarif, $schema: 'not a uri' })).toBe(false);
  });
});

test('the summary lists failing and exempted controls, totals and unused exemptions', () => {
  const chart = Testing.chart();
  new HardenedDeployment(chart, 'legacy', {
    metadata: { namespace: 'shop' },
    containers: [{ image: 'registry.example.com/shop/web:1.0.0', portNumber: 8080, securityContext: { readOnlyRootFilesystem: false } }],
    exemptions: [{ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON }],
  });
  Testing.synth(chart);
  const summary = GuardReport.of(chart).summary();
  expect(summary).toMatch(/image-digest\s+warning\s+1\s+0/);
  expect(summary).toMatch(/read-only-root-filesystem\s+error\s+0\s+1/);
  expect(summary).toMatch(/objects checked: 0 errors, 1 warnings, 1 exempted, 0 unused exemptions/);
});

test('App.synth() prints the summary to stderr by default', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'summary-')) });
  new kplus.Deployment(new Chart(app, 'c', { namespace: 'x' }), 'plain', { containers: [{ image: DIGEST_IMAGE }] });
  new HardenedDeployment(new Chart(app, 'h', { namespace: 'x' }), 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { written.push(String(chunk)); return true; });
  try {
    app.synth();
  } finally {
    spy.mockRestore();
  }
  expect(written.join('')).toMatch(/cdk8s-hardened guard:\n[\s\S]*objects checked: 0 errors, 0 warnings/);
});
