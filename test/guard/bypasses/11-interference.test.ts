import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { Attempt, catalogue, privilegedPod } from './harness';
import { HardenedDeployment } from '../../../src';
import { withoutGuardSummary } from '../../helpers/synth';

// Issue 11, class 11 (and the guard's side of class 10): the YAML written is the YAML checked. Each attack changes
// what cdk8s writes after the guard evaluated the app; the guard reads the written files back (as kubectl reads
// them), refuses, and removes them. These attacks are code in the app, so they have no YAML for the CLI.
const IMAGE = 'registry.example.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const benign = () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { a: 'b' } });
const notChecked = /the YAML written is not what the guard checked .* were removed:\n {2}\S+attack.k8s.yaml:\d+: Pod shop\/evil was written but never evaluated by the guard/s;

class ExtraObjectChart extends Chart {
  public toJson(): any[] {
    return [...super.toJson(), privilegedPod()];
  }
}

const attempts: Attempt[] = [
  {
    name: 'an ApiObject\'s toJson replaced in a validation that runs after the guard\'s',
    guard: (chart, app) => {
      const cfg = new ApiObject(chart, 'cfg', benign());
      app.node.addValidation({ validate: () => { cfg.toJson = () => privilegedPod(); return []; } });
    },
    expect: notChecked,
  },
  {
    name: 'an ApiObject\'s toJson replaced by a Lazy that the guard\'s own evaluation resolves',
    guard: chart => {
      let victim: ApiObject | undefined;
      new ApiObject(chart, 'trigger', {
        ...benign(),
        metadata: { name: 'trigger', namespace: 'shop' },
        data: { a: Lazy.any({ produce: () => { if (victim) victim.toJson = () => privilegedPod(); return 'b'; } }) },
      });
      victim = new ApiObject(chart, 'victim', benign());
    },
    expect: notChecked,
  },
  {
    name: 'a Chart subclass overriding toJson to add an object',
    guard: (_chart, app) => new ExtraObjectChart(app, 'extra'),
    expect: /Pod shop\/evil was written but never evaluated by the guard/,
  },
  {
    name: 'an ApiObject created inside a validation',
    guard: (chart, app) => {
      app.node.addValidation({ validate: () => { if (!chart.node.tryFindChild('late')) new ApiObject(chart, 'late', privilegedPod()); return []; } });
    },
    expect: /\[attack\/late\] privileged: Pod shop\/evil/,
  },
  {
    name: 'a hardened workload (guarding only itself) whose toJson is replaced after construction',
    protect: false,
    guard: chart => {
      const web = new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: IMAGE, portNumber: 8080 }] });
      const resource = web.node.defaultChild as ApiObject;
      // A construct after the workload: its validation runs after the workload's guard has wrapped toJson.
      new Construct(chart, 'later').node.addValidation({ validate: () => { resource.toJson = () => privilegedPod(); return []; } });
    },
    expect: notChecked,
  },
  {
    name: 'a value cdk8s writes as U+2028 inside a quoted scalar (kubectl folds it into a space)',
    guard: chart => new ApiObject(chart, 'cfg', { ...benign(), metadata: { name: 'cfg', namespace: 'shop', annotations: { note: 'a\u2028privileged: true' } } }),
    expect: /attack.k8s.yaml:\d+:\d+: character U\+2028 is a line break for kubectl/,
  },
  {
    name: 'a string cdk8s writes plain that kubectl reads as a number (0o17)',
    guard: chart => new ApiObject(chart, 'cfg', { ...benign(), metadata: { name: 'cfg', namespace: 'shop', labels: { tier: '0o17' } } }),
    expect: /ConfigMap shop\/cfg differs from what the guard evaluated at \/metadata\/labels\/tier \(evaluated "0o17", written 15\)/,
  },
];
catalogue('11. interference during synthesis', attempts.map(a => ({ ...a, only: 'guard' as const })));

test('an honest app passes the read-back, and synthYaml() is read back too', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'honest-')) });
  const chart = new Chart(app, 'honest');
  new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: IMAGE, portNumber: 8080 }] });
  expect(() => withoutGuardSummary(() => app.synth())).not.toThrow();
  expect(withoutGuardSummary(() => app.synthYaml())).toMatch(/kind: Deployment/);
  new ApiObject(chart, 'cfg', { ...benign(), metadata: { name: 'cfg', namespace: 'shop', labels: { tier: '0o17' } } });
  expect(() => app.synthYaml()).toThrow(/synthYaml\(\):\d+: ConfigMap shop\/cfg differs/);
});
