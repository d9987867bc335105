/**
 * Synthesizes every example app into `<outdir>/<example>/` and its guard reports into `<outdir>/reports/<example>/`.
 * Used in-process by determinism.test.ts and, to compare across processes, as a script: `synth-examples.ts <outdir>`.
 */
import * as path from 'path';
import { buildApp as nodeAgent } from '../../examples/node-agent/main';
import { buildApp as shop } from '../../examples/shop/main';
import { buildApp as sockShop } from '../../examples/sock-shop/main';
import { Guard } from '../../src';

export const EXAMPLES: Record<string, (outdir: string) => any> = { 'shop': shop, 'node-agent': nodeAgent, 'sock-shop': sockShop };

export function synthExamples(outdir: string): void {
  for (const [name, build] of Object.entries(EXAMPLES)) {
    const app = build(path.join(outdir, name));
    Guard.protect(app, { writeReports: true, printSummary: false, reportsDir: path.join(outdir, 'reports', name) });
    app.synth();
  }
}

if (require.main === module) {
  const outdir = process.argv[2];
  if (!outdir) throw new Error('usage: synth-examples.ts <outdir>');
  synthExamples(outdir);
}
