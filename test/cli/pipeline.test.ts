import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/program';
import { sarifErrors } from '../helpers/sarif';

// The CLI as a pipeline step: version, closed pipes, paths and URIs, finding positions, schema-valid SARIF.

const ROOT = path.join(__dirname, '..', '..');

/** Runs the command line in-process, from `cwd`. */
function run(cwd: string, ...args: string[]) {
  const out = { stdout: '', stderr: '' };
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = runCli(['node', 'cdk8s-hardened', ...args], { stdout: t => { out.stdout += t; }, stderr: t => { out.stderr += t; } });
    return { code, ...out };
  } finally {
    process.chdir(before);
  }
}

function tmpDir(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'check-pipeline-')));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

// Line 6, column 26: the privileged field; the container's securityContext (column 7) has no readOnlyRootFilesystem.
const POD = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata: { name: p, namespace: x }',
  'spec:',
  '  containers:',
  '    - securityContext: { privileged: true }',
  '      name: app',
  '      image: nginx',
].join('\n');

describe('--version', () => {
  test('prints the version of package.json, exit 0', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
    expect(run(ROOT, '--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('findings point at the field, in text and SARIF', () => {
  const dir = tmpDir({ 'pod.yaml': `# comment\n---\n${POD}\n` });

  test('text: file:line:column of the offending field', () => {
    const { stdout, code } = run(dir, 'check', '--profile', 'baseline', 'pod.yaml');
    expect(stdout).toMatch(/^pod\.yaml:8:26: error privileged: Pod x\/p \/spec\/containers\/0\/securityContext\/privileged: /m);
    expect(code).toBe(1);
  });

  test('a missing field points at its nearest ancestor in the text', () => {
    const { stdout } = run(dir, 'check', 'pod.yaml');
    // readOnlyRootFilesystem is absent: the container's securityContext is the nearest ancestor that exists.
    expect(stdout).toMatch(/^pod\.yaml:8:7: error read-only-root-filesystem: Pod x\/p \/spec\/containers\/0\/securityContext\/readOnlyRootFilesystem: /m);
  });

  test('SARIF: region startLine and startColumn, a relative URI, valid against the schema', () => {
    const { stdout } = run(dir, 'check', '--profile', 'baseline', '--format', 'sarif', '.');
    const sarif = JSON.parse(stdout);
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'pod.yaml' }, region: { startLine: 8, startColumn: 26 },
    });
  });
});

describe('paths: relative below the working directory, absolute (file:// in SARIF) outside it, never ..', () => {
  const files = tmpDir({ 'in/sub dir/pod.yaml': POD, 'out/pod.yaml': POD });

  test('a file below the working directory', () => {
    const { stdout } = run(path.join(files, 'in'), 'check', '--profile', 'baseline', '--format', 'sarif', '.');
    const sarif = JSON.parse(stdout);
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('sub%20dir/pod.yaml');
  });

  test('a file outside the working directory', () => {
    const cwd = path.join(files, 'in');
    const outside = path.join(files, 'out', 'pod.yaml');
    const text = run(cwd, 'check', '--profile', 'baseline', '../out/pod.yaml');
    expect(text.stdout).toContain(`${outside}:6:26: error privileged`);
    expect(text.stdout).not.toContain('..');
    const sarif = JSON.parse(run(cwd, 'check', '--profile', 'baseline', '--format', 'sarif', '../out').stdout);
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(`file://${outside}`);
  });
});

