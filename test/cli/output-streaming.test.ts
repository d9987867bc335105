import * as path from 'path';
import * as fc from 'fast-check';
import { check, CheckOptions, inputFiles, loadManifests } from '../../src/cli/check';
import { PssVersion } from '../../src/controls/core/pss-version';
import { isBlocking } from '../../src/guard/evaluate';
import { FindingStatus } from '../../src/guard/finding';
import { jsonPieces, materialized, StreamedList } from '../../src/guard/json-stream';
import { positionOf } from '../../src/guard/source-position';
import { FIXTURES_DIR } from '../helpers/fixtures';

// The check CLI writes its reports in pieces and lets each file's source go once its findings are located (for
// speed and memory on a pipeline's input): these prove the output is the same text as the whole-report rendering.

/** Every fixture and the shared objects, as one set: findings of every control, exemptions, several files. */
const FILES = inputFiles([FIXTURES_DIR]);
const OPTIONS: CheckOptions = { format: 'text', pssVersion: PssVersion.V1_27, cwd: FIXTURES_DIR };

describe('jsonPieces: the text of JSON.stringify(value, undefined, 2), in pieces', () => {
  const plain = fc.jsonValue({ maxDepth: 3 });
  // Objects with members JSON.stringify omits (undefined) or rewrites (undefined in an array: null).
  const withUndefined = fc.oneof(plain, fc.dictionary(fc.string(), fc.oneof(plain, fc.constant(undefined)), { maxKeys: 4 }),
    fc.array(fc.oneof(plain, fc.constant(undefined)), { maxLength: 4 }));
  const streamed = fc.array(withUndefined, { maxLength: 5 }).map(items => new StreamedList(() => items));
  // A skeleton: StreamedLists at any depth of objects and arrays.
  const { skeleton } = fc.letrec(tie => ({
    skeleton: fc.oneof({ depthSize: 'small', withCrossShrink: true },
      withUndefined,
      streamed,
      fc.array(tie('skeleton'), { maxLength: 4 }),
      fc.dictionary(fc.string(), fc.oneof(tie('skeleton'), fc.constant(undefined)), { maxKeys: 4 })),
  }));

  test('equals JSON.stringify of the materialized value, for any value', () => {
    fc.assert(fc.property(skeleton, value => {
      expect([...jsonPieces(value)].join('')).toBe(JSON.stringify(materialized(value), undefined, 2) ?? 'null');
    }), { numRuns: 500 });
  });

  test('each item of a streamed list is its own piece (the list is never one string)', () => {
    const pieces = [...jsonPieces({ a: 1, list: new StreamedList(() => [{ x: [1, 2] }, 'two', undefined]) })];
    expect(pieces).toEqual(['{', '\n  "a": ', '1', ',\n  "list": ', '[\n    {\n      "x": [\n        1,\n        2\n      ]\n    }',
      ',\n    "two"', ',\n    null', '\n  ]', '\n}']);
  });

  test('an empty streamed list is [] (as JSON.stringify writes an empty array)', () => {
    expect([...jsonPieces({ list: new StreamedList(() => []) })].join('')).toBe('{\n  "list": []\n}');
  });
});

describe('check output on the fixtures, streamed', () => {
  const run = (options: Partial<CheckOptions>) => check(loadManifests(FILES, FIXTURES_DIR), { ...OPTIONS, ...options });

  test.each(['json', 'sarif'] as const)('--format %s is JSON.stringify of the whole report', format => {
    const result = run({ format });
    const whole = format === 'json'
      ? { ...result.report.toJson(), exemptionProblems: expect.anything() }
      : result.report.toSarif();
    const parsed = JSON.parse(result.output);
    expect(parsed).toEqual(whole);
    const expected = format === 'json'
      ? JSON.stringify({ ...result.report.toJson(), exemptionProblems: parsed.exemptionProblems }, undefined, 2)
      : JSON.stringify(result.report.toSarif(), undefined, 2);
    expect(result.output).toBe(expected);
    expect(result.report.findings.length).toBeGreaterThan(300);
  });

  test.each(['text', 'json', 'sarif'] as const)('--format %s: writeOutput writes exactly the output', format => {
    const result = run({ format });
    const written: string[] = [];
    result.writeOutput(text => written.push(text));
    expect(written.join('')).toBe(result.output);
  });

  test('text: failed findings, blocking ones first, each group in evaluation order (as a stable sort orders them)', () => {
    const result = run({ format: 'text' });
    const failed = result.report.evaluations.flatMap(e => e.findings).filter(f => f.status === FindingStatus.FAIL);
    const sorted = [...failed].sort((a, b) => (isBlocking(b) ? 1 : 0) - (isBlocking(a) ? 1 : 0));
    const lines = result.output.split('\n').slice(0, sorted.length);
    expect(failed.some(f => !isBlocking(f))).toBe(true);
    expect(lines.map(l => l.split(': ').slice(1, 3).join(': '))).toEqual(
      sorted.map(f => `${isBlocking(f) ? 'error' : 'warning'} ${f.controlId}: ${f.kind} ${f.objectNamespace ? `${f.objectNamespace}/` : ''}${f.name} ${f.pointer}`));
  });

  test.each(['text', 'json', 'sarif'] as const)('--format %s: releasing each file\'s source changes no output', format => {
    expect(run({ format, releaseSources: true }).output).toBe(run({ format }).output);
  });

  test('a released source can no longer be located (it fails, it does not guess)', () => {
    const manifests = loadManifests([path.join(FIXTURES_DIR, 'compliant-pod.yaml')], FIXTURES_DIR);
    expect(positionOf(manifests[0].source!, '/spec')).toEqual({ line: expect.any(Number), column: expect.any(Number) });
    check(manifests, { ...OPTIONS, releaseSources: true });
    expect(() => positionOf(manifests[0].source!, '/spec')).toThrow(/released/);
  });
});
