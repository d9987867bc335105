// Benchmark: the cost of the kubernetes-schema control against the rest of the catalog, in the same run, over
// the objects of N HardenedDeployments exposed via Services. Prints ms and ratios; asserts nothing.
// Usage: ts-node --project test/tsconfig.json bench/schema.ts [--workloads 1000 --rounds 5]
import { App, Chart } from 'cdk8s';
import { Controls, HardenedDeployment, PssVersion } from '../src';
import { ControlContext } from '../src/controls/core/control';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

function ms(from: bigint): number {
  return Number(process.hrtime.bigint() - from) / 1e6;
}

const workloads = Number(option('workloads', '1000'));
const rounds = Number(option('rounds', '5'));
const app = new App();
const chart = new Chart(app, 'bench', { namespace: 'shop' });
for (let i = 0; i < workloads; i++) {
  new HardenedDeployment(chart, `web${i}`, { containers: [{ image: 'registry.example.com/shop/web:1.4.2', portNumber: 8080 }] }).exposeViaService();
}
const objects: any[] = chart.toJson();
const context: ControlContext = { pssVersion: PssVersion.V1_27, objects };
const schema = Controls.KUBERNETES_SCHEMA;
const others = Controls.all().filter(c => c !== schema);

// First use: reading the 200 kB schema file (what a `check` run pays once, on its first built-in object).
let start = process.hrtime.bigint();
schema.check(objects[0], context);
const firstUse = ms(start);

function time(controls: typeof others): number {
  const runs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const begin = process.hrtime.bigint();
    for (const object of objects) {
      for (const control of controls) {
        if (control.appliesTo(object, context)) control.check(object, context);
      }
    }
    runs.push(ms(begin));
  }
  return runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)];
}

time(others); // warm-up
const baseline = time(others);
const schemaMs = time([schema]);
console.log(`${objects.length} objects (${workloads} Deployments + Services), median of ${rounds} rounds`);
console.log(`schema first use (load)     ${firstUse.toFixed(1)} ms`);
console.log(`other ${others.length} controls       ${baseline.toFixed(1)} ms  ${(1000 * baseline / objects.length).toFixed(1)} us/object`);
console.log(`kubernetes-schema           ${schemaMs.toFixed(1)} ms  ${(1000 * schemaMs / objects.length).toFixed(1)} us/object`);
console.log(`ratio schema / other controls: ${(schemaMs / baseline).toFixed(2)}`);
