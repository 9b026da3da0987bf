import fc from 'fast-check';
import type { FuzzWorld } from './hostile-requests.js';

// Values an attacker sends, and valid values changed a little, for the fuzzer's generators.

export const NUL = '\u0000';

/** Strings an attacker tries: NUL, every kind of Unicode, injections, paths, lookalikes of ids. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string().map((text) => `${text}${NUL}${text}`),
  fc.constantFrom(
    '',
    ' ',
    NUL,
    '-'.repeat(36),
    '00000000-0000-0000-0000-000000000000',
    '../../../../etc/passwd',
    '..%2F..%2F',
    '%00',
    "' OR 1=1 --",
    '${jndi:ldap://127.0.0.1/a}',
    '\u202e\ufeff\u200d',
    '👩‍👩‍👧‍👦'.repeat(100),
    '__proto__',
  ),
  // Around the lengths platforms allow (X 280, Bluesky 300): valid for the DTO, refused by the platform.
  { weight: 3, arbitrary: fc.string({ minLength: 270, maxLength: 320 }) },
);

/** Odd strings, and huge ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  oddString,
  fc.integer({ min: 20_000, max: 300_000 }).map((length) => 'é'.repeat(length)),
);

export const trickyScalar = (world: FuzzWorld, strings = hostileString): fc.Arbitrary<unknown> =>
  fc.oneof(
    strings,
    fc.integer(),
    fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, 0.5, true, false, null),
    fc.double(),
    fc.uuid(),
    fc.constantFrom(...world.ids.own, ...world.ids.other),
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc.constantFrom(
      '2030-01-01T00:00:00Z',
      '2030-02-30T25:61:00+14:00',
      '+275760-09-13T00:00:00.000Z',
      '0000-01-01T00:00:00Z',
      'http://127.0.0.1:9/a.png',
      'http://169.254.169.254/latest/meta-data',
      'https://10.0.0.1/a.png',
      'x',
    ),
  );

/** JSON of every shape, with keys drawn from the routes' own field names as well as random ones. */
export const anyJson = (world: FuzzWorld, fieldNames: string[]): fc.Arbitrary<unknown> =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      trickyScalar(world),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(fc.oneof(fc.constantFrom(...fieldNames, 'constructor', 'prototype'), fc.string()), tie('value'), {
        maxKeys: 5,
      }),
    ),
  })).value;

export const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` levels, as raw JSON text. */
export const deeplyNested = fc
  .tuple(fc.integer({ min: 33, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? nestedArrays(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)));

export const isJsonObjectOrArray = (text: string): boolean => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
};

/** A query or path value as text: strings as they are, anything else as JSON. */
export const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

/**
 * `value` with up to two of its parts (at any depth) replaced by odd values or any JSON, left out, or,
 * for texts, repeated (past the length a platform allows, though within what the DTO allows).
 */
export function mutated(world: FuzzWorld, value: unknown, names: string[]): fc.Arbitrary<unknown> {
  const replacement = fc.oneof(
    { weight: 3, arbitrary: oddString },
    { weight: 2, arbitrary: trickyScalar(world, oddString) },
    { weight: 1, arbitrary: anyJson(world, names) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const changed = (part: unknown): fc.Arbitrary<unknown> =>
    typeof part === 'string' && part !== ''
      ? fc.oneof(
          replacement,
          fc.integer({ min: 2, max: 200 }).map((times) => part.repeat(times)),
        )
      : replacement;
  const parts = partsOf(value);
  return fc
    .subarray(parts, { maxLength: Math.min(2, parts.length) })
    .chain((chosen) =>
      fc.tuple(...chosen.map((path) => changed(partAt(value, path)))).map((values) => replaced(value, chosen, values)),
    );
}

export const partAt = (value: unknown, path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);

/** The paths to every part of a JSON value: `[['media'], ['media', '0'], ['media', '0', 'url'], …]`. */
export function partsOf(value: unknown, path: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...path, key], ...partsOf(child, [...path, key])]);
}

export function replaced(value: unknown, parts: string[][], values: unknown[]): unknown {
  const copy = structuredClone(value);
  parts.forEach((path, index) => {
    const parent = partAt(copy, path.slice(0, -1));
    if (typeof parent === 'object' && parent !== null)
      (parent as Record<string, unknown>)[path.at(-1)!] = values[index];
  });
  return copy;
}
