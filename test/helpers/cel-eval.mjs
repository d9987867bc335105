// Evaluates ValidatingAdmissionPolicy CEL with @marcbachmann/cel-js, as the API server does: matchConditions
// (all true, else the policy does not apply), lazily evaluated variables, then every validation (false or an
// error refuses: the policies use failurePolicy Fail). Run as a child process by test/helpers/cel.ts, because
// cel-js is ESM-only and jest runs the tests as CommonJS. Reads {policies, cases} as JSON on stdin, writes results.
import { Environment } from '@marcbachmann/cel-js';

// JSON integers are CEL ints (int64): BigInt. The API server decodes into Go structs, where null is unset: drop nulls.
function toCel(value) {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(v => toCel(v) ?? null);
  if (typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      const converted = toCel(v);
      if (converted !== undefined) out[k] = converted;
    }
    return out;
  }
  return value;
}

// Kubernetes-only CEL libraries: none are used by the policies (the test fails on an unknown function).
const env = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true, homogeneousAggregateLiterals: false });

const input = JSON.parse(await new Promise(resolve => {
  let text = '';
  process.stdin.setEncoding('utf-8');
  process.stdin.on('data', chunk => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

const compiled = new Map();
function compile(expression) {
  if (!compiled.has(expression)) compiled.set(expression, env.parse(expression));
  return compiled.get(expression);
}

function evaluate(policy, object, request) {
  const variables = {};
  const context = { object, oldObject: undefined, request, params: undefined, variables };
  for (const v of policy.variables ?? []) {
    let cached;
    let done = false;
    Object.defineProperty(variables, v.name, {
      enumerable: true,
      get() {
        if (!done) { cached = compile(v.expression)(context); done = true; }
        return cached;
      },
    });
  }
  for (const condition of policy.matchConditions ?? []) {
    const result = compile(condition.expression)(context);
    if (typeof result !== 'boolean') throw new Error(`matchCondition ${condition.name} returned ${String(result)}`);
    if (!result) return { verdict: 'skip', failed: [] };
  }
  const failed = [];
  for (const validation of policy.validations) {
    let ok;
    try {
      ok = compile(validation.expression)(context);
    } catch (e) {
      failed.push(`error: ${e.message.split("\n")[0]}`);
      continue;
    }
    if (ok !== true) {
      let message = validation.message;
      if (validation.messageExpression) {
        try {
          message = compile(validation.messageExpression)(context);
        } catch (e) {
          message = `messageExpression error: ${e.message}`;
        }
      }
      failed.push(ok === false ? message : `non-boolean ${String(ok)}: ${validation.expression}`);
    }
  }
  return { verdict: failed.length > 0 ? 'deny' : 'admit', failed };
}

const results = input.cases.map(c => {
  try {
    return evaluate(input.policies[c.policy], toCel(c.object), toCel(c.request));
  } catch (e) {
    return { verdict: 'deny', failed: [`error: ${e.message}`] };
  }
});
process.stdout.write(JSON.stringify(results));
