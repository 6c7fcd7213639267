import { mockCredentials } from '@backstage/backend-test-utils';
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { resolve } from 'path';
import fc from 'fast-check';
import { Knex } from 'knex';
import request from 'supertest';
import Ajv from 'ajv';
import {
  AccessTestBackend,
  createTestDatabases,
  startAccessBackend,
} from '../__testUtils__/harness';
import { spec } from '../schema/openapi/generated/spec';

jest.setTimeout(120_000);

/**
 * Hostile input on every route: malformed, oversized, deeply nested, wrong-typed, unicode,
 * null bytes, `__proto__` and injection-shaped bodies, query strings and path ids. Never a
 * 5xx; a body the route's schema refuses is a 400; and any call that does not succeed leaves
 * every access_* table exactly as it was. Inputs that happen to be valid may succeed: the
 * database baseline is then taken again.
 */

// The oracle is the contract itself: a body the spec's request schema refuses must be a 400.
const ajv = new Ajv({ strict: false, validateFormats: false });
ajv.addSchema(spec, 'spec');
/** The request body schema of one operation in the spec, compiled. */
const bodySchema = (path: string, method: string) =>
  ajv.compile({
    $ref: `spec#/paths/${path.replace(
      /\//g,
      '~1',
    )}/${method}/requestBody/content/application~1json/schema`,
  });
const SUBMIT_BODY = bodySchema('/requests', 'post');

const databases = createTestDatabases();
/** fast-check runs per route and engine; the fixed inputs come on top. */
const RUNS = 15;

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'resource:default/orders-db\u0000',
  '\uD800',
  '\uDFFF\uD800',
  '\uFFFE',
  '\u202Eevil',
  '𝕏🙂👩‍👩‍👧',
  'Ω≈ç√∫ ﷽',
  '\r\nX-Injected: 1',
  "' OR '1'='1",
  "'; DROP TABLE access_requests; --",
  '" OR ""="',
  '1; SELECT pg_sleep(5)--',
  "admin'--",
  '%',
  '_',
  '\\',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '*',
  'user:default/bob',
  'service:itsm',
  '__proto__',
  'constructor',
  'toString',
  'x'.repeat(2001),
  'ü'.repeat(401),
];
const NASTY_SCALARS = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 2,
  [],
  {},
  [null],
  { $ne: null },
  { $gt: '' },
];
const POLLUTION = [
  '{"__proto__":{"isAdmin":true,"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"__proto__":[]}',
  '{"comment":"x","__proto__":{"polluted":"yes"}}',
  '{"resources":[{"entityRef":"resource:default/orders-db-staging","permissions":["read"],"__proto__":{"polluted":"yes"}}],"justification":"x"}',
  '{"resources":{"__proto__":{"length":1}},"justification":"x"}',
];
const MALFORMED = [
  '{',
  '{"a":',
  '[',
  '{"a" 1}',
  "{'a':1}",
  'nul',
  '{"a":1}}',
  '{"a":1,}',
  '\u0000',
  ' ',
  'true',
  '1',
  '"text"',
  'null',
  '{"justification":"\\u0000"}',
  '{"justification":"\\ud800"}',
];
const DEPTH = 50_000;
const DEEP = [
  '['.repeat(DEPTH) + ']'.repeat(DEPTH),
  `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`,
  `{"resources":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`,
  `{"justification":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}`,
];
const OVERSIZED = [
  `{"justification":"${'x'.repeat(1100 * 1024)}"}`,
  `[${Array.from({ length: 60_000 }, () => '{"entityRef":"a"}').join(',')}]`,
  `{"a":"${'é'.repeat(600 * 1024)}"}`,
];

/** Percent-encodes every byte (lone surrogates become U+FFFD, as a client would send them). */
const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map(b => `%${b.toString(16).padStart(2, '0')}`)
    .join('');

const cursorOf = (v: unknown) =>
  Buffer.from(JSON.stringify(v)).toString('base64url');
