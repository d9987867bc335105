import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, ControlStatus, Guard, GuardReport, HardenedDeployment, REPORT_FILES } from '../../src';
import { runCli } from '../../src/cli/program';
import { sarifValidator } from '../helpers/sarif';
import { expectOutdirSchemaValid } from '../helpers/schema';
import { DIGEST_IMAGE, expiresIn, REASON } from '../helpers/synth';

const EXPIRES = expiresIn(180);

/** An app writing its YAML to `<temporary folder>/dist`, with the default reportsDir. */
function reportedApp() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  const outdir = path.join(root, 'dist');
  const app = new App({ outdir });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  Guard.protect(app, { writeReports: true, printSummary: false });
  new HardenedDeployment(chart, 'legacy', {
    containers: [{ image: DIGEST_IMAGE, portNumber: 8080, securityContext: { readOnlyRootFilesystem: false } }],
    exemptions: [
      { control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON, ticket: 'SEC-42', expires: EXPIRES },
      { control: Controls.HOST_PORTS, reason: 'kept to show that unused exemptions are reported' },
    ],
  });
  new HardenedDeployment(chart, 'web', { containers: [{ image: 'registry.example.com/shop/web:1.0.0', portNumber: 8080 }] });
  return { app, root, outdir };
}

describe('reports written to cdk8s-hardened-reports beside the output folder', () => {
  const { app, root, outdir } = reportedApp();
  app.synth();
  const reportsDir = path.join(root, 'cdk8s-hardened-reports');
  const json = JSON.parse(fs.readFileSync(path.join(reportsDir, REPORT_FILES.json), 'utf-8'));
  const sarif = JSON.parse(fs.readFileSync(path.join(reportsDir, REPORT_FILES.sarif), 'utf-8'));

  test('the output folder holds only the YAML, which is schema-valid', () => {
    expect(fs.readdirSync(outdir).filter(f => !f.endsWith('.k8s.yaml'))).toEqual([]);
    expect(expectOutdirSchemaValid(outdir)).toBeGreaterThanOrEqual(3);
  });

  test('cdk8s-hardened check reads the output folder as it is (exit 0: only a warning, no usage error)', () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const exitCode = runCli(['node', 'cdk8s-hardened', 'check', outdir], { stdout: t => stdout.push(t), stderr: t => stderr.push(t) });
    expect({ exitCode, stderr: stderr.join('') }).toEqual({ exitCode: 0, stderr: '' });
    expect(stdout.join('')).toMatch(/image-digest\s+warning\s+1/);
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
      control: 'read-only-root-filesystem', reason: REASON, ticket: 'SEC-42', expires: EXPIRES, scope: 'shop/legacy',
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

describe('GuardOptions.reportsDir', () => {
  /** An app whose only object passes, writing YAML to `<temporary folder>/dist`. */
  const appIn = (root: string) => {
    const app = new App({ outdir: path.join(root, 'dist') });
    new HardenedDeployment(new Chart(app, 'shop', { namespace: 'shop' }), 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    return app;
  };

  test('writes the reports to the folder given, relative to the working directory as cdk8s\' outdir', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reports-dir-'));
    const app = appIn(root);
    const reportsDir = path.relative(process.cwd(), path.join(root, 'audit', 'guard'));
    Guard.protect(app, { writeReports: true, printSummary: false, reportsDir });
    app.synth();
    expect(fs.readdirSync(path.join(root, 'audit', 'guard')).sort()).toEqual([REPORT_FILES.json, REPORT_FILES.sarif]);
    expect(fs.readdirSync(path.join(root, 'dist'))).toEqual(['shop.k8s.yaml']);
    expect(fs.existsSync(path.join(root, 'cdk8s-hardened-reports'))).toBe(false);
  });

  test.each([
    ['the output folder itself', (outdir: string) => outdir],
    ['a folder inside it', (outdir: string) => path.join(outdir, 'reports')],
    ['a folder inside it, written with ..', (outdir: string) => path.join(outdir, 'reports', '..', '..', 'dist', 'x')],
  ])('refuses %s, naming the option, both folders and a fix', (_, dirOf) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reports-dir-'));
    const app = appIn(root);
    const outdir = path.join(root, 'dist');
    const reportsDir = dirOf(outdir);
    expect(() => Guard.protect(app, { writeReports: true, reportsDir })).toThrow(
      `cdk8s-hardened guard: GuardOptions.reportsDir: ${JSON.stringify(reportsDir)} (${path.resolve(reportsDir)}) is inside the app's output `
      + `folder ${outdir}, where \`kubectl apply -f\` and \`cdk8s-hardened check\` would read the reports as manifests and fail; `
      + `give a folder outside it, e.g. reportsDir: ${JSON.stringify(path.join(root, 'cdk8s-hardened-reports'))}`);
  });

  test('accepts a sibling whose name starts like the output folder\'s', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reports-dir-'));
    const app = appIn(root);
    Guard.protect(app, { writeReports: true, printSummary: false, reportsDir: path.join(root, 'dist-reports') });
    app.synth();
    expect(fs.readdirSync(path.join(root, 'dist-reports'))).toHaveLength(2);
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

test('the summary names the object and field of each failed finding under the table, five per control, then counts the rest', () => {
  const chart = Testing.chart();
  // Seven tagged images: seven image-digest warnings; one writable root filesystem: one error.
  for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
    new HardenedDeployment(chart, id, { metadata: { namespace: 'shop' }, containers: [{ image: 'registry.example.com/shop/web:1.0.0', portNumber: 8080 }] });
  }
  new HardenedDeployment(chart, 'writer', {
    metadata: { namespace: 'shop' },
    containers: [{ image: DIGEST_IMAGE, portNumber: 8080, securityContext: { readOnlyRootFilesystem: false } }],
  });
  expect(() => Testing.synth(chart)).toThrow(/read-only-root-filesystem/);
  const lines = GuardReport.of(chart).summary().split('\n');
  const named = lines.slice(lines.indexOf('failed findings (first 5 per control):') + 1, lines.findIndex(l => / objects checked: /.test(l)));
  expect(lines.indexOf('failed findings (first 5 per control):')).toBeGreaterThan(lines.findIndex(l => /^image-digest\s+warning\s+7\s+0$/.test(l)));
  expect(named[0]).toContain(': containers[0] \'main\' has image \'registry.example.com/shop/web:1.0.0\' with no @sha256: digest; Append the digest');
  expect(named.map(l => l.replace(/c8[0-9a-f]{6}/g, '<hash>').replace(/(\/image): containers\[0\] 'main' has image .*$/, '$1'))).toEqual([
    ...['a', 'b', 'c', 'd', 'e'].map(id => `  [test/${id}/Resource] image-digest: Deployment shop/test-${id}-<hash> /spec/template/spec/containers/0/image`),
    '  ... and 2 more image-digest finding(s)',
    expect.stringMatching(/^ {2}\[test\/writer\/Resource\] read-only-root-filesystem: Deployment shop\/test-writer-<hash> \/spec\/template\/spec\/containers\/0\/securityContext\/readOnlyRootFilesystem: .+; .+/),
  ]);
});

test('the summary names nothing when nothing failed', () => {
  const chart = Testing.chart();
  new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
  Testing.synth(chart);
  expect(GuardReport.of(chart).summary()).not.toContain('failed findings');
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

describe('a date pinned by CDK8S_HARDENED_TODAY is said in every rendering of the report', () => {
  const saved = process.env.CDK8S_HARDENED_TODAY;
  afterEach(() => {
    if (saved === undefined) delete process.env.CDK8S_HARDENED_TODAY; else process.env.CDK8S_HARDENED_TODAY = saved;
  });
  const notice = 'today is pinned to 2030-06-15 by CDK8S_HARDENED_TODAY: exemption expiries were judged on that date, not the real one';
  const report = () => {
    const chart = Testing.chart();
    new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    Testing.synth(chart);
    return GuardReport.of(chart);
  };

  test('pinned: the summary starts with it, the JSON and SARIF carry it (SARIF still valid)', () => {
    process.env.CDK8S_HARDENED_TODAY = '2030-06-15';
    const r = report();
    expect(r.summary().split('\n')[0]).toBe(notice);
    expect(r.toJson().today).toEqual({ date: '2030-06-15', pinned: true, notice });
    const sarif = r.toSarif();
    expect(sarif.runs[0].properties).toEqual({ today: '2030-06-15', todayPinned: true });
    expect(sarif.runs[0].invocations[0].toolConfigurationNotifications).toEqual([{ level: 'warning', message: { text: notice } }]);
    const validate = sarifValidator({ allErrors: true });
    expect(validate(sarif) ? [] : validate.errors).toEqual([]);
  });

  test('not pinned: no notice and no date (reports stay the same from day to day)', () => {
    delete process.env.CDK8S_HARDENED_TODAY;
    const r = report();
    expect(r.summary()).not.toContain('CDK8S_HARDENED_TODAY');
    expect(r.toJson().today).toBeUndefined();
    expect(JSON.stringify(r.toJson())).not.toContain(new Date().toISOString().slice(0, 10));
    expect(r.toSarif().runs[0].properties).toBeUndefined();
    expect(r.toSarif().runs[0].invocations).toBeUndefined();
  });
});