describe('--profile restricted', () => {
  test('says nothing about exemption annotations, which it ignores (no "unused exemption" lines)', () => {
    const annotated = POD.replace('metadata: { name: p, namespace: x }', 'metadata:\n  name: p\n  namespace: x\n  annotations:\n'
      + '    exemptions.cdk8s-hardened.io/read-only-root-filesystem: \'{"reason":"vendor image rewrites its config at start"}\'');
    const dir = tmpDir({ 'pod.yaml': annotated });
    const restricted = run(dir, 'check', '--profile', 'restricted', 'pod.yaml');
    expect(restricted.stdout).toMatch(/0 unused exemptions/);
    expect(restricted.stdout).not.toMatch(/unused exemption:/);
    // Not vacuous: the hardened profile reads the annotation and uses it.
    expect(run(dir, 'check', 'pod.yaml').stdout).toMatch(/exempted by annotation: vendor image rewrites its config at start/);
  });
});

describe('end to end, as a pipeline runs it', () => {
  test('a closed pipe (check ... | head -1) ends quietly, with the check\'s exit code', () => {
    const dir = tmpDir(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`pod${i}.yaml`, POD])));
    const main = path.join(ROOT, 'src/cli/main.ts');
    const result = spawnSync('bash', ['-c', `node -r "${require.resolve('ts-node/register')}" "${main}" check . | head -1; exit \${PIPESTATUS[0]}`], {
      cwd: dir, encoding: 'utf-8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.json') },
    });
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
  });
});

test('the text output names each failed finding once (the summary keeps only its table and totals)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'once-'));
  fs.writeFileSync(path.join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers:\n    - {name: c, image: x, securityContext: {privileged: true}}\n');
  let output = '';
  runCli(['node', 'cdk8s-hardened', 'check', path.join(dir, 'pod.yaml')], { stdout: t => { output += t; }, stderr: t => { output += t; } });
  const privileged = output.split('\n').filter(l => l.includes('privileged: Pod a/p /spec/containers/0/securityContext/privileged'));
  expect(privileged).toHaveLength(1);
  expect(output).toMatch(/objects checked: \d+ errors/);
});

test('positions read in the one parse: quoted keys (read again), a List after `---`, a comment on the `---` line, comments', () => {
  const text = [
    '--- ',
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - apiVersion: v1',
    '    kind: Pod',
    '    metadata: {name: p, namespace: x}',
    '    spec:',
    '      "containers":',
    '        - name: web',
    '          image: nginx',
    '          \'securityContext\': { "privileged": true }',
    '...',
    '---\t# a comment after the separator',
    '{apiVersion: v1, kind: Pod, metadata: {name: q, namespace: x}, spec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}}',
    '---',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: r, namespace: x}',
    'spec:',
    '  containers:',
    '    # a comment',
    '    - name: c',
    '      image: x',
    '      securityContext:',
    '        privileged: true',
  ].join('\n');
  const dir = tmpDir({ 'keys.yaml': `${text}\n` });
  const { stdout } = run(dir, 'check', '--profile', 'baseline', 'keys.yaml');
  const at = (name: string) => new RegExp(`^(keys\\.yaml:\\d+:\\d+): error privileged: Pod x/${name} `, 'm').exec(stdout)?.[1];
  expect([at('p'), at('q'), at('r')]).toEqual(['keys.yaml:12:32', 'keys.yaml:15:122', 'keys.yaml:26:9']);
});

test('an expired exemption annotation fails the check, and the summary counts it as an error (never "0 errors")', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'expired-'));
  const annotation = JSON.stringify({ reason: 'debug shell for the on-call engineers, reviewed weekly', expires: '2020-01-01' });
  fs.writeFileSync(path.join(dir, 'cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: a\n  annotations:\n    exemptions.cdk8s-hardened.io/privileged: '${annotation}'\ndata: {a: b}\n`);
  let output = '';
  const code = runCli(['node', 'cdk8s-hardened', 'check', path.join(dir, 'cm.yaml')], { stdout: t => { output += t; }, stderr: t => { output += t; } });
  expect(code).toBe(1);
  expect(output).toMatch(/privileged: exemption expired on 2020-01-01/);
  expect(output).toMatch(/1 objects checked: 1 errors \(1 of them exemption problems\)/);
  expect(output).not.toMatch(/0 errors/);
});
