import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadManifests } from '../../src/cli/check';
import { canonicalJson } from '../../src/controls/core/json';

// The check reads each file as kubectl would, or refuses it: proved against kubectl's own decoder (apimachinery's
// YAMLOrJSONDecoder with go-yaml v2 and sigs.k8s.io/yaml, built from test/guard/kubectl-oracle, see SOURCES.txt) on a
// corpus of texts where YAML readers disagree and on every fixture of the controls. Needs Go and Debian's
// golang-gopkg-yaml.v2-dev and golang-k8s-sigs-yaml-dev (.ci/run installs them; CI=true makes their absence a failure).

const ORACLE = path.join(__dirname, 'kubectl-oracle');
const GOCODE = '/usr/share/gocode';
const available = spawnSync('go', ['version']).status === 0
  && fs.existsSync(path.join(GOCODE, 'src', 'gopkg.in', 'yaml.v2')) && fs.existsSync(path.join(GOCODE, 'src', 'sigs.k8s.io', 'yaml'));

test('the kubectl decoder oracle can run where CI runs', () => {
  if (process.env.CI) expect({ goAndGoYaml: available }).toEqual({ goAndGoYaml: true });
  // eslint-disable-next-line no-console
  if (!available) console.warn('SKIPPED: the kubectl decoder oracle needs apt-get install golang-go golang-gopkg-yaml.v2-dev golang-k8s-sigs-yaml-dev');
});

/** kubectl's objects of each file (Lists flattened as kubectl applies them), or its error. */
function kubectlReads(files: string[]): Map<string, { objects: any[]; error?: string }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-oracle-'));
  fs.cpSync(path.join(ORACLE, 'src'), path.join(work, 'src'), { recursive: true });
  execFileSync('go', ['build', '-o', path.join(work, 'kcheck'), 'kcheck'], {
    cwd: work,
    env: { ...process.env, GOPATH: `${work}:${GOCODE}`, GO111MODULE: 'off', GOCACHE: path.join(work, 'cache'), GOFLAGS: '' },
  });
  const lines = execFileSync(path.join(work, 'kcheck'), files, { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 }).trim().split('\n');
  fs.rmSync(work, { recursive: true, force: true });
  const flat = (o: any): any[] => (Array.isArray(o?.items) ? o.items.flatMap(flat) : [o]);
  return new Map(lines.map(line => JSON.parse(line)).map(r => [r.file, { objects: r.objects.flatMap(flat), error: r.error }]));
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.(ya?ml|json)$/.test(e.name) ? [p] : [];
  }).sort();
}

(available ? describe : describe.skip)('every text is read as kubectl reads it, or refused', () => {
  const corpus = yamlFiles(path.join(ORACLE, 'corpus'));
  const fixtures = yamlFiles(path.join(__dirname, '..', 'fixtures'));
  let kubectl: Map<string, { objects: any[]; error?: string }>;
  beforeAll(() => {
    kubectl = kubectlReads([...corpus, ...fixtures]);
  });

  /** 'refused' by the check, 'same' objects as kubectl, or what differs. */
  function compare(file: string): string {
    let ours: string[];
    try {
      // As the check reads a file: strict UTF-8, then the reader.
      ours = loadManifests([file], path.dirname(file)).map(m => canonicalJson(m.json));
    } catch {
      return 'refused';
    }
    const theirs = kubectl.get(file)!;
    // Text kubectl fails on is never applied whole: the check must not judge it as if it were.
    if (theirs.error) return `accepted, but kubectl fails: ${theirs.error}`;
    const objects = theirs.objects.map(o => canonicalJson(o));
    return canonicalJson(ours) === canonicalJson(objects) ? 'same' : `differs: ours ${ours.join(' ')} / kubectl ${objects.join(' ')}`;
  }

  test('the corpus of texts YAML readers disagree on: none read otherwise than kubectl; most of it refused', () => {
    const outcomes = corpus.map(file => ({ file: path.basename(file), outcome: compare(file) }));
    expect(outcomes.filter(o => o.outcome !== 'same' && o.outcome !== 'refused')).toEqual([]);
    // Not vacuous: both kinds of outcome occur, and the attacks are refused.
    const count = (what: string) => outcomes.filter(o => o.outcome === what).length;
    expect(count('same')).toBeGreaterThan(100);
    expect(count('refused')).toBeGreaterThan(50);
    expect(outcomes.filter(o => o.file.startsWith('attack-') && o.outcome !== 'refused').map(o => o.file))
      .toEqual(['attack-sep1.yaml', 'attack-sep2.yaml']); // read as kubectl reads them: the hidden Pod is checked
    // The second review's bypasses (a byte order mark shifting the merge and escape checks, \r\r\n, keys colliding
    // through a merge): refused.
    expect(outcomes.filter(o => ['review2-bom_priv.yaml', 'review2-crcr.yaml', 'review2-merge_coll_hex.yaml'].includes(o.file)))
      .toEqual(['review2-bom_priv.yaml', 'review2-crcr.yaml', 'review2-merge_coll_hex.yaml'].map(file => ({ file, outcome: 'refused' })));
  });

  test('every fixture of the controls is read exactly as kubectl reads it', () => {
    expect(fixtures.length).toBeGreaterThan(300);
    expect(fixtures.map(file => ({ file: path.relative(__dirname, file), outcome: compare(file) })).filter(o => o.outcome !== 'same')).toEqual([]);
  });
});
