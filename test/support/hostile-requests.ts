import fc from 'fast-check';
import type { RawRequest, RawResponse } from './raw-http.js';
import type { ServedRoute } from './served-routes.js';
import { anyBody, imagelessUpload, invalidDtoBody, json, plausibleBody, unparsableBody } from './fuzz-bodies.js';
import { asText, mutated, NUL, oddString, trickyScalar } from './fuzz-values.js';

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
    ...(needsCredential(route) ? ['credentials are wrong'] : []),
    ...(route.params.length > 0 ? ['a path parameter names nothing'] : []),
    ...(route.params.length > 0 && actsInWorkspace(route) ? ["the path names another workspace's resource"] : []),
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

/** The route's access rule, or its own guard (a signed media link's), asks for a credential. */
const needsCredential = (route: ServedRoute): boolean => route.access?.kind !== 'public' || route.guards.length > 0;

/** The route acts on the caller's workspace's resources (an API key's, or a signed link's). */
const actsInWorkspace = (route: ServedRoute): boolean => route.access?.kind === 'workspace' || route.guards.length > 0;

/** The token the route's access rule admits for the own workspace: the operator's, or the own API key. */
const admitted = (world: FuzzWorld, route: ServedRoute): string =>
  route.access?.kind === 'operator' ? world.adminToken : world.apiKeys.own;

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
