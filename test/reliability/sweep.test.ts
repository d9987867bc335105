/**
 * The property tests' generators and properties (generators.ts) over a fixed-seed PRNG: the same inputs on every
 * run, and no dependency beyond jest. properties.test.ts runs the same properties under fast-check with fresh
 * random inputs, shrinking and the seed printed on failure.
 */
import { expectRefused, expectValid, invalidCase, KINDS, seededDraw, validCase } from './generators';

/** Inputs per kind and property: small, the randomized property tests cover the space. */
const RUNS = 12;

describe.each(KINDS)('%s (fixed seeds)', kind => {
  const seeds = Array.from({ length: RUNS }, (_, i) => 1000 * (KINDS.indexOf(kind) + 1) + i);

  test('valid props: synthesis succeeds, schema-valid objects, no guard error', () => {
    for (const seed of seeds) expectValid(validCase(seededDraw(seed), kind));
  });

  test('invalid props: an Error naming the construct path and the field, never a TypeError', () => {
    for (const seed of seeds) expectRefused(invalidCase(seededDraw(seed), kind));
  });
});