const QUERIES = [
  '%',
  '%zz=1',
  'a=%E0%A4%A',
  '__proto__[polluted]=yes',
  'constructor[prototype][polluted]=yes',
  '__proto__=1',
  'limit=1e999',
  'limit=-0',
  'limit=0x10',
  'limit=5.5',
  'limit[]=5',
  'limit[$gt]=1',
  'view=all&view=mine',
  'view[]=all',
  'status=pending,,,granted',
  'status[__proto__]=x',
  `cursor=${cursorOf([1e300, 'x'])}`,
  `cursor=${cursorOf([1.5, 'x'])}`,
  `cursor=${cursorOf([-1, "'; DROP TABLE access_requests; --"])}`,
  `cursor=${cursorOf([1, 'x\u0000'])}`,
  `cursor=${cursorOf(['1', 2])}`,
  `cursor=${'A'.repeat(999)}`,
  'cursor=99999999999999999999',
  `entityRef=${pct('resource:default/orders-db\u0000')}`,
  `entityRef=${pct("resource:default/x' OR 1=1 --")}`,
  'entityRef=resource:default/orders-db&entityRef=resource:default/prod-eks',
  `requester=${pct("user:default/x' OR 1=1 --")}`,
  `requester=${pct('User:Default/Alice\u0000')}`,
  'requester=alice&view=favorites',
  `flowId=${pct("prod-db' --")}&entityRef=${pct('resource:default/%')}`,
  `view=all&requester=${pct('%')}&entityRef=${pct('resource:default/_')}`,
  `q=${pct('\u0000')}`,
  `q=${pct("' OR '1'='1")}&type=${pct('%')}`,
  `permission=${pct('read\u0000')}`,
  'format=csv&requestId=%27%20OR%201%3D1--',
  `requestId=${pct('00000000-0000-4000-8000-000000000000\u0000')}`,
  `${'a=1&'.repeat(1500)}`,
  `q=${'x'.repeat(12_000)}`,
];
const PATH_IDS = [
  '%',
  '%E0%A4%A',
  '%00',
  pct('\u0000'),
  '..%2F..%2Fflows',
  pct("' OR 1=1 --"),
  '00000000-0000-4000-8000-000000000000%00',
  '00000000-0000-0000-0000-000000000000',
  '%7B%7Bid%7D%7D',
  'x'.repeat(2000),
];

interface Route {
  method: 'get' | 'post' | 'put' | 'delete';
  /** `{pending}`, `{decide}`, `{granted}`, `{ended}` name fixtures. */
  path: string;
  who: string;
  /** The spec's schema of the body; undefined: the route takes no body. */
  schema?: (body: unknown) => boolean;
  /** Body keys the route knows, and a valid body to put one nasty value into. */
  keys?: string[];
  template?: Record<string, unknown>;
  /** Query keys the route knows. */
  query?: string[];
  /** Skip the fixed nasty value per key (another route already covers the same schema). */
  noPerKey?: boolean;
}

const STAGING = 'resource:default/orders-db-staging';
const SUBMIT_KEYS = [
  'resources',
  'bundleId',
  'durationSeconds',
  'justification',
  'requester',
];
const SUBMIT = {
  resources: [{ entityRef: STAGING, permissions: ['read'] }],
  justification: 'fuzz',
};
const BODY_ROUTES: Route[] = [
  {
    method: 'post',
    path: '/requests',
    who: 'alice',
    schema: SUBMIT_BODY,
    keys: SUBMIT_KEYS,
    template: SUBMIT,
  },
  {
    method: 'post',
    path: '/requests',
    who: 'service',
    schema: SUBMIT_BODY,
    keys: SUBMIT_KEYS,
    noPerKey: true,
    template: { ...SUBMIT, requester: 'alice@example.com' },
  },
  {
    method: 'post',
    path: '/requests/preview',
    who: 'alice',
    schema: SUBMIT_BODY,
    keys: SUBMIT_KEYS,
    noPerKey: true,
    template: SUBMIT,
  },
  {
    method: 'post',
    path: '/requests/{decide}/approve',
    who: 'dana',
    schema: bodySchema('/requests/{id}/approve', 'post'),
    keys: ['comment'],
    template: {},
  },
  {
    method: 'post',
    path: '/requests/{decide}/reject',
    who: 'dana',
    schema: bodySchema('/requests/{id}/reject', 'post'),
    keys: ['reason'],
    template: { reason: 'no' },
  },
  { method: 'post', path: '/requests/{pending}/cancel', who: 'alice' },
  {
    method: 'post',
    path: '/requests/{granted}/revoke',
    who: 'alice',
    schema: bodySchema('/requests/{id}/revoke', 'post'),
    keys: ['reason'],
    template: {},
  },
  {
    method: 'post',
    path: '/requests/{ended}/again',
    who: 'alice',
    schema: bodySchema('/requests/{id}/again', 'post'),
    keys: ['justification'],
    template: { justification: 'again' },
  },
  {
    method: 'post',
    path: '/requests/{granted}/extend',
    who: 'alice',
    schema: bodySchema('/requests/{id}/extend', 'post'),
    keys: ['durationSeconds', 'justification'],
    template: { durationSeconds: 60, justification: 'more' },
  },
  { method: 'put', path: '/requests/{pending}/favorite', who: 'alice' },
  { method: 'delete', path: '/requests/{pending}/favorite', who: 'alice' },
];
const QUERY_ROUTES: Route[] = [
  { method: 'get', path: '/flows', who: 'alice', query: [] },
  { method: 'get', path: '/bundles', who: 'alice', query: [] },
  {
    method: 'get',
    path: '/resources',
    who: 'alice',
    query: ['q', 'type', 'permission', 'cursor', 'limit'],
  },
  {
    method: 'get',
    path: '/requests',
    who: 'pat',
    query: [
      'view',
      'status',
      'requester',
      'entityRef',
      'flowId',
      'cursor',
      'limit',
    ],
  },
  { method: 'get', path: '/requests/{pending}', who: 'alice', query: [] },
  { method: 'get', path: '/entity-access', who: 'pat', query: ['entityRef'] },
  {
    method: 'get',
    path: '/entity-access/history',
    who: 'pat',
    query: ['entityRef', 'cursor', 'limit'],
  },
  {
    method: 'get',
    path: '/audit',
    who: 'pat',
    query: ['cursor', 'limit', 'format', 'requestId'],
  },
  { method: 'get', path: '/audit/verify', who: 'pat', query: [] },
];
const ID_ROUTES = [
  ['get', '/requests/{id}'],
  ['post', '/requests/{id}/approve'],
  ['post', '/requests/{id}/reject'],
  ['post', '/requests/{id}/cancel'],
  ['post', '/requests/{id}/revoke'],
  ['post', '/requests/{id}/again'],
  ['post', '/requests/{id}/extend'],
  ['put', '/requests/{id}/favorite'],
  ['delete', '/requests/{id}/favorite'],
] as const;

