import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { check, inputFiles, loadManifests } from '../../src/cli/check';
import { PssVersion } from '../../src/controls/core/pss-version';
import { Profile } from '../../src/controls/profile';
import { Finding } from '../../src/guard/finding';
import { annotation, Fixture, FIXTURE_ANNOTATIONS, FIXTURES_DIR, loadFixtures } from '../helpers/fixtures';
import { sarifErrors } from '../helpers/sarif';

const ROOT = path.join(__dirname, '..', '..');
const COMPLIANT = fs.readFileSync(path.join(FIXTURES_DIR, 'compliant-pod.yaml'), 'utf-8');
const DEFAULT_DENY = fs.readFileSync(path.join(FIXTURES_DIR, '_shared', 'fixtures-namespace-default-deny.yaml'), 'utf-8');

/** Runs the real command line (TypeScript sources through ts-node) and returns its exit code and output. */
function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT, encoding: 'utf-8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.json') },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tmpFiles(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The control ids reported per fixture file (findings are located `file:line`). */
function controlsByFile(findings: Finding[]): Map<string, Set<string>> {
  const reported = new Map<string, Set<string>>();
  for (const finding of findings) {
    const file = finding.constructPath.replace(/:\d+$/, '');
    reported.set(file, new Set([...(reported.get(file) ?? []), finding.controlId]));
  }
  return reported;
}

/** What a fixture must report: nothing when it passes, else its expect annotation or its folder's control. */
function expectedControls(f: Fixture): string[] {
  const declared = annotation(f.manifest, FIXTURE_ANNOTATIONS.expect);
  return f.verdict === 'pass' ? [] : (declared ? declared.split(',').map(s => s.trim()) : [f.controlId]);
}

describe('on the fixtures folder, the CLI reports exactly what each fixture expects', () => {
  // Fixtures that need other settings (PSS version, registry allow-list) are checked in a run with those flags.
  const fixtures = loadFixtures();
  const settingsOf = (f: (typeof fixtures)[number]) => [
    annotation(f.manifest, FIXTURE_ANNOTATIONS.pssVersion) ?? 'v1.27',
    annotation(f.manifest, FIXTURE_ANNOTATIONS.allowedRegistries) ?? '',
  ].join('|');
  const groups = new Map<string, typeof fixtures>();
  for (const f of fixtures) groups.set(settingsOf(f), [...(groups.get(settingsOf(f)) ?? []), f]);

  test.each([...groups.keys()])('settings %s', settings => {
    const [pss, registries] = settings.split('|');
    const group = groups.get(settings)!;
    const files = [...group.map(f => path.join(FIXTURES_DIR, f.file)), path.join(FIXTURES_DIR, '_shared')];
    const result = check(loadManifests(inputFiles(files), FIXTURES_DIR), {
      format: 'text', pssVersion: PssVersion.of(pss), allowedRegistries: registries ? registries.split(',').map(r => r.trim()) : undefined, cwd: FIXTURES_DIR,
    });
    const reported = controlsByFile(result.report.findings);
    for (const f of group) {
      const expected = [...expectedControls(f)].sort();
      expect({ file: f.file, controls: [...(reported.get(f.file) ?? [])].sort() }).toEqual({ file: f.file, controls: expected });
    }
    expect(result.exitCode).toBe(group.some(f => f.verdict === 'fail') ? 1 : 0);
  });
});

describe('exit codes and messages of the real command', () => {
  test('0 for compliant input, with the summary', () => {
    const dir = tmpFiles({ 'pod.yaml': `${COMPLIANT}---\n${DEFAULT_DENY}` });
    const { code, stdout } = cli('check', dir);
    expect(stdout).toMatch(/2 objects checked: 0 errors, 0 warnings/);
    expect(code).toBe(0);
  });

  test('1 for errors, one line per finding with file:line:column of the field, control, object, pointer and fix', () => {
    const dir = tmpFiles({ 'pod.yaml': `${DEFAULT_DENY}---\n${COMPLIANT.replace('privileged: false', 'privileged: true')}` });
    const { code, stdout } = cli('check', path.join(dir, 'pod.yaml'));
    const line = `${DEFAULT_DENY}---\n${COMPLIANT}`.split('\n').findIndex(l => l.includes('privileged: false')) + 1;
    expect(stdout).toMatch(new RegExp(`pod\\.yaml:${line}:9: error privileged: Pod fixtures/compliant /spec/containers/0/securityContext/privileged: .*; `));
    expect(code).toBe(1);
  });

  test('2 for invalid YAML, with file:line and no stack trace', () => {
    const dir = tmpFiles({ 'bad.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n' });
    const { code, stderr } = cli('check', dir);
    expect(stderr).toMatch(/^cdk8s-hardened: .*bad\.yaml:\d+: invalid YAML: /);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
  });

  test('2 for a document that is not a Kubernetes object, a missing path, or a bad flag', () => {
    const dir = tmpFiles({ 'notk8s.yaml': 'just: a map\n' });
    expect(cli('check', dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/notk8s\.yaml:1: document is not a Kubernetes object: it has no kind/) });
    expect(cli('check', path.join(dir, 'missing.yaml'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/no such file or directory/) });
    expect(cli('check', '--format', 'xml', dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--format.*xml.*invalid|Allowed choices/) });
    expect(cli('check', '--pss-version', 'latest', dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/PSS version 'latest' is not supported/) });
  });

  test('List kinds are flattened and multi-document files read whole', () => {
    const [pod] = Yaml.load(path.join(FIXTURES_DIR, 'compliant-pod.yaml'));
    const list = `apiVersion: v1\nkind: List\nitems:\n  - ${JSON.stringify(pod)}\n`;
    const dir = tmpFiles({ 'list.yaml': `${list}---\n${DEFAULT_DENY}` });
    const manifests = loadManifests(inputFiles([dir]), dir);
    expect(manifests.map(m => m.json.kind)).toEqual(['Pod', 'NetworkPolicy']);
  });

  test('SARIF output validates against the SARIF 2.1.0 schema and carries file and line', () => {
    const dir = tmpFiles({ 'pod.yaml': `${DEFAULT_DENY}---\n${COMPLIANT.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false')}` });
    const { code, stdout } = cli('check', '--format', 'sarif', dir);
    const sarif = JSON.parse(stdout);
    expect(sarifErrors(sarif)).toEqual([]);
    const [result] = sarif.runs[0].results;
    expect(result.ruleId).toBe('read-only-root-filesystem');
    expect(result.locations[0].physicalLocation.region.startLine).toBeGreaterThan(1);
    expect(code).toBe(1);
  });
});

