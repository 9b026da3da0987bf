import fc from 'fast-check';
import type { RawRequest, RawResponse } from './raw-http.js';
import type { ServedRoute } from './served-routes.js';

/** A request as it goes on the wire, and why it must be refused. */
export interface FuzzRequest extends RawRequest {
  /**
   * Why the request must be refused, whatever its other parts hold: each defect alone is refused by a
   * layer every request of its route passes (body parser, guard, pipe). Empty: it may be valid.
   */
  defects: string[];
}

/** What the generators draw real values from: the app's routes and the two workspaces of the test. */
export interface FuzzWorld {
  routes: ServedRoute[];
  adminToken: string;
  /** The key the requests act with, and the key of another workspace. */
  apiKeys: { own: string; other: string };
  /** The token each guard (by name) admits for the own workspace. */
  admits: Record<string, string>;
  /** Ids of the own workspace's accounts, posts and uploads, and of the other workspace's. */
  ids: { own: string[]; other: string[] };
  /** Other values that path parameters name (platforms). */
  names: readonly string[];
  /**
   * Valid bodies and queries of some routes, by `METHOD /path`, that requests which may be valid
   * change a little; other routes get bodies and queries of random values for their fields.
   */
  samples: Record<string, { params?: Record<string, string>; body?: unknown; query?: Record<string, string> }>;
  /** A small valid image, for uploads that may succeed. */
  image: Buffer;
}

const NUL = '\u0000';
const JSON_TYPE = 'application/json';