// ---------------------------------------------------------------- arbitraries

const nastyString = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
);
const nastyKey = (known: string[]) =>
  fc.oneof(
    fc.constantFrom(
      ...known,
      '__proto__',
      'constructor',
      'prototype',
      'isAdmin',
      'status',
    ),
    fc.string({ maxLength: 12 }),
  );
const { value: nastyValue } = fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nastyString,
    fc.constantFrom(...NASTY_SCALARS),
    fc.integer(),
    fc.double(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(nastyKey([]), tie('value'), { maxKeys: 3 }),
  ),
}));

/** A body as JSON text: random JSON, wrong-typed known keys, near-valid bodies, truncations. */
function bodyText(route: Route): fc.Arbitrary<string> {
  const keys = route.keys ?? ['a'];
  const known = Object.fromEntries(keys.map(k => [k, nastyValue]));
  const json = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.dictionary(nastyKey(keys), nastyValue, { maxKeys: 5 }),
    fc.record(known, { requiredKeys: [] }),
    // The valid template with one field replaced: reaches the service and the database.
    fc
      .tuple(fc.constantFrom(...keys), nastyValue)
      .map(([k, v]) => ({ ...route.template, [k]: v })),
    fc
      .array(
        fc.record({
          entityRef: nastyString,
          permissions: fc.array(nastyString, { maxLength: 3 }),
        }),
        { maxLength: 3 },
      )
      .map(resources => ({ ...route.template, resources })),
  );
  return fc.tuple(json, fc.option(fc.nat(), { freq: 4 })).map(([v, cut]) => {
    const text = JSON.stringify(v) ?? 'null';
    return cut !== null && cut < text.length ? text.slice(0, cut) : text;
  });
}

function queryText(route: Route): fc.Arbitrary<string> {
  const keys = route.query ?? [];
  const key = fc.oneof(
    fc.constantFrom(
      ...keys,
      ...keys.map(k => `${k}[]`),
      ...keys.map(k => `${k}[__proto__]`),
      '__proto__[polluted]',
      'constructor[prototype][polluted]',
    ),
    fc.string({ maxLength: 6 }),
  );
  const value = fc.oneof(nastyString, fc.integer().map(String));
  return fc
    .array(fc.tuple(key, value), { maxLength: 5 })
    .map(pairs => pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&'));
}

/** What a route must answer to a body: exactly 400 when the body cannot be valid. */
function mustBe(route: Route, text: string): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    if (e instanceof RangeError) return undefined; // too deep for this process: any 4xx
    // An empty body is no body: the route runs with {}.
    return text.length === 0 ? undefined : 400;
  }
  // The body parser takes objects and arrays only.
  if (parsed === null || typeof parsed !== 'object') return 400;
  if (!route.schema) return undefined;
  return route.schema(parsed) ? undefined : 400;
}

