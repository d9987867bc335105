// Every example, synthesized and scanned by @monokle/validation (an external scanner users run), offline: any finding
// not listed with its reason in monokle-accepted.json fails, and so does an accepted entry that no longer occurs.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { withoutGuardSummary } from '../helpers/synth';

interface Finding { rule: string; level: string; object: string; file: string; message: string; element?: string }
interface Accepted { rule: string; message?: string; kinds?: string[]; objects?: string[]; reason: string }

const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples');
const SCAN = path.join(__dirname, 'monokle', 'scan.mjs');
const ACCEPTED: Accepted[] = JSON.parse(fs.readFileSync(path.join(__dirname, 'monokle-accepted.json'), 'utf8')).accepted;

/** Every example app: a directory of examples/ whose main.ts exports buildApp(outdir) (the ones synth-all.ts runs). */
function examples(): string[] {
  return fs.readdirSync(EXAMPLES_DIR).filter(name => fs.existsSync(path.join(EXAMPLES_DIR, name, 'main.ts'))).sort();
}

function scan(files: string[]): { plugins: string[]; resources: number; findings: Finding[] } {
  const out = execFileSync(process.execPath, [SCAN, ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out);
}

function covers(entry: Accepted, finding: Finding): boolean {
  return entry.rule === finding.rule
    && (entry.message === undefined || new RegExp(entry.message).test(finding.message))
    && (entry.kinds === undefined || entry.kinds.includes(finding.object.split(' ')[0]))
    && (entry.objects === undefined || entry.objects.includes(finding.object));
}

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'monokle-examples-'));
const files: string[] = [];
let result: ReturnType<typeof scan>;

beforeAll(() => {
  for (const name of examples()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildApp } = require(path.join(EXAMPLES_DIR, name, 'main'));
    expect(typeof buildApp).toBe('function');
    withoutGuardSummary(() => buildApp(path.join(outdir, name)).synth());
    files.push(...fs.readdirSync(path.join(outdir, name)).filter(f => f.endsWith('.yaml')).map(f => path.join(outdir, name, f)));
  }
  result = scan([...files, path.join(__dirname, 'monokle', 'known-bad.yaml')]);
}, 120_000);

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

test('the scan covers every example and runs every core plugin but the schema one (fetched online)', () => {
  expect(examples()).toEqual(expect.arrayContaining(['node-agent', 'shop']));
  expect(files.length).toBeGreaterThanOrEqual(examples().length);
  expect(result.plugins.sort()).toEqual(['metadata', 'open-policy-agent', 'pod-security-standards', 'practices', 'resource-links', 'yaml-syntax']);
});

test('the scanner finds what it should on a known-bad pod (the Trivy rules really ran)', () => {
  const bad = result.findings.filter(f => f.file.endsWith('known-bad.yaml')).map(f => f.rule);
  expect(bad).toEqual(expect.arrayContaining(['KSV001', 'KSV017', 'KSV029', 'PSS103', 'KBP109']));
});

test('every finding on the examples is accepted with a reason', () => {
  const findings = result.findings.filter(f => !f.file.endsWith('known-bad.yaml'));
  const unaccepted = findings.filter(f => !ACCEPTED.some(entry => covers(entry, f)));
  expect(unaccepted.map(f => `${f.rule} ${f.level} ${f.object}${f.element ? ` ${f.element}` : ''}: ${f.message}`)).toEqual([]);
});

test('no accepted entry is stale: each matches a finding, and so does each object it lists', () => {
  const findings = result.findings.filter(f => !f.file.endsWith('known-bad.yaml'));
  const stale = ACCEPTED.flatMap(entry => {
    const matched = findings.filter(f => covers(entry, f));
    if (matched.length === 0) return [`${entry.rule} ${entry.message ?? ''}: matches no finding`];
    return (entry.objects ?? []).filter(o => !matched.some(f => f.object === o)).map(o => `${entry.rule} ${o}: no longer reported`);
  });
  expect(stale).toEqual([]);
});

test('every accepted entry has a reason a reviewer can check', () => {
  for (const entry of ACCEPTED) {
    expect(entry.reason.trim().length).toBeGreaterThanOrEqual(40);
  }
});

test('after the fsGroup change KSV029 fires only where a volume needs group ownership', () => {
  const ksv029 = result.findings.filter(f => f.rule === 'KSV029' && !f.file.endsWith('known-bad.yaml'));
  const manifests = files.flatMap(f => fs.readFileSync(f, 'utf8').split(/^---$/m));
  for (const finding of ksv029) {
    const [kind, ref] = finding.object.split(' ');
    const name = ref.split('/').pop();
    const text = manifests.find(m => new RegExp(`^kind: ${kind}$`, 'm').test(m) && m.includes(`name: ${name}\n`));
    // Claims, or files others cannot read (defaultMode 0440 is 288 in the YAML).
    expect(text).toMatch(/volumeClaimTemplates|persistentVolumeClaim|defaultMode: 288\n/);
  }
});
