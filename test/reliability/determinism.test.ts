/**
 * Determinism: the same app always synthesizes to the same bytes (YAML and guard reports), whatever the App
 * instance, the process, its locale or time zone; nothing carries a timestamp or a random value; and lists whose
 * order Kubernetes ignores are sorted where the library produces them, so input order does not show in the output.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { seededDraw } from './generators';
import { synthExamples } from './synth-examples';
import {
  Controls, Guard, GuardReport, HardenedDeployment, LeastPrivilegeServiceAccount, NamespaceAccess, Permission, RbacResource, Verb,
} from '../../src';

const IMG = 'registry.example.com/shop/web:1.4.2';

/** Every file below `dir`, relative path -> bytes. */
function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const visit = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) visit(full); else files.set(path.relative(dir, full), fs.readFileSync(full));
    }
  };
  visit(dir);
  return files;
}

function expectSameTree(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [file, bytes] of a) {
    // Compared as text first, so a difference shows as a diff of the file.
    expect({ file, text: b.get(file)!.toString('utf8') }).toEqual({ file, text: bytes.toString('utf8') });
    expect(b.get(file)!.equals(bytes)).toBe(true);
  }
}

describe('the example apps', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-hardened-determinism-'));
  const [first, second, child] = ['first', 'second', 'child'].map(name => path.join(root, name));
  let firstTree: Map<string, Buffer>;

  beforeAll(() => {
    synthExamples(first);
    synthExamples(second);
    firstTree = readTree(first);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('write YAML (nothing else) to the output folder and both guard reports to the reports folder for each example', () => {
    for (const example of ['shop', 'node-agent']) {
      const files = [...firstTree.keys()].filter(f => f.startsWith(`${example}${path.sep}`)).map(f => path.basename(f));
      expect(files.length).toBeGreaterThan(0);
      expect(files.filter(f => !f.endsWith('.k8s.yaml'))).toEqual([]);
      const reports = [...firstTree.keys()].filter(f => f.startsWith(`${path.join('reports', example)}${path.sep}`)).map(f => path.basename(f));
      expect(reports.sort()).toEqual(['cdk8s-hardened-report.json', 'cdk8s-hardened-report.sarif']);
    }
  });

  test('two App instances in one process write byte-identical YAML and reports', () => {
    expectSameTree(firstTree, readTree(second));
  });

  test('another process, in another locale and time zone, writes the same bytes', () => {
    execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'synth-examples.ts'), child], {
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json'), LC_ALL: 'da_DK.UTF-8', LANG: 'da_DK.UTF-8', TZ: 'Pacific/Chatham' },
      stdio: 'pipe',
    });
    expectSameTree(firstTree, readTree(child));
  }, 60_000);

  test('no timestamp, today\'s date or output directory is written', () => {
    const today = new Date().toISOString().slice(0, 10);
    for (const [file, bytes] of firstTree) {
      const text = bytes.toString('utf8');
      expect({ file, timestamp: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.exec(text)?.[0] }).toEqual({ file, timestamp: undefined });
      expect({ file, today: text.includes(today) }).toEqual({ file, today: false });
      expect({ file, outdir: text.includes(root) }).toEqual({ file, outdir: false });
    }
  });

  test('the reports list objects sorted by construct path, SARIF results in the same order', () => {
    for (const example of ['shop', 'node-agent']) {
      const report = JSON.parse(firstTree.get(path.join('reports', example, 'cdk8s-hardened-report.json'))!.toString('utf8'));
      const paths: string[] = report.objects.map((o: any) => o.constructPath);
      expect(paths).toEqual([...paths].sort());
      const sarif = JSON.parse(firstTree.get(path.join('reports', example, 'cdk8s-hardened-report.sarif'))!.toString('utf8'));
      const resultPaths: string[] = sarif.runs[0].results.map((r: any) => r.locations[0].logicalLocations[0].fullyQualifiedName.split('#')[0]);
      expect(resultPaths).toEqual([...resultPaths].sort());
      expect(sarif.runs[0].tool.driver.rules.map((r: any) => r.id)).toEqual(Controls.all().map(c => c.id));
    }
  });
});

