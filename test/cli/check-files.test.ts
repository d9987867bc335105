import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { check, CheckOptions, checkFiles, detachedOnce, inputFiles, InputError, loadManifests } from '../../src/cli/check';
import { Controls } from '../../src/controls/controls';
import { ofKind, referenceSet, selectsSomePodTemplate } from '../../src/controls/core/manifest-index';
import { PssVersion } from '../../src/controls/core/pss-version';
import { Profile } from '../../src/controls/profile';
import { evaluateManifest } from '../../src/guard/evaluate';
import { readManifests } from '../../src/guard/manifest-reader';
import { ObjectSource } from '../../src/guard/source-position';
import { Platform } from '../../src/platforms/platform';
import { FIXTURES_DIR } from '../helpers/fixtures';

// The CLI checks its input file by file (checkFiles): the objects cross-object controls read of others are collected
// first, NetworkPolicies are evaluated last. These prove it reports exactly what `check` reports on the whole set held
// at once, on every fixture and where every cross-object relation crosses a file boundary.

const OPTIONS: CheckOptions = { format: 'text', pssVersion: PssVersion.V1_27, cwd: FIXTURES_DIR };

/** Both ways over the same files: output and exit code. */
function bothWays(files: string[], options: CheckOptions): { whole: string; byFile: string; wholeCode: number; byFileCode: number } {
  const whole = check(loadManifests(files, options.cwd), options);
  const byFile = checkFiles(files, options);
  return { whole: whole.output, byFile: byFile.output, wholeCode: whole.exitCode, byFileCode: byFile.exitCode };
}

/** The message of the InputError `run` throws. */
function inputErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

function tmpFiles(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-files-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('checkFiles reports what check reports on the whole set', () => {
  const files = inputFiles([FIXTURES_DIR]);

  test.each([
    ['text', 'hardened', 'generic'],
    ['json', 'hardened', 'generic'],
    ['sarif', 'hardened', 'generic'],
    ['text', 'restricted', 'generic'],
    ['sarif', 'baseline', 'generic'],
    ['text', 'hardened', 'openshift'],
    ['text', 'hardened', 'gke-autopilot'],
  ] as const)('every fixture: --format %s --profile %s --platform %s', (format, profileName, platformName) => {
    const [profile, platform] = [Profile.byName(profileName), Platform.of(platformName)];
    const { whole, byFile, wholeCode, byFileCode } = bothWays(files, { ...OPTIONS, format, profile, platform });
    expect(whole.length).toBeGreaterThan(10_000);
    expect(byFile).toBe(whole);
    expect(byFileCode).toBe(wholeCode);
  });
});

// Each cross-object relation, with the object judged and the object it reads in different files.
const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata: { name: shop }
`;
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: "registry.example.com/web:1" }]
`;
const POLICY_FOR_WEB = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Ingress, Egress]
`;
/** Selects the pods of a Deployment in another file: only the whole input's pod templates can say so. */
const POLICY_FOR_API = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  podSelector: { matchLabels: { app: api } }
  policyTypes: [Ingress]
`;
const API = DEPLOYMENT.replace(/web/g, 'api');
/** The autoscaler's minReplicas (1) is what the replicas control judges the Deployment by. */
const AUTOSCALER = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: shop }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 1
  maxReplicas: 4
`;
/** For api (web's autoscaler keeps it below two replicas); in a List, its kind written with an escape: kubectl reads a PodDisruptionBudget. */
const BUDGET_IN_LIST = `apiVersion: v1
kind: List
items:
  - apiVersion: policy/v1
    kind: "PodDisruption\\x42udget"
    metadata: { name: api, namespace: shop }
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: api } } }
`;
const QUOTA_AND_RANGE = `apiVersion: v1
kind: ResourceQuota
metadata: { name: q, namespace: shop }
spec:
  hard: { requests.cpu: "4", requests.memory: 8Gi, limits.cpu: "8", limits.memory: 8Gi, pods: "20", services.loadbalancers: "0", services.nodeports: "0" }
---
apiVersion: v1
kind: LimitRange
metadata: { name: l, namespace: shop }
spec: { limits: [{ type: Container, default: { cpu: 500m, memory: 256Mi }, defaultRequest: { cpu: 100m, memory: 128Mi } }] }
`;
const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  group: example.com
  scope: Cluster
  names: { kind: Widget, plural: widgets }
  versions: [{ name: v1, served: true, storage: true, schema: { openAPIV3Schema: { type: object } } }]
`;
const WIDGET = `apiVersion: example.com/v1
kind: Widget
metadata: { name: w }
`;

const DOCUMENTS = [NAMESPACE, DEPLOYMENT, POLICY_FOR_WEB, POLICY_FOR_API, API, AUTOSCALER, BUDGET_IN_LIST, QUOTA_AND_RANGE, CRD, WIDGET];