describe('exemption annotations in YAML are honoured and checked like the library\'s', () => {
  const weakened = (annotationValue: string) => `${DEFAULT_DENY}---\n${COMPLIANT
    .replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false')
    .replace('  namespace: fixtures\n', `  namespace: fixtures\n  annotations:\n    exemptions.cdk8s-hardened.io/read-only-root-filesystem: '${annotationValue}'\n`)}`;
  const run = (text: string) => check(loadManifests([path.join(tmpFiles({ 'x.yaml': text }), 'x.yaml')], '/'), {
    format: 'json', pssVersion: PssVersion.V1_27, cwd: '/',
  });

  test('a valid exemption covers its control: exit 0, listed with its reason', () => {
    const result = run(weakened('{"reason":"vendor image rewrites its config at start","ticket":"SEC-1"}'));
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.output);
    expect(json.exemptions).toEqual([expect.objectContaining({ control: 'read-only-root-filesystem', reason: 'vendor image rewrites its config at start', used: true })]);
  });

  test.each([
    ['a short reason', '{"reason":"needed"}', /reason "needed" is 6 characters long/],
    ['an expired date', '{"reason":"vendor image rewrites its config at start","expires":"2001-01-01"}', /exemption expired on 2001-01-01/],
    ['a malformed value', 'not json', /is not a JSON object/],
  ])('%s fails the check (exit 1)', (_name, value, message) => {
    const result = run(weakened(value));
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.output).exemptionProblems.join('\n')).toMatch(message);
  });
});