/** Strings an attacker tries: NUL, every kind of Unicode, injections, paths, lookalikes of ids. */
const oddString: fc.Arbitrary<string> = fc.oneof(
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
const hostileString: fc.Arbitrary<string> = fc.oneof(
  oddString,
  fc.integer({ min: 20_000, max: 300_000 }).map((length) => 'é'.repeat(length)),
);

const trickyScalar = (world: FuzzWorld, strings = hostileString): fc.Arbitrary<unknown> =>
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
const anyJson = (world: FuzzWorld, fieldNames: string[]): fc.Arbitrary<unknown> =>
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

const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` levels, as raw JSON text. */
const deeplyNested = fc
  .tuple(fc.integer({ min: 33, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? nestedArrays(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)));

const isJsonObjectOrArray = (text: string): boolean => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
};

interface Body {
  headers: Record<string, string>;
  body?: string | Buffer;
}

const json = (text: string, contentType = JSON_TYPE): Body => ({
  headers: { 'content-type': contentType },
  body: text,
});

/** Bodies that the JSON body parser refuses on every route, before any guard or handler. */
const unparsableBody: fc.Arbitrary<Body> = fc.oneof(
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
const invalidDtoBody = (world: FuzzWorld, route: ServedRoute): fc.Arbitrary<Body> => {
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
const imagelessUpload = (world: FuzzWorld): fc.Arbitrary<Body> =>
  fc.oneof(
    fc.constant<Body>({ headers: {} }),
    anyJson(world, ['file']).map((value) => json(JSON.stringify({ file: value }))),
    multipart(fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.concat([Buffer.from('not an image'), bytes]))),
    multipartGarbage,
  );

const BOUNDARY = 'herald-fuzz-boundary';

/** A well-formed multipart form: a `file` part holding `file`, and up to eight random fields. */
const multipart = (file: fc.Arbitrary<Buffer>): fc.Arbitrary<Body> =>
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

const multipartGarbage: fc.Arbitrary<Body> = fc
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
const anyBody = (world: FuzzWorld, route: ServedRoute): fc.Arbitrary<Body> =>
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
const sampleBody = (world: FuzzWorld, route: ServedRoute): fc.Arbitrary<Body>[] => {
  const body = world.samples[`${route.method} ${route.path}`]?.body;
  return body === undefined ? [] : [fc.constant(json(JSON.stringify(body)))];
};

/** A body of the route's own shape with random values, which the API may well accept. */
const plausibleBody = (world: FuzzWorld, route: ServedRoute): fc.Arbitrary<Body> => {
  if (route.body === 'upload') return multipart(fc.constant(world.image));
  if (route.body === 'none' || route.fields.body.length === 0) return fc.constant<Body>({ headers: {} });
  return fc
    .dictionary(fc.constantFrom(...route.fields.body), anyJson(world, route.fields.body), {
      maxKeys: route.fields.body.length,
    })
    .map((body) => json(JSON.stringify(body)));
};

/** Authorization header values that no guard admits. */
const wrongCredentials = (world: FuzzWorld): fc.Arbitrary<Record<string, string>> =>
  fc
    .oneof(
      fc.constant(undefined),
      fc.constantFrom(
        '',
        'Bearer',
        'Bearer ',
        'Basic YWRtaW46YWRtaW4=',
        world.apiKeys.own,
        `Token ${world.apiKeys.own}`,
      ),
      fc
        .constantFrom(world.apiKeys.own, world.apiKeys.other, world.adminToken)
        .chain((key) => fc.constantFrom(`Bearer ${key}x`, `Bearer ${key.slice(0, -1)}`, `Bearer ${key} ${key}`)),
      headerValue.map((value) => `Bearer ${value}`),
      headerValue,
    )
    .map((value): Record<string, string> => (value === undefined ? {} : { authorization: value }));

const anyCredentials = (world: FuzzWorld): fc.Arbitrary<Record<string, string>> =>
  fc.oneof(
    fc
      .constantFrom(world.apiKeys.own, world.apiKeys.other, world.adminToken)
      .map((key) => ({ authorization: `Bearer ${key}` })),
    wrongCredentials(world),
  );

/** What node:http can put in a header: Latin-1 without control characters. */
const headerValue = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((code) => code !== 0x7f)
    .map((code) => String.fromCharCode(code)),
  maxLength: 300,
});

const otherHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'idempotency-key': fc.oneof(fc.uuid(), headerValue, fc.constant('k'.repeat(256))),
    'x-request-id': headerValue,
    accept: fc.constantFrom('*/*', 'text/html', 'application/xml'),
  },
  { requiredKeys: [] },
);

/** Path segments that name nothing: malformed, lookalike or unknown ids, traversal, Unicode. */
const namelessSegment: fc.Arbitrary<string> = fc.oneof(
  fc.uuid().map(encodeURIComponent),
  fc
    .tuple(fc.string(), fc.constantFrom('-', ' ', 'é', NUL, '%', '.', '"', '\u202e'))
    .map(([text, odd]) => encodeSegment(`${text}${odd}`)),
  fc.constantFrom(
    '-'.repeat(36),
    '..',
    '%2e%2e',
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '%ZZ',
    '%',
    '%00',
    '%C0%AE%C0%AE',
    'null',
    '-1',
  ),
);

/** Percent-encodes a path segment, dots too, so that no dot segment is resolved on the way. */
const encodeSegment = (value: string): string => encodeURIComponent(value).replace(/\./g, '%2E');

const pathWith = (route: ServedRoute, segment: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(...route.params.map(() => segment))
    .map((values) => route.params.reduce((path, name, index) => path.replace(`:${name}`, values[index]), route.path));

const realOrOdd = (world: FuzzWorld): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...world.ids.own, ...world.names) },
    { weight: 1, arbitrary: fc.constantFrom(...world.ids.other) },
    { weight: 1, arbitrary: namelessSegment },
  );

/** Query parameters: the route's own names and others, odd values, repeats and brackets. */
const queryPairs = (world: FuzzWorld, route: ServedRoute): fc.Arbitrary<[string, string][]> =>
  fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          ...route.fields.query,
          'status',
          'limit',
          'cursor',
          'code',
          'state',
          'error',
          'expires',
          'signature',
        ),
        fc.string(),
        fc.constantFrom('a[b]', 'a[]', 'limit[$gt]', '__proto__[x]'),
      ),
      fc.oneof(
        { weight: 10, arbitrary: trickyScalar(world, oddString).map(String) },
        { weight: 10, arbitrary: fc.constantFrom('1', '100', '101', '0', 'queued', 'true') },
        { weight: 1, arbitrary: fc.constant('q'.repeat(20_000)) },
      ),
    ),
    { maxLength: 5 },
  );

const queryString = (pairs: [string, string][]): string =>
  pairs.length === 0
    ? ''
    : `?${pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')}`;

/** The defects that apply to a route: each alone is enough for it to be refused. */
function defectsOf(world: FuzzWorld, route: ServedRoute): string[] {
  return [
    'body is not JSON the parser accepts',
    ...(route.guards.length > 0 ? ['credentials are wrong'] : []),
    ...(route.params.length > 0 ? ['a path parameter names nothing'] : []),
    ...(route.params.length > 0 && route.guards.length > 0 ? ["the path names another workspace's resource"] : []),
    ...(route.body === 'json' ? ['body breaks the DTO'] : []),
    ...(route.body === 'upload' ? ['upload holds no image'] : []),
    ...(route.query ? ['query holds a NUL character'] : []),
    ...(unservedMethods(world, route).length > 0 ? ['method is not served on this path'] : []),
  ];
}

/** A request to some route that is invalid in at least one way that guarantees its refusal. */
export const invalidRequest = (world: FuzzWorld): fc.Arbitrary<FuzzRequest> =>
  fc.constantFrom(...world.routes).chain((route) =>
    // Mostly a single defect, so that the layer that must refuse it is the only one that can.
    fc
      .oneof(
        { weight: 3, arbitrary: fc.constantFrom(...defectsOf(world, route)).map((defect) => [defect]) },
        { weight: 1, arbitrary: fc.subarray(defectsOf(world, route), { minLength: 1 }) },
      )
      .chain((defects) => {
        const has = (defect: string) => defects.some((chosen) => chosen.startsWith(defect));
        const body = has('body is not JSON')
          ? unparsableBody
          : has('body breaks')
            ? invalidDtoBody(world, route)
            : has('upload')
              ? imagelessUpload(world)
              : anyBody(world, route);
        return fc
          .record({
            method: has('method') ? fc.constantFrom(...unservedMethods(world, route)) : fc.constant(route.method),
            path: has('a path parameter')
              ? pathWith(route, namelessSegment)
              : has('the path names another')
                ? pathWith(route, fc.constantFrom(...world.ids.own))
                : fc.oneof({ weight: 3, arbitrary: samplePath(world, route) }, pathWith(route, realOrOdd(world))),
            query: has('query')
              ? fc
                  .tuple(queryPairs(world, route), fc.string())
                  .map(([pairs, text]) => [...pairs, ['status', `${text}${NUL}`]] as [string, string][])
              : queryPairs(world, route),
            credentials: has('credentials')
              ? wrongCredentials(world)
              : has('the path names another')
                ? fc.constant({ authorization: `Bearer ${world.apiKeys.other}` })
                : fc.oneof(
                    { weight: 3, arbitrary: fc.constant({ authorization: `Bearer ${admitted(world, route)}` }) },
                    anyCredentials(world),
                  ),
            headers: otherHeaders,
            body,
          })
          .map(({ method, path, query, credentials, headers, body }) => ({
            method,
            path: `${path}${queryString(query)}`,
            headers: { ...headers, ...credentials, ...body.headers },
            body: body.body,
            defects,
          }));
      }),
  );

/**
 * A request with the credential its route's guard admits, real ids, and the route's sample body and
 * query with a few parts changed (or random values for its fields where it has no sample): it may
 * well succeed.
 */
export const plausibleRequest = (world: FuzzWorld): fc.Arbitrary<FuzzRequest> =>
  fc
    .oneof(
      ...world.routes.map((route) => ({
        weight: world.samples[`${route.method} ${route.path}`]?.body ? 5 : 1,
        arbitrary: fc.constant(route),
      })),
    )
    .chain((route) => {
      const sample = world.samples[`${route.method} ${route.path}`] ?? {};
      const names = [...route.fields.body, ...route.fields.query];
      return fc
        .record({
          path: sample.params
            ? mutated(world, sample.params, names).map((values) => pathFrom(route, values))
            : pathWith(route, realOrOdd(world)),
          query: sample.query
            ? mutated(world, sample.query, names).map((query) =>
                typeof query === 'object' && query !== null
                  ? Object.entries(query).map(([key, value]): [string, string] => [key, asText(value)])
                  : [],
              )
            : queryPairs(world, route),
          headers: fc.record(
            { 'idempotency-key': fc.oneof(fc.uuid(), fc.constant('fuzz-repeated-key')) },
            { requiredKeys: [] },
          ),
          body:
            sample.body === undefined
              ? plausibleBody(world, route)
              : mutated(world, sample.body, names).map((body) => json(JSON.stringify(body) ?? 'null')),
        })
        .map(({ path, query, headers, body }) => ({
          method: route.method,
          path: `${path}${queryString(query)}`,
          headers: { ...headers, authorization: `Bearer ${admitted(world, route)}`, ...body.headers },
          body: body.body,
          defects: [],
        }));
    });

/** The token the route's guard admits for the own workspace. */
const admitted = (world: FuzzWorld, route: ServedRoute): string =>
  route.guards.map((guard) => world.admits[guard]).find(Boolean) ?? world.apiKeys.own;

/** The route's path with its parameters from `values` (`{ id: … }`), encoded. */
const pathFrom = (route: ServedRoute, values: unknown): string =>
  route.params.reduce(
    (path, name) =>
      path.replace(`:${name}`, encodeSegment(asText((values as Record<string, unknown> | undefined)?.[name]))),
    route.path,
  );

/** The route's path with its sample's parameters (real ids of the own workspace), or any. */
const samplePath = (world: FuzzWorld, route: ServedRoute): fc.Arbitrary<string> => {
  const params = world.samples[`${route.method} ${route.path}`]?.params;
  return params ? fc.constant(pathFrom(route, params)) : pathWith(route, realOrOdd(world));
};

/** A query or path value as text: strings as they are, anything else as JSON. */
const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

/**
 * `value` with up to two of its parts (at any depth) replaced by odd values or any JSON, left out, or,
 * for texts, repeated (past the length a platform allows, though within what the DTO allows).
 */
function mutated(world: FuzzWorld, value: unknown, names: string[]): fc.Arbitrary<unknown> {
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

const partAt = (value: unknown, path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);

/** The paths to every part of a JSON value: `[['media'], ['media', '0'], ['media', '0', 'url'], …]`. */
function partsOf(value: unknown, path: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...path, key], ...partsOf(child, [...path, key])]);
}