describe('lists the library produces are sorted, so input order does not show', () => {
  /** The rendered Role of an account with these permissions. */
  const roleOf = (permissions: Permission[]) => {
    const scope = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    new LeastPrivilegeServiceAccount(scope, 'reader', { permissions });
    return Testing.synth(scope).find(m => m.kind === 'Role');
  };
  const PERMISSIONS = [
    Permission.read(RbacResource.CONFIG_MAPS, RbacResource.SERVICES),
    Permission.allow([Verb.PATCH, Verb.GET], RbacResource.DEPLOYMENTS),
    Permission.read(RbacResource.LEASES).withResourceNames('zeta', 'alpha', 'mid'),
    Permission.allow([Verb.WATCH, Verb.LIST], RbacResource.ENDPOINTS, RbacResource.EVENTS),
    Permission.readWrite(RbacResource.custom('example.com', 'widgets'), RbacResource.JOBS),
  ];

  test('Role rules do not depend on the order of the permissions, their resources or verbs', () => {
    const expected = roleOf(PERMISSIONS).rules;
    for (let seed = 0; seed < 20; seed++) {
      const d = seededDraw(seed);
      const shuffled = [...PERMISSIONS];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = d.int(0, i);
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      expect(roleOf(shuffled).rules).toEqual(expected);
    }
    expect(roleOf([Permission.read(RbacResource.SERVICES, RbacResource.CONFIG_MAPS)]).rules)
      .toEqual(roleOf([Permission.read(RbacResource.CONFIG_MAPS, RbacResource.SERVICES)]).rules);
  });

  test('rules are sorted by API group then resources; resource names and verbs are in a fixed order', () => {
    const rules: any[] = roleOf(PERMISSIONS).rules;
    const keys = rules.map(r => `${r.apiGroups[0]}\u0000${r.resources.join(',')}`);
    expect(keys).toEqual([...keys].sort());
    for (const rule of rules) {
      expect(rule.resources).toEqual([...rule.resources].sort());
      if (rule.resourceNames) expect(rule.resourceNames).toEqual([...rule.resourceNames].sort());
      const order = Object.values(Verb) as string[];
      expect(rule.verbs).toEqual([...rule.verbs].sort((a: string, b: string) => order.indexOf(a) - order.indexOf(b)));
    }
    expect(rules.find(r => r.resources.includes('leases')).resourceNames).toEqual(['alpha', 'mid', 'zeta']);
  });

  test('the viewer persona\'s Role is sorted the same way', () => {
    const scope = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    NamespaceAccess.viewer(scope, 'testers', { groups: ['shop-testers'] });
    const rules: any[] = Testing.synth(scope).find(m => m.kind === 'Role').rules;
    const keys = rules.map(r => `${r.apiGroups[0]}\u0000${r.resources.join(',')}`);
    expect(keys).toEqual([...keys].sort());
  });

  test('exemption annotations are sorted by key, whatever order the exemptions were declared in', () => {
    const annotationsOf = (controls: Array<typeof Controls.IMAGE_DIGEST>) => {
      const scope = new Chart(Testing.app(), 'test', { namespace: 'shop' });
      new HardenedDeployment(scope, 'web', {
        replicas: 1,
        metadata: { annotations: { 'zz.example.com/last': 'x', 'aa.example.com/first': 'y' } },
        containers: [{ image: IMG, portNumber: 80 }],
        exemptions: controls.map(control => ({ control, reason: 'accepted for this test of annotation order, reviewed' })),
      });
      return Testing.synth(scope).find(m => m.kind === 'Deployment').metadata.annotations;
    };
    const forward = annotationsOf([Controls.IMAGE_DIGEST, Controls.PRIVILEGED_PORT, Controls.REPLICAS]);
    const backward = annotationsOf([Controls.REPLICAS, Controls.PRIVILEGED_PORT, Controls.IMAGE_DIGEST]);
    expect(Object.keys(forward)).toEqual(Object.keys(forward).sort());
    expect(Object.keys(forward)).toHaveLength(5);
    expect(JSON.stringify(backward)).toEqual(JSON.stringify(forward));
  });

  test('the report orders objects and summary rows by code unit, not by the process locale', () => {
    // In Danish collation 'aa' sorts after 'z': a locale-dependent sort would reorder these between machines.
    const danish = new Intl.Collator('da');
    const spy = jest.spyOn(String.prototype, 'localeCompare').mockImplementation(function (this: string, other: string) {
      return danish.compare(String(this), other);
    });
    try {
      const scope = new Chart(Testing.app(), 'test', { namespace: 'shop' });
      for (const id of ['z', 'aa', 'B']) new HardenedDeployment(new Construct(scope, id), 'web', { containers: [{ image: IMG, portNumber: 8080 }] });
      Testing.synth(scope);
      const report = GuardReport.of(scope);
      const paths: string[] = report.toJson().objects.map((o: any) => o.constructPath);
      expect(paths).toEqual([...paths].sort());
      expect(paths.findIndex(p => p.startsWith('test/aa/'))).toBeLessThan(paths.findIndex(p => p.startsWith('test/z/')));
      const rows = report.summary().split('\n').filter(line => /^\S+ +(error|warning) +\d+ +\d+$/.test(line)).map(line => line.split(' ')[0]);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows).toEqual([...rows].sort());
    } finally {
      spy.mockRestore();
    }
  });

  test('guard findings are reported in the same order on every synthesis', () => {
    const findingsOf = () => {
      const scope = new Chart(Testing.app(), 'test', { namespace: 'shop' });
      for (const id of ['b', 'a', 'c']) new HardenedDeployment(scope, id, { replicas: 1, containers: [{ image: IMG, portNumber: 80 }] });
      Testing.synth(scope);
      return Guard.findings(scope).map(Guard.formatFinding);
    };
    const once = findingsOf();
    expect(once.length).toBeGreaterThan(0);
    expect(findingsOf()).toEqual(once);
  });
});
