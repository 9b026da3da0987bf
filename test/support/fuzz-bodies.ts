import fc from 'fast-check';
import {
  anyJson,
  deeplyNested,
  isJsonObjectOrArray,
  nestedArrays,
  NUL,
  partAt,
  partsOf,
  replaced,
  trickyScalar,
} from './fuzz-values.js';
import type { FuzzWorld } from './hostile-requests.js';
import type { ServedRoute } from './served-routes.js';

// Request bodies for the fuzzer: unparsable, breaking a DTO, without an image, or of any kind.

const JSON_TYPE = 'application/json';

/** A body and the headers that describe it. */
export interface Body {
  headers: Record<string, string>;
  body?: string | Buffer;
}

export const json = (text: string, contentType = JSON_TYPE): Body => ({
  headers: { 'content-type': contentType },
  body: text,
});

/** Bodies that the JSON body parser refuses on every route, before any guard or handler. */
export const unparsableBody: fc.Arbitrary<Body> = fc.oneof(
  fc
    .oneof(
      fc.string({ minLength: 1 }),
      fc.constantFrom(
        '{"content": "x",',
        "{'a': 1}",
        '{"a": NaN}',
        '[1, 2,]',
        '"just a string"',
        '42',
        'null',
        '{"a":1}}',
      ),
    )
    .filter((text) => text.trim() !== '' && !isJsonObjectOrArray(text))
    .chain((text) =>
      fc.constantFrom(JSON_TYPE, 'application/json; charset=utf-8', 'Application/JSON').map((type) => json(text, type)),
    ),
  fc.integer({ min: 1_050_000, max: 1_300_000 }).map((length) => json(`{"content":"${'x'.repeat(length)}"}`)),
  fc.constantFrom('latin9', 'iso-8859-1', 'x-unknown').map((charset) => json('{}', `${JSON_TYPE}; charset=${charset}`)),
  fc.constantFrom('gzip', 'deflate', 'br', 'x-compress-me').map((encoding) => ({
    headers: { 'content-type': JSON_TYPE, 'content-encoding': encoding },
    body: '{"not":"compressed"}',
  })),
);

/**
 * Parsed JSON objects that the global validation pipe refuses on any route with a body: a NUL character
 * or nesting deeper than 32 levels always; an unknown field where a DTO class whitelists the fields.
 * Where the route has a valid sample, the defect is put into it, so that it is the only one.
 */
export const invalidDtoBody = (world: FuzzWorld, route: ServedRoute): fc.Arbitrary<Body> => {
  const fields = route.fields.body;
  const sample = world.samples[`${route.method} ${route.path}`]?.body;
  const base: fc.Arbitrary<unknown> =
    sample !== undefined
      ? fc.constant(sample)
      : fields.length > 0
        ? fc.dictionary(fc.constantFrom(...fields), trickyScalar(world), { maxKeys: 4 })
        : fc.constant({});
  const withPart = (part: fc.Arbitrary<unknown>, where: (body: unknown) => string[][]) =>
    fc
      .tuple(base, part)
      .chain(([body, value]) => {
        const paths = where(body);
        return paths.length > 0
          ? fc.constantFrom(...paths).map((path) => replaced(body, [path], [value]))
          : fc.constant({ ...(body as object), hidden: value });
      })
      .map((body) => json(JSON.stringify(body)));
  const texts = (body: unknown) => partsOf(body).filter((path) => typeof partAt(body, path) === 'string');
  const unknownField = fc
    .tuple(
      base,
      fc.string({ minLength: 1 }).filter((key) => !fields.includes(key) && key !== '__proto__'),
    )
    .map(([body, unknown]) => json(JSON.stringify({ ...(body as object), [unknown]: 1 })));
  return fc.oneof(
    withPart(
      fc.tuple(fc.string(), fc.string()).map(([before, after]) => `${before}${NUL}${after}`),
      texts,
    ),
    withPart(
      fc.integer({ min: 33, max: 1000 }).map((depth) => JSON.parse(nestedArrays(depth)) as unknown),
      partsOf,
    ),
    deeplyNested.map((nested) => json(`{"a":${nested}}`)),
    ...(fields.length > 0 ? [unknownField] : []),
  );
};

/** Bodies with no usable image for an upload route: none, not multipart, broken multipart, not an image. */
export const imagelessUpload = (world: FuzzWorld): fc.Arbitrary<Body> =>
  fc.oneof(
    fc.constant<Body>({ headers: {} }),
    anyJson(world, ['file']).map((value) => json(JSON.stringify({ file: value }))),
    multipart(fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.concat([Buffer.from('not an image'), bytes]))),
    multipartGarbage,
  );

const BOUNDARY = 'herald-fuzz-boundary';

/** A well-formed multipart form: a `file` part holding `file`, and up to eight random fields. */
export const multipart = (file: fc.Arbitrary<Buffer>): fc.Arbitrary<Body> =>
  fc
    .tuple(file, fc.array(fc.tuple(fc.string({ unit: 'grapheme-ascii' }), fc.string()), { maxLength: 8 }))
    .map(([bytes, fields]) => ({
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: Buffer.concat([
        ...fields.map(([name, value]) =>
          Buffer.from(
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, '')}"\r\n\r\n${value}\r\n`,
          ),
        ),
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n`),
        bytes,
        Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
      ]),
    }));

export const multipartGarbage: fc.Arbitrary<Body> = fc
  .tuple(
    fc.constantFrom(
      'multipart/form-data',
      `multipart/form-data; boundary=${BOUNDARY}`,
      'multipart/form-data; boundary=',
    ),
    fc.oneof(
      fc.string(),
      fc.constant(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nunterminated`),
      fc.constant(`--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--${BOUNDARY}--\r\n`),
      fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)),
    ),
  )
  .map(([contentType, body]) => ({ headers: { 'content-type': contentType }, body }));

/** Any body at all, valid or not, for a request whose refusal is guaranteed by another defect. */
export const anyBody = (world: FuzzWorld, route: ServedRoute): fc.Arbitrary<Body> =>
  fc.oneof(
    ...sampleBody(world, route),
    fc.constant<Body>({ headers: {} }),
    fc.record({ body: anyJson(world, route.fields.body) }).map(({ body }) => json(JSON.stringify(body) ?? 'null')),
    plausibleBody(world, route),
    unparsableBody,
    invalidDtoBody(world, route),
    multipart(fc.constant(world.image)),
    multipartGarbage,
    fc.string().map((text) => ({ headers: { 'content-type': 'text/plain' }, body: text })),
    fc.string().map((text) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: text })),
  );

/** The route's valid sample body, where it has one. */
export const sampleBody = (world: FuzzWorld, route: ServedRoute): fc.Arbitrary<Body>[] => {
  const body = world.samples[`${route.method} ${route.path}`]?.body;
  return body === undefined ? [] : [fc.constant(json(JSON.stringify(body)))];
};

/** A body of the route's own shape with random values, which the API may well accept. */
export const plausibleBody = (world: FuzzWorld, route: ServedRoute): fc.Arbitrary<Body> => {
  if (route.body === 'upload') return multipart(fc.constant(world.image));
  if (route.body === 'none' || route.fields.body.length === 0) return fc.constant<Body>({ headers: {} });
  return fc
    .dictionary(fc.constantFrom(...route.fields.body), anyJson(world, route.fields.body), {
      maxKeys: route.fields.body.length,
    })
    .map((body) => json(JSON.stringify(body)));
};