it('fuzzes every route of the router', () => {
  const source = readFileSync(resolve(__dirname, 'router.ts'), 'utf8');
  const routes = [
    ...source.matchAll(/router\.(get|post|put|delete)\(\s*'([^']+)'/g),
  ].map(m => `${m[1]} ${m[2].replace(':id', '{id}')}`);
  const fuzzed = new Set(
    [...BODY_ROUTES, ...QUERY_ROUTES].map(
      r => `${r.method} ${r.path.replace(/\{\w+\}/, '{id}')}`,
    ),
  );
  expect(routes.length).toBeGreaterThan(15);
  expect(routes.filter(r => !fuzzed.has(r))).toEqual([]);
});

describe.each(databases.eachSupportedId())(
  'endpoint fuzz on %s',
  databaseId => {
    let h: AccessTestBackend;
    let knex: Knex;
    const ids: Record<string, string> = {};
    const statuses = new Map<number, number>();
    let tried = 0;
    let generated = 0;
    /** Successful calls that changed the database: the snapshot does notice changes. */
    let changes = 0;

    async function submit(who: string, entityRef: string) {
      const res = await h.api.post(
        '/requests',
        {
          resources: [{ entityRef, permissions: ['read'] }],
          justification: 'fuzz fixture',
        },
        who,
      );
      expect(res.status).toBe(201);
      return res.body.items[0].id as string;
    }

    /** (Re)creates the request a placeholder names, in the state its routes need. */
    async function refresh(name: string) {
      if (name === 'granted') {
        ids.granted = await submit('alice', STAGING); // automatic: granted at once
        return;
      }
      ids[name] = await submit('alice', 'resource:default/orders-db');
      if (name === 'ended') {
        await h.api.post(`/requests/${ids.ended}/cancel`, {}, 'alice');
      }
    }

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      h = await startAccessBackend({ knex });
      for (const name of ['pending', 'decide', 'granted', 'ended']) {
        await refresh(name);
      }
    });
    afterAll(async () => {
      await h?.backend.stop();
    });

    /**
     * Row counts of every access_* table (the others only ever gain or lose rows) and the
     * content of every access_requests row (updated in place), hashed.
     */
    let tables: string[] = [];
    async function snapshot(): Promise<string> {
      if (!tables.length) {
        tables = (
          knex.client.config.client === 'pg'
            ? await knex('information_schema.tables')
                .whereRaw('table_schema = current_schema()')
                .pluck('table_name')
            : await knex('sqlite_master').where('type', 'table').pluck('name')
        )
          .filter((n: string) => n.startsWith('access_'))
          .sort();
      }
      const pg = knex.client.config.client === 'pg';
      // One round trip: every count, and on PostgreSQL a digest of access_requests too.
      const result = await knex.raw(
        `select ${tables
          .map(t => `(select count(*) from ${t}) as "${t}"`)
          .join(', ')}${
          pg
            ? `, (select md5(coalesce(string_agg(r::text, ',' order by r.id), '')) from access_requests r) as digest`
            : ''
        }`,
      );
      const hash = createHash('sha256').update(
        JSON.stringify(pg ? result.rows : result),
      );
      if (!pg) {
        // In-process: cheap to read whole. Sorted: row order is not guaranteed.
        const rows = (await knex('access_requests')).map(r =>
          JSON.stringify(r),
        );
        hash.update(rows.sort().join('\n'));
      }
      return hash.digest('hex');
    }

    let baseline = '';

    /** One hostile call; throws (for fast-check to shrink) when a rule is broken. */
    async function probe(p: {
      method: Route['method'];
      path: string;
      who: string;
      body?: string;
      headers?: Record<string, string>;
      mustBe?: number;
    }) {
      const path = p.path.replace(/\{(\w+)\}/g, (_, k) => ids[k]);
      let req = request(h.server)[p.method](`/api/access${path}`);
      req = req.set(
        'Authorization',
        p.who === 'service'
          ? mockCredentials.service.header()
          : mockCredentials.user.header(`user:default/${p.who}`),
      );
      if (p.body !== undefined)
        req = req.set('Content-Type', 'application/json');
      for (const [k, v] of Object.entries(p.headers ?? {})) req = req.set(k, v);
      const res = await (p.body === undefined ? req : req.send(p.body));
      tried++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const what = `${p.method.toUpperCase()} ${path} as ${
        p.who
      } with ${JSON.stringify((p.body ?? '').slice(0, 200))}`;
      if (res.status >= 500 || res.status < 200) {
        throw new Error(`${what}: ${res.status} ${res.text.slice(0, 500)}`);
      }
      if (p.mustBe !== undefined && res.status !== p.mustBe) {
        throw new Error(
          `${what}: expected ${p.mustBe}, got ${res.status} ${res.text.slice(
            0,
            300,
          )}`,
        );
      }
      const now = await snapshot();
      if (res.status >= 300 && now !== baseline) {
        throw new Error(`${what}: ${res.status}, but the database changed`);
      }
      if (now !== baseline) changes++;
      // A call that legitimately succeeded moves the baseline; a used-up fixture is replaced,
      // so later inputs still reach the deciding code (and its database writes).
      const fixture = /\{(\w+)\}/.exec(p.path)?.[1];
      if (res.status < 300 && fixture && p.method !== 'get') {
        await refresh(fixture);
        baseline = await snapshot();
      } else baseline = now;
    }

    /** fast-check's share: generated bodies, and query strings, for one route. */
    const fuzzBodies = (route: Route) =>
      fc.assert(
        fc.asyncProperty(bodyText(route), async body => {
          generated++;
          await probe({ ...route, body, mustBe: mustBe(route, body) });
        }),
        { numRuns: RUNS },
      );
    const fuzzQueries = (route: Route) =>
      fc.assert(
        fc.asyncProperty(queryText(route), async q => {
          generated++;
          await probe({ ...route, path: `${route.path}?${q}` });
        }),
        { numRuns: RUNS },
      );

    it('never answers 5xx and refuses without side effects', async () => {
      const started = Date.now();
      baseline = await snapshot();

      for (const route of BODY_ROUTES) {
        const fixed = [
          ...MALFORMED,
          ...POLLUTION,
          // The heavy ones in full on one route: they never get past the body parser's
          // or the schema's first check, whatever the route.
          ...(route === BODY_ROUTES[0] ? DEEP : DEEP.slice(0, 2)),
          // Every nasty value in every known key of an otherwise valid body.
          ...(route.noPerKey ? [] : route.keys ?? []).flatMap(k =>
            [...NASTY_STRINGS, ...NASTY_SCALARS].map(v =>
              JSON.stringify({ ...route.template, [k]: v }),
            ),
          ),
        ];
        for (const body of fixed) {
          await probe({ ...route, body, mustBe: mustBe(route, body) });
        }
        for (const body of route === BODY_ROUTES[0]
          ? OVERSIZED
          : OVERSIZED.slice(0, 1)) {
          await probe({ ...route, body, mustBe: 413 });
        }
        // Other content types and encodings are refused by the body parser or ignored.
        for (const [type, body, extra] of [
          ['text/plain', '{"comment":"x"}', {}],
          ['application/x-www-form-urlencoded', 'comment=x&__proto__=1', {}],
          ['application/json; charset=utf-7', '{}', {}],
          [
            'application/json',
            'not gzip at all',
            { 'Content-Encoding': 'gzip' },
          ],
          ['application/json', '{}', { 'Content-Encoding': 'compress' }],
        ] as const) {
          await probe({
            ...route,
            body,
            headers: { ...extra, 'Content-Type': type },
          });
        }
        await fuzzBodies(route);
      }

      for (const key of ['', 'x'.repeat(256), 'é', "' OR 1=1 --"]) {
        await probe({
          method: 'post',
          path: '/requests',
          who: 'alice',
          body: JSON.stringify(SUBMIT),
          headers: { 'Idempotency-Key': key },
        });
      }

      for (const route of QUERY_ROUTES) {
        for (const q of QUERIES) {
          await probe({ ...route, path: `${route.path}?${q}` });
        }
        await fuzzQueries(route);
      }

      for (const [method, path] of ID_ROUTES) {
        for (const id of PATH_IDS) {
          await probe({
            method,
            path: path.replace('{id}', id),
            who: 'alice',
            body: method === 'get' ? undefined : '{}',
          });
        }
      }

      // The process is alive, answers normally, and no prototype was polluted.
      expect((await h.api.get('/flows')).status).toBe(200);
      expect(({} as any).polluted).toBeUndefined();
      expect(({} as any).isAdmin).toBeUndefined();
      expect(
        Object.prototype.hasOwnProperty.call(Object.prototype, 'length'),
      ).toBe(false);

      // eslint-disable-next-line no-console
      console.log(
        `endpoint fuzz on ${databaseId}: ${tried} inputs tried (${generated} generated by fast-check) in ${
          (Date.now() - started) / 1000
        }s; statuses ${JSON.stringify(
          Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])),
        )}`,
      );
      expect(tried).toBeGreaterThan(1000);
      expect(changes).toBeGreaterThan(10);
    });
  },
);
