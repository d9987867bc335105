// Benchmark: HardenedDeployment against plain cdk8s-plus-27 doing the same work (a Deployment exposed via a
// Service), built and synthesized to YAML in the same run. Prints milliseconds per emitted object and ratios;
// asserts nothing. Usage: npm run bench [-- --rounds 5 --warmup 5 --sizes 100,1000]
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Controls, Exemptions, Guard, HardenedDeployment, PssVersion } from '../src';
import { check, inputFiles, loadManifests } from '../src/cli/check';

const IMAGE = 'registry.example.com/shop/web:1.4.2';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

type Build = (chart: Chart, index: number) => void;

const plain: Build = (chart, i) => {
  new kplus.Deployment(chart, `web${i}`, { containers: [{ image: IMAGE, portNumber: 8080 }] }).exposeViaService();
};
// Plain objects under an app-wide guard, every control exempted so synthesis succeeds with the full evaluation.
const guarded: Build = (chart, i) => {
  const app = chart.node.root;
  if (i === 0) {
    Guard.protect(app, { printSummary: false });
    Exemptions.of(app).add(...Controls.all().filter(c => c.exemptable).map(control => ({ control, reason: 'benchmark: measure evaluation cost only' })));
  }
  plain(chart, i);
};
const hardened: Build = (chart, i) => {
  new HardenedDeployment(chart, `web${i}`, { containers: [{ image: IMAGE, portNumber: 8080 }] }).exposeViaService();
};

/** Builds `workloads` workloads over `charts` charts and synthesizes them to YAML files; returns ms and object count. */
function run(build: Build, workloads: number, charts: number): { ms: number; objects: number } {
  const quiet = process.stderr.write;
  process.stderr.write = () => true; // the guard's summary table
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-hardened-bench-'));
  const start = process.hrtime.bigint();
  const app = new App({ outdir });
  const chartList = Array.from({ length: charts }, (_, c) => new Chart(app, `chart${c}`, { namespace: 'bench' }));
  for (let i = 0; i < workloads; i++) build(chartList[i % charts], i);
  app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const objects = app.node.findAll().filter(c => c instanceof ApiObject).length;
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stderr.write = quiet;
  return { ms, objects };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const rounds = Number(option('rounds', '5'));
const sizes = option('sizes', '100,1000').split(',').map(Number);
const chartCounts = option('charts', '1,10').split(',').map(Number);

// Warm up the JIT on both paths so the measured rounds compare steady states (the hardened path runs more code,
// which V8 needs more rounds to optimise; one small round left the first sizes measuring compilation).
const warmup = Number(option('warmup', '5'));
for (let r = 0; r < warmup; r++) {
  run(plain, 100, 1);
  run(hardened, 100, 1);
}

console.log(`node ${process.version}, ${os.cpus().length} cpus, median of ${rounds} rounds (interleaved)\n`);
console.log('1. HardenedDeployment vs plain kplus.Deployment, both exposed via a Service, built and synthesized to files');
console.log('workloads charts | plain objs  ms/obj | hardened objs  ms/obj | ratio/obj ratio/workload');
for (const n of sizes) {
  for (const charts of chartCounts) {
    const p: number[] = [];
    const h: number[] = [];
    let plainObjects = 0;
    let hardenedObjects = 0;
    for (let r = 0; r < rounds; r++) {
      const a = run(plain, n, charts);
      const b = run(hardened, n, charts);
      p.push(a.ms);
      h.push(b.ms);
      plainObjects = a.objects;
      hardenedObjects = b.objects;
    }
    const pm = median(p);
    const hm = median(h);
    const perPlain = pm / plainObjects;
    const perHardened = hm / hardenedObjects;
    console.log(`${String(n).padStart(9)} ${String(charts).padStart(6)} | ${String(plainObjects).padStart(10)} ${perPlain.toFixed(3).padStart(7)} | `
      + `${String(hardenedObjects).padStart(13)} ${perHardened.toFixed(3).padStart(7)} | ${(perHardened / perPlain).toFixed(2).padStart(9)} ${(hm / pm).toFixed(2).padStart(16)}`);
  }
}

console.log('\n2. Guard overhead: the same plain objects with and without Guard.protect(app) (every control exempted)');
console.log('workloads charts | plain ms | guarded ms | overhead');
for (const n of sizes) {
  for (const charts of chartCounts) {
    const p: number[] = [];
    const g: number[] = [];
    for (let r = 0; r < rounds; r++) {
      p.push(run(plain, n, charts).ms);
      g.push(run(guarded, n, charts).ms);
    }
    console.log(`${String(n).padStart(9)} ${String(charts).padStart(6)} | ${median(p).toFixed(0).padStart(8)} | ${median(g).toFixed(0).padStart(10)} | ${(median(g) / median(p)).toFixed(2).padStart(7)}x`);
  }
}

console.log('\n3. check CLI throughput on synthesized hardened YAML (parse + evaluate, in process)');
{
  const workloads = Number(option('cli-workloads', '2000'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-hardened-cli-'));
  const app = new App({ outdir: dir });
  const chart = new Chart(app, 'cli', { namespace: 'bench' });
  for (let i = 0; i < workloads; i++) hardened(chart, i);
  const quiet = process.stderr.write;
  process.stderr.write = () => true;
  app.synth();
  process.stderr.write = quiet;
  const file = path.join(dir, 'cli.k8s.yaml');
  const objects = Yaml.load(file).length;
  const parse: number[] = [];
  const total: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    const manifests = loadManifests(inputFiles([file]), dir);
    const t1 = process.hrtime.bigint();
    check(manifests, { format: 'text', pssVersion: PssVersion.V1_27, cwd: dir });
    const t2 = process.hrtime.bigint();
    parse.push(Number(t1 - t0) / 1e6);
    total.push(Number(t2 - t0) / 1e6);
  }
  const perSecond = (ms: number) => Math.round(objects / (ms / 1000));
  console.log(`${objects} objects: parse ${median(parse).toFixed(0)} ms, parse+check ${median(total).toFixed(0)} ms `
    + `=> ${perSecond(median(total))} objects/s (check alone ${perSecond(median(total) - median(parse))} objects/s)`);
  fs.rmSync(dir, { recursive: true, force: true });
}
