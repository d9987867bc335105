// Evaluates CEL rules (CRD x-kubernetes-validations) in a plain Node process: @marcbachmann/cel-js is ESM-only,
// which jest's CommonJS module system cannot load. stdin: [{ rule, self }]; stdout: [{ ok } | { error }].
import { evaluate } from '@marcbachmann/cel-js';

let input = '';
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map(({ rule, self }) => {
    try {
      return { ok: evaluate(rule, { self }) === true };
    } catch (e) {
      return { error: String(e?.message ?? e) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