describe('--profile: restricted and baseline are exactly the Pod Security Standards levels', () => {
  // A pod that meets PSS restricted but not the rest of the catalog: no read-only root, no resources, uid 1000.
  const PSS_RESTRICTED_POD = [
    'apiVersion: v1', 'kind: Pod', 'metadata: { name: pss, namespace: default }', 'spec:',
    '  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }',
    '  containers:',
    '  - name: app',
    '    image: nginx',
    '    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }',
  ].join('\n');
  const podWith = (edit: (text: string) => string) => tmpFiles({ 'pod.yaml': edit(PSS_RESTRICTED_POD) });
  const controlsOf = (stdout: string) => [...new Set(JSON.parse(stdout).objects.flatMap((o: any) => Object.entries<any>(o.controls)
    .filter(([, c]) => c.status === 'fail').map(([id]) => id)))].sort();

  test('a PSS-restricted pod passes restricted and baseline, and fails the hardened default profile', () => {
    const dir = podWith(t => t);
    expect(cli('check', '--profile', 'restricted', dir)).toMatchObject({ code: 0 });
    expect(cli('check', '--profile', 'baseline', dir)).toMatchObject({ code: 0 });
    const hardened = cli('check', '--format', 'json', dir);
    expect(hardened.code).toBe(1);
    expect(controlsOf(hardened.stdout)).toEqual(expect.arrayContaining(['read-only-root-filesystem', 'resource-limits', 'image-pinned']));
  });

  test('restricted-only rules fail restricted but not baseline', () => {
    const dir = podWith(t => t.replace('allowPrivilegeEscalation: false, ', ''));
    const restricted = cli('check', '--profile', 'restricted', '--format', 'json', dir);
    expect(restricted.code).toBe(1);
    expect(controlsOf(restricted.stdout)).toEqual(['allow-privilege-escalation']);
    expect(cli('check', '--profile', 'baseline', dir)).toMatchObject({ code: 0 });
  });

  test('as in PSA, restricted reports hostPath under volume-types and Unconfined under seccomp-required (overridden baseline checks)', () => {
    const dir = podWith(t => `${t.replace('type: RuntimeDefault', 'type: Unconfined')}\n  volumes: [{ name: h, hostPath: { path: /var/log } }]`);
    const restricted = cli('check', '--profile', 'restricted', '--format', 'json', dir);
    expect(controlsOf(restricted.stdout)).toEqual(['seccomp-required', 'volume-types']);
    const baseline = cli('check', '--profile', 'baseline', '--format', 'json', dir);
    expect(controlsOf(baseline.stdout)).toEqual(['host-path-volumes', 'seccomp-not-unconfined']);
    expect(JSON.parse(baseline.stdout).profile).toBe('baseline');
    expect(JSON.parse(baseline.stdout).controls.map((c: any) => c.id)).not.toContain('read-only-root-filesystem');
    expect([restricted.code, baseline.code]).toEqual([1, 1]);
  });

  test('an unknown profile is a usage error (exit 2)', () => {
    const { code, stderr } = cli('check', '--profile', 'strict', podWith(t => t));
    expect(stderr).toMatch(/--profile.*'strict'.*hardened, restricted, baseline/);
    expect(code).toBe(2);
  });
});

describe('on the fixtures folder, each PSS profile reports the expected controls it contains, and nothing else', () => {
  const fixtures = loadFixtures().filter(f => !annotation(f.manifest, FIXTURE_ANNOTATIONS.allowedRegistries));
  // Restricted checks that override a baseline check in PSA report its failures instead.
  const OVERRIDDEN_IN_RESTRICTED: Record<string, string> = {
    'host-path-volumes': 'volume-types', 'seccomp-not-unconfined': 'seccomp-required', 'capabilities-baseline': 'capabilities-drop-all',
  };

  test.each([Profile.PSS_BASELINE, Profile.PSS_RESTRICTED].map(p => [p.name, p] as const))('%s', (_name, profile) => {
    const inProfile = new Set(profile.controls.map(c => c.id));
    const versions = [...new Set(fixtures.map(f => annotation(f.manifest, FIXTURE_ANNOTATIONS.pssVersion) ?? 'v1.27'))];
    let failing = 0;
    for (const version of versions) {
      const group = fixtures.filter(f => (annotation(f.manifest, FIXTURE_ANNOTATIONS.pssVersion) ?? 'v1.27') === version);
      const files = [...group.map(f => path.join(FIXTURES_DIR, f.file)), path.join(FIXTURES_DIR, '_shared')];
      const result = check(loadManifests(inputFiles(files), FIXTURES_DIR), { format: 'json', profile, pssVersion: PssVersion.of(version), cwd: FIXTURES_DIR });
      const reported = controlsByFile(result.report.findings);
      for (const f of group) {
        const mapped = expectedControls(f).map(id => (profile === Profile.PSS_RESTRICTED ? OVERRIDDEN_IN_RESTRICTED[id] ?? id : id));
        const expected = [...new Set(mapped.filter(id => inProfile.has(id)))].sort();
        if (expected.length) failing++;
        expect({ file: f.file, controls: [...(reported.get(f.file) ?? [])].sort() }).toEqual({ file: f.file, controls: expected });
      }
    }
    // Not vacuous: the profile's own fail fixtures are among those checked.
    expect(failing).toBeGreaterThanOrEqual(inProfile.size);
  });
});