function replaced(value: unknown, parts: string[][], values: unknown[]): unknown {
  const copy = structuredClone(value);
  parts.forEach((path, index) => {
    const parent = partAt(copy, path.slice(0, -1));
    if (typeof parent === 'object' && parent !== null)
      (parent as Record<string, unknown>)[path.at(-1)!] = values[index];
  });
  return copy;
}

function unservedMethods(world: FuzzWorld, route: ServedRoute): string[] {
  const served = new Set(world.routes.filter((other) => other.path === route.path).map((other) => other.method));
  return ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) => !served.has(method));
}

/** What is wrong with a response's error body: it must be `{ statusCode, error, message, details? }`. */
export function errorShapeProblems(response: RawResponse): string[] {
  const body = response.body as Record<string, unknown> | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['the body is not a JSON object'];
  const problems: string[] = [];
  if (body.statusCode !== response.status) problems.push(`statusCode is ${String(body.statusCode)}`);
  if (typeof body.error !== 'string' || body.error === '') problems.push('error is missing');
  if (typeof body.message !== 'string' || body.message.trim() === '' || body.message === body.error) {
    problems.push('message does not name the problem');
  }
  if (
    body.details !== undefined &&
    !(
      Array.isArray(body.details) &&
      body.details.length > 0 &&
      body.details.every(
        (detail: { field?: unknown; message?: unknown }) =>
          typeof detail.field === 'string' && typeof detail.message === 'string',
      )
    )
  ) {
    problems.push('details is not a list of { field, message }');
  }
  return problems;
}
