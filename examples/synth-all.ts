// Synthesizes every example app to dist/examples/<example>/ (the README's first command).
import * as path from 'path';
import { buildApp as nodeAgent } from './node-agent/main';
import { buildApp as shop } from './shop/main';
import { buildApp as sockShop } from './sock-shop/main';

const EXAMPLES: Record<string, (outdir: string) => { synth(): void }> = { 'shop': shop, 'node-agent': nodeAgent, 'sock-shop': sockShop };

for (const [name, build] of Object.entries(EXAMPLES)) {
  const outdir = path.join(__dirname, '..', 'dist', 'examples', name);
  build(outdir).synth();
  console.log(`synthesized examples/${name} -> ${path.relative(process.cwd(), outdir)}`);
}