describe('YAML input as kubectl reads it, and input that would exhaust the checker', () => {
  test('a field merged in from an anchor (<<) is checked like any other', () => {
    // `<<` first in its mapping: where it comes after other keys, kubectl and YAML 1.2 readers merge differently (refused).
    const dir = tmpFiles({
      'merge.yaml': COMPLIANT.replace('privileged: false\n        ', '').replace('runAsNonRoot: true\n        runAsUser', '<<: *escalate\n        runAsNonRoot: true\n        runAsUser')
        .replace('apiVersion: v1', 'x-defaults: &escalate { privileged: true }\napiVersion: v1'),
    });
    const { code, stdout } = cli('check', '--profile', 'baseline', dir);
    expect(stdout).toMatch(/error privileged: Pod fixtures\/compliant \/spec\/containers\/0\/securityContext\/privileged/);
    expect(code).toBe(1);
  });

  test('each finding of a multi-document file is reported at its field\'s line and column', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: x }\nspec: { hostNetwork: true, containers: [{ name: a, image: "a:1" }] }\n';
    const dir = tmpFiles({ 'multi.yaml': `# leading comment\n${pod}---\n\n# second\n${pod.replace('name: p', 'name: q')}--- # a comment after the separator\n{apiVersion: v1, kind: Pod, metadata: {name: r, namespace: x}, spec: {hostPID: true, containers: []}}\n` });
    const { stdout } = cli('check', '--profile', 'baseline', path.join(dir, 'multi.yaml'));
    expect(stdout).toMatch(/multi\.yaml:5:9: error host-namespaces: Pod x\/p \/spec\/hostNetwork/);
    expect(stdout).toMatch(/multi\.yaml:12:9: error host-namespaces: Pod x\/q \/spec\/hostNetwork/);
    expect(stdout).toMatch(/multi\.yaml:14:71: error host-namespaces: Pod x\/r \/spec\/hostPID/);
  });

  test('a date stays the string it is in the file (no timestamp conversion)', () => {
    const dir = tmpFiles({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: x, annotations: { since: 2030-01-01 } }\n' });
    const { stdout } = cli('check', '--format', 'json', dir);
    expect(JSON.parse(stdout).objects[0]).toMatchObject({ kind: 'ConfigMap', name: 'c' });
    const [manifest] = loadManifests(inputFiles([path.join(dir, 'cm.yaml')]), dir);
    expect(manifest.json.metadata.annotations.since).toBe('2030-01-01');
  });

  test('duplicate keys are invalid YAML (exit 2, file:line)', () => {
    const dir = tmpFiles({ 'dup.yaml': 'apiVersion: v1\nkind: Pod\nkind: Service\nmetadata: { name: d }\n' });
    const { code, stderr } = cli('check', dir);
    expect(stderr).toMatch(/^cdk8s-hardened: .*dup\.yaml:3: invalid YAML: duplicated mapping key/);
    expect(code).toBe(2);
  });

  test('an alias bomb and a self-referencing alias are refused (exit 2), not expanded', () => {
    const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 8; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    const dir = tmpFiles({
      'bomb.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: b }\ndata:\n${levels.map(l => `  ${l}`).join('\n')}\n`,
      'loop.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m { name: l, self: *m }\n',
    });
    const bomb = cli('check', path.join(dir, 'bomb.yaml'));
    expect(bomb.stderr).toMatch(/bomb\.yaml:1: (YAML aliases expand this document to \d+ nodes \(more than 1000000\)|\d+% of this document's first \d+ nodes come from YAML aliases)/);
    expect(bomb.code).toBe(2);
    const loop = cli('check', path.join(dir, 'loop.yaml'));
    expect(loop.stderr).toMatch(/loop\.yaml:1: (the document contains itself through a YAML alias|invalid YAML)/);
    expect(loop.code).toBe(2);
  });
});