describe('cross-object relations across files', () => {
  test('every relation, its two sides in different files, in both orders', () => {
    for (const order of [DOCUMENTS, [...DOCUMENTS].reverse()]) {
      const dir = tmpFiles(Object.fromEntries(order.map((text, i) => [`${String(i).padStart(2, '0')}.yaml`, text])));
      const files = inputFiles([dir]);
      for (const format of ['text', 'json'] as const) {
        const { whole, byFile, wholeCode, byFileCode } = bothWays(files, { ...OPTIONS, cwd: dir, format });
        expect(byFile).toBe(whole);
        expect(byFileCode).toBe(wholeCode);
      }
      const text = checkFiles(files, { ...OPTIONS, cwd: dir }).output;
      // What each relation decides, read from the other file: covered by its policy, judged by its autoscaler, one
      // budget found in the List, the quota and limit range found, the Widget known to be cluster-scoped, and the
      // policy for api selecting api's pods.
      expect(text).not.toMatch(/workload-network-policy: Deployment shop\/web/);
      expect(text).toMatch(/replicas: Deployment shop\/web .*scaled by HorizontalPodAutoscaler 'web' with minReplicas 1/);
      expect(text).not.toMatch(/pod-disruption-budget: Deployment shop\/api/);
      expect(text).not.toMatch(/namespace-quota|namespace-limit-range/);
      expect(text).not.toMatch(/namespace-not-default: Widget/);
      expect(text).not.toMatch(/network-policy-targets/);
    }
  });

  test('a NetworkPolicy that selects no pod template of the input is reported, in input order, at its field', () => {
    const dir = tmpFiles({ 'a.yaml': POLICY_FOR_API.replace('app: api', 'app: none'), 'b.yaml': DEPLOYMENT });
    const files = inputFiles([dir]);
    const result = checkFiles(files, { ...OPTIONS, cwd: dir });
    expect(result.output).toMatch(/^a\.yaml:5:3: warning network-policy-targets: NetworkPolicy shop\/api \/spec\/podSelector:/m);
    expect(result.output).toBe(check(loadManifests(files, dir), { ...OPTIONS, cwd: dir }).output);
  });

  test('any split of the documents into files, in any order, reports what the whole set reports', () => {
    const split = fc.tuple(
      fc.shuffledSubarray(DOCUMENTS, { minLength: DOCUMENTS.length, maxLength: DOCUMENTS.length }),
      fc.array(fc.boolean(), { minLength: DOCUMENTS.length, maxLength: DOCUMENTS.length }),
    );
    fc.assert(fc.property(split, ([documents, breaks]) => {
      const files: string[][] = [[]];
      documents.forEach((d, i) => {
        if (breaks[i] && files[files.length - 1].length > 0) files.push([]);
        files[files.length - 1].push(d);
      });
      const dir = tmpFiles(Object.fromEntries(files.map((docs, i) => [`${String(i).padStart(2, '0')}.yaml`, docs.join('---\n')])));
      const { whole, byFile } = bothWays(inputFiles([dir]), { ...OPTIONS, cwd: dir });
      expect(byFile).toBe(whole);
    }), { numRuns: 40 });
  });

  test('bad YAML is reported where it is, as the whole-set read reports it', () => {
    const dir = tmpFiles({ 'a.yaml': DEPLOYMENT, 'b.yaml': `${POLICY_FOR_WEB}---\nkind: [unclosed\n` });
    const files = inputFiles([dir]);
    const byFile = inputErrorOf(() => checkFiles(files, { ...OPTIONS, cwd: dir }));
    expect(byFile).toMatch(/^b\.yaml:9: invalid YAML/);
    expect(byFile).toBe(inputErrorOf(() => check(loadManifests(files, dir), { ...OPTIONS, cwd: dir })));
  });
});

