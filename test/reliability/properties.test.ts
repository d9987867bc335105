/**
 * Property-based tests (fast-check): for random VALID props of every public construct, synthesis succeeds, every
 * object is schema-valid and the guard reports no failing error; for random INVALID props (a valid input with one
 * fault injected), building or synthesizing throws an Error, never a TypeError, whose message names the construct
 * path (`[test/...]`), or the static function called without a construct (`NetworkPeer.cidr: ...`), and the field.
 * Besides the constructs, the kinds cover declared connections (WorkloadConnections / NetworkPeer), scope-wide
 * HardenedDefaults and the NamespaceAccess personas.
 *
 * On failure fast-check prints the seed and the counterexample (the values drawn); the thrown message repeats the
 * generated props. To replay, pass `{ seed }` (not the path: `fc.gen()` replays by seed only) to `fc.assert`.
 * The same generators run with fixed seeds, without fast-check, in sweep.test.ts.
 */
import * as fc from 'fast-check';
import { Draw, expectRefused, expectValid, invalidCase, KINDS, validCase } from './generators';

/** Bounded so the whole suite stays fast on a 2-core machine (each run synthesizes a small app). */
const VALID_RUNS = 100;
const INVALID_RUNS = 200;

/** A Draw backed by fast-check's generator: every choice is part of the counterexample and shrinks. */
function drawOf(g: fc.GeneratorValue): Draw {
  return {
    int: (min, max) => g(fc.integer, { min, max }),
    bool: () => g(fc.boolean),
    pick: values => values[g(fc.nat, { max: values.length - 1 })],
  };
}

describe.each(KINDS)('%s', kind => {
  test('random valid props: synthesis succeeds, every object is schema-valid, no guard error', () => {
    fc.assert(fc.property(fc.gen(), g => expectValid(validCase(drawOf(g), kind))), { numRuns: VALID_RUNS });
  });

  test('random invalid props: an Error naming the construct path and the field, never a TypeError', () => {
    fc.assert(fc.property(fc.gen(), g => expectRefused(invalidCase(drawOf(g), kind))), { numRuns: INVALID_RUNS });
  });
});