describe('what the review of the file-by-file read found', () => {
  /** A List of `count` NetworkPolicies, as `kubectl get netpol -A -o yaml` writes them. */
  const policyList = (count: number) => `apiVersion: v1\nkind: List\nitems:\n${Array.from({ length: count }, (_, i) =>
    `  - apiVersion: networking.k8s.io/v1\n    kind: NetworkPolicy\n    metadata: { name: p${i}, namespace: shop }\n`
    + `    spec: { podSelector: { matchLabels: { app: a${i} } }, policyTypes: [Ingress] }\n`).join('')}`;

  test('the NetworkPolicies of one List share one copy of their document (it was copied once per policy)', () => {
    const [first, second] = readManifests(policyList(2), 'list.yaml', { locate: true });
    const copies = new Map<unknown, ObjectSource>();
    const a = detachedOnce(first.source!, copies);
    const b = detachedOnce(second.source!, copies);
    expect(a.document).toBe(b.document);
    expect(a.document).not.toBe(first.source!.document);
    expect([a.pointer, b.pointer]).toEqual(['/items/0', '/items/1']);
    const dir = tmpFiles({ 'list.yaml': policyList(200), 'web.yaml': DEPLOYMENT.replace(/web/g, 'a7') });
    const { whole, byFile } = bothWays(inputFiles([dir]), { ...OPTIONS, cwd: dir });
    expect(byFile).toBe(whole);
    expect(byFile).toMatch(/^list\.yaml:\d+:\d+: warning network-policy-targets: NetworkPolicy shop\/p199 /m);
    expect(byFile).not.toMatch(/NetworkPolicy shop\/p7 \/spec\/podSelector/);
  });

  /** A ConfigMap whose aliases nest `depth` levels, each a list holding the one before. */
  const chained = (depth: number, name = 'NetworkPolicy-notes') => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\n`
    + `chain:\n  a0: &a0 [x]\n${Array.from({ length: depth - 1 }, (_, i) => `  a${i + 1}: &a${i + 1} [*a${i}]\n`).join('')}`
    + `  last: *a${depth - 1}\n`;

  test('aliases nesting a document deeper than its text may are refused where they are (they exhausted the stack)', () => {
    for (const depth of [150, 20_000]) {
      const dir = tmpFiles({ 'deep.yaml': chained(depth) });
      const files = inputFiles([dir]);
      const message = inputErrorOf(() => checkFiles(files, { ...OPTIONS, cwd: dir }));
      expect(message).toMatch(/^deep\.yaml:1: YAML aliases nest this document deeper than 100 levels/);
      expect(inputErrorOf(() => check(loadManifests(files, dir), { ...OPTIONS, cwd: dir }))).toBe(message);
    }
    // Not vacuous: aliases within the limit are read.
    expect(readManifests(chained(90), 'ok.yaml')).toHaveLength(1);
  });

  test('bad input in an earlier file is reported before whatever a later file makes the reference pass meet', () => {
    const dir = tmpFiles({ 'a.yaml': 'kind: [unclosed\n', 'b.yaml': chained(20_000) });
    const files = inputFiles([dir]);
    const message = inputErrorOf(() => checkFiles(files, { ...OPTIONS, cwd: dir }));
    expect(message).toMatch(/^a\.yaml:2: invalid YAML/);
    expect(inputErrorOf(() => check(loadManifests(files, dir), { ...OPTIONS, cwd: dir }))).toBe(message);
  });

  test('an internal error while evaluating an earlier file does not hide bad YAML in a later one (nor is it lost)', () => {
    const dir = tmpFiles({ 'a.yaml': DEPLOYMENT, 'b.yaml': 'kind: [unclosed\n' });
    const files = inputFiles([dir]);
    const failing = jest.spyOn(Controls.byId('privileged'), 'check').mockImplementation(() => {
      throw new TypeError('a bug in a control');
    });
    try {
      expect(inputErrorOf(() => checkFiles(files, { ...OPTIONS, cwd: dir }))).toMatch(/^b\.yaml:2: invalid YAML/);
      const good = tmpFiles({ 'a.yaml': DEPLOYMENT });
      expect(() => checkFiles(inputFiles([good]), { ...OPTIONS, cwd: good })).toThrow(/a bug in a control/);
    } finally {
      failing.mockRestore();
    }
  });

  test('the guard\'s evaluations keep lists of their own (the CLI shares them between its objects)', () => {
    const pod = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    const [a, b] = [1, 2].map(() => evaluateManifest(pod, { pssVersion: PssVersion.V1_27 }, [], { constructPath: 'x' }).evaluation);
    expect(a.applicableControls).not.toBe(b.applicableControls);
    expect(() => a.applicableControls.sort()).not.toThrow();
    const dir = tmpFiles({ 'c.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: d }\n' });
    const [c, d] = checkFiles(inputFiles([dir]), { ...OPTIONS, cwd: dir }).report.evaluations;
    expect(c.applicableControls).toBe(d.applicableControls);
    expect(Object.isFrozen(c.applicableControls)).toBe(true);
  });
});

describe('a set of reference objects refuses what it does not hold', () => {
  test('a kind outside REFERENCE_KINDS', () => {
    expect(() => ofKind(referenceSet([]), 'Deployment', 'apps')).toThrow(/looked up Deployment .* add it to REFERENCE_KINDS/);
    expect(ofKind(referenceSet([]), 'NetworkPolicy', 'networking.k8s.io')).toEqual([]);
  });

  test('pod templates it was not given', () => {
    expect(() => selectsSomePodTemplate(referenceSet([]), 'shop', { matchLabels: { app: 'web' } })).toThrow(/given none/);
    expect(selectsSomePodTemplate(referenceSet([], [{ namespace: 'shop', labels: { app: 'web' } }]), 'shop', { matchLabels: { app: 'web' } })).toBe(true);
  });
});
