import { ConfigReader } from '@backstage/config';
import fc from 'fast-check';
import { AccessConfigError, readAccessConfig } from './readAccessConfig';

/**
 * Generated `access.*` configs. Valid ones parse to what they say; each broken one (a valid
 * config with one defect) throws AccessConfigError with a problem line that starts with the
 * defect's key path; garbage throws AccessConfigError or parses, nothing else.
 */

const TYPES = {
  provisionerTypes: ['none', 'webhook'],
  checkTypes: ['webhook'],
};
const read = (access: unknown) =>
  readAccessConfig(new ConfigReader({ access } as any), TYPES);

type Path = (string | number)[];
type Json = any;

/** As readAccessConfig writes paths: `access.flows[0].duration.max`. */
const formatPath = (path: Path) =>
  path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${p}`),
    'access',
  );

const get = (obj: Json, path: Path) => path.reduce((o, p) => o?.[p], obj);
function set(obj: Json, path: Path, value: unknown) {
  // Missing parents are created: a defect may go into an optional block the config lacks.
  let parent = obj;
  path.slice(0, -1).forEach((p, i) => {
    if (parent[p] === undefined || parent[p] === null)
      parent[p] = typeof path[i + 1] === 'number' ? [] : {};
    parent = parent[p];
  });
  Object.defineProperty(parent, path[path.length - 1], {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
function remove(obj: Json, path: Path) {
  delete get(obj, path.slice(0, -1))[path[path.length - 1]];
}

// ---------------------------------------------------------------- valid configs

const kebab = fc.stringMatching(/^[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}$/);
const ids = (min: number, max: number) =>
  fc.uniqueArray(
    kebab.filter(id => id !== 'none'),
    { minLength: min, maxLength: max },
  );
const permission = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,10}$/);
const USERS = ['user:default/alice', 'user:default/bob', 'user:ops/carol'];
const GROUPS = ['group:default/eng', 'group:ops/dba'];

/** A duration in one of its accepted forms, with the seconds it stands for. */
const duration = (min: number, max: number) =>
  fc.integer({ min, max }).chain(s =>
    fc.constantFrom<[unknown, number]>(
      [`${s}s`, s],
      [s, s],
      [`PT${s}S`, s],
      [{ seconds: s }, s],
      ...(s % 60 === 0 ? ([[`${s / 60}m`, s]] as [unknown, number][]) : []),
      ...(s % 3600 === 0
        ? ([
            [`${s / 3600}h`, s],
            [{ hours: s / 3600 }, s],
          ] as [unknown, number][])
        : []),
    ),
  );

const filter = fc
  .dictionary(
    fc.constantFrom('kind', 'spec.type', 'metadata.labels.env', 'Spec.Owner'),
    fc.oneof(
      fc.constantFrom('Resource', 'database', 'prod'),
      fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1 }),
    ),
    { minKeys: 1, maxKeys: 3 },
  )
  .map(f => ({ ...f }));

interface Made {
  config: Json;
  /** What the parsed config must say. */
  flowIds: string[];
  maxSeconds: number[];
}

const validConfig: fc.Arbitrary<Made> = fc
  .record({
    provisioners: ids(0, 2),
    checks: ids(0, 2),
    bundles: ids(0, 2),
    flowIds: ids(1, 3),
    webhookIds: ids(0, 2),
  })
  .chain(({ provisioners, checks, bundles, flowIds, webhookIds }) => {
    const flow = (id: string) =>
      fc
        .record({
          type: fc.constantFrom('manual', 'automatic', 'breakglass'),
          title: fc.string({ minLength: 1, maxLength: 20 }),
          description: fc.option(fc.string(), { nil: undefined }),
          requesters: fc.uniqueArray(
            fc.constantFrom('*', ...USERS, ...GROUPS),
            {
              minLength: 1,
              maxLength: 3,
            },
          ),
          filter: fc.oneof(
            filter,
            fc.array(filter, { minLength: 1, maxLength: 2 }),
          ),
          permissions: fc.uniqueArray(permission, {
            minLength: 1,
            maxLength: 3,
          }),
          approvers: fc.uniqueArray(
            fc.constantFrom('owner', ...USERS, ...GROUPS),
            {
              minLength: 1,
              maxLength: 3,
            },
          ),
          required: fc.integer({ min: 1, max: 3 }),
          allowSelfApproval: fc.option(fc.boolean(), { nil: undefined }),
          autoApproveChecks: fc.subarray(checks),
          requiredChecks: fc.subarray(checks),
          max: duration(2, 30 * 86400),
          defaultFraction: fc.double({ min: 0, max: 1, noNaN: true }),
          extensions: fc.option(fc.integer({ min: 0, max: 5 }), {
            nil: undefined,
          }),
          justification: fc.option(fc.constantFrom('required', 'optional'), {
            nil: undefined,
          }),
          provisioner: fc.option(fc.constantFrom('none', ...provisioners), {
            nil: undefined,
          }),
        })
        .map(f => {
          const users = f.approvers.filter(a => a.startsWith('user:')).length;
          const onlyUsers = users === f.approvers.length;
          const defaultSeconds = Math.max(
            1,
            Math.floor(f.max[1] * f.defaultFraction),
          );
          return {
            config: {
              id,
              title: f.title,
              ...(f.description !== undefined && {
                description: f.description,
              }),
              requesters: f.requesters,
              resources: { filter: f.filter, permissions: f.permissions },
              approval: {
                type: f.type,
                ...(f.type !== 'automatic' && { approvers: f.approvers }),
                ...(f.type === 'manual' && {
                  required: onlyUsers
                    ? Math.min(f.required, users)
                    : f.required,
                }),
                ...(f.allowSelfApproval !== undefined && {
                  allowSelfApproval: f.allowSelfApproval,
                }),
                autoApproveChecks: f.autoApproveChecks,
                requiredChecks: f.requiredChecks,
              },
              duration: {
                default: defaultSeconds,
                max: f.max[0],
                ...(f.extensions !== undefined && { extensions: f.extensions }),
              },
              ...(f.type === 'breakglass'
                ? { justification: 'required' }
                : f.justification && { justification: f.justification }),
              ...(f.provisioner && { provisioner: f.provisioner }),
            },
            maxSeconds: f.max[1],
          };
        });
    return fc
      .record({
        flows: fc.tuple(...flowIds.map(flow)),
        bundles: fc.tuple(
          ...bundles.map(id =>
            fc.record({
              id: fc.constant(id),
              title: fc.string({ minLength: 1, maxLength: 10 }),
              resources: fc.array(
                fc.record({
                  entityRef: fc.constantFrom(
                    'resource:default/orders-db',
                    'component:web/shop',
                    'system:default/payments',
                  ),
                  permissions: fc.uniqueArray(permission, {
                    minLength: 1,
                    maxLength: 2,
                  }),
                }),
                { minLength: 1, maxLength: 3 },
              ),
            }),
          ),
        ),
        checkMax: fc.tuple(
          ...checks.map(() =>
            fc.option(duration(1, 86400), { nil: undefined }),
          ),
        ),
        webhookEvents: fc.tuple(
          ...webhookIds.map(() =>
            fc.option(fc.constantFrom(['*'], ['request.*', 'audit.*']), {
              nil: undefined,
            }),
          ),
        ),
        pendingTimeout: fc.option(duration(60, 30 * 86400), { nil: undefined }),
        expiry: fc.option(
          fc.record(
            {
              frequency: duration(1, 3600).map(d => d[0]),
              revokeConcurrency: fc.integer({ min: 1, max: 256 }),
            },
            { requiredKeys: [] },
          ),
          { nil: undefined },
        ),
        expiringSoon: fc.option(
          fc.oneof(
            fc.constant(false),
            duration(60, 86400).map(d => d[0]),
          ),
          { nil: undefined },
        ),
      })
      .map(r => ({
        flowIds,
        maxSeconds: r.flows.map(f => f.maxSeconds),
        config: {
          flows: r.flows.map(f => f.config),
          bundles: r.bundles,
          provisioners: Object.fromEntries(
            provisioners.map(id => [
              id,
              { type: 'webhook', url: 'https://grants.example.com', extra: 1 },
            ]),
          ),
          checks: Object.fromEntries(
            checks.map((id, i) => [
              id,
              {
                type: 'webhook',
                ...(r.checkMax[i] && { maxDuration: r.checkMax[i]![0] }),
              },
            ]),
          ),
          webhooks: webhookIds.map((id, i) => ({
            id,
            url: `https://hooks.example.com/${id}`,
            secret: `whsec_${Buffer.alloc(32, i + 1).toString('base64')}`,
            ...(r.webhookEvents[i] && { events: r.webhookEvents[i] }),
          })),
          ...(r.pendingTimeout && { pendingTimeout: r.pendingTimeout[0] }),
          ...(r.expiry && { expiry: r.expiry }),
          ...(r.expiringSoon !== undefined && {
            notifications: { expiringSoon: r.expiringSoon },
          }),
        },
      }));
  });

// ---------------------------------------------------------------- one defect each

interface Broken {
  config: Json;
  /** The key path the error must name. */
  path: Path;
  defect: string;
}

const clone = (x: Json) => JSON.parse(JSON.stringify(x));
const pick = <T>(items: T[]) => fc.constantFrom(...items);

// No null: Backstage's config reader drops null values (YAML `key:` means unset).
const NOT_STRING = [42, true, [], {}, ['x']];
const NOT_NUMBER = ['7', true, [], {}, 1.5];
const NOT_BOOLEAN = ['yes', 1, [], {}];
const NOT_ARRAY = ['x', 42, {}, true];
const NOT_OBJECT = ['x', 42, [], true];
const BAD_DURATIONS = [
  'soon',
  '',
  '0s',
  '5x',
  '1 hour',
  'PT',
  'P1Y2X',
  -5,
  0,
  0.2,
  true,
  [],
  {},
  { hourz: 1 },
  { hours: -1 },
  { hours: 'one' },
];
const BAD_USER_GROUP_REFS = [
  'engineering',
  'component:default/x',
  '',
  ':',
  'user:',
  'a:b:c:d',
  'user:default/',
];
const BAD_IDS = ['Prod DB', 'prod_db', '-x', 'x-', '', 'ÜBER', 'a--b'];
const BAD_PERMISSIONS = ['drop tables', '-x', '', 'ü', 'a/b'];

/** Every place a defect can go in this config, with the values that break it there. */
function defects(made: Made): fc.Arbitrary<Broken>[] {
  const c = made.config;
  const out: fc.Arbitrary<Broken>[] = [];
  const at = (path: Path, values: unknown[], defect: string) =>
    out.push(
      pick(values).map(v => {
        const config = clone(c);
        set(config, path, v);
        return { config, path, defect };
      }),
    );
  const unknownKey = (path: Path) =>
    out.push(
      pick(['bogus', 'Title', 'approvers', 'constructor']).map(k => {
        const config = clone(c);
        set(config, [...path, k], 1);
        return { config, path, defect: `unknown key ${k}` };
      }),
    );
  const missing = (path: Path) =>
    out.push(
      fc.constant(null).map(() => {
        const config = clone(c);
        remove(config, path);
        return { config, path, defect: 'missing' };
      }),
    );

  unknownKey([]);
  at(['flows'], NOT_ARRAY, 'wrong type');
  at(['bundles'], NOT_ARRAY, 'wrong type');
  at(['provisioners'], ['x', 42, true, []], 'wrong type');
  at(['pendingTimeout'], BAD_DURATIONS, 'bad duration');
  at(['expiry'], NOT_OBJECT, 'wrong type');
  at(['expiry', 'frequency'], BAD_DURATIONS, 'bad duration');
  at(['expiry', 'revokeConcurrency'], [0, 257, 1.5, '8'], 'out of range');
  at(['reverify', 'frequency'], BAD_DURATIONS, 'bad duration');
  at(
    ['notifications', 'expiringSoon'],
    [true, ...BAD_DURATIONS],
    'bad duration',
  );
  at(['encryption', 'key'], [...NOT_STRING, ''], 'wrong type');
  unknownKey(['expiry']);
  unknownKey(['encryption']);

  c.flows.forEach((f: Json, i: number) => {
    const p: Path = ['flows', i];
    at(p, NOT_OBJECT, 'wrong type');
    unknownKey(p);
    for (const k of [
      'id',
      'title',
      'requesters',
      'resources',
      'approval',
      'duration',
    ])
      missing([...p, k]);
    at([...p, 'id'], [...BAD_IDS, 42], 'bad id');
    at([...p, 'title'], [...NOT_STRING, ''], 'wrong type');
    at([...p, 'description'], NOT_STRING, 'wrong type');
    at([...p, 'requesters'], [...NOT_ARRAY, []], 'wrong type');
    f.requesters.forEach((_: unknown, k: number) =>
      at([...p, 'requesters', k], [...BAD_USER_GROUP_REFS, 42], 'bad ref'),
    );
    at([...p, 'resources'], NOT_OBJECT, 'wrong type');
    unknownKey([...p, 'resources']);
    missing([...p, 'resources', 'filter']);
    missing([...p, 'resources', 'permissions']);
    at(
      [...p, 'resources', 'filter'],
      ['x', 42, {}, [], [{}], { kind: '' }],
      'bad filter',
    );
    at([...p, 'resources', 'permissions'], [...NOT_ARRAY, []], 'wrong type');
    at(
      [...p, 'resources', 'permissions', 0],
      BAD_PERMISSIONS,
      'bad permission',
    );
    at([...p, 'approval'], NOT_OBJECT, 'wrong type');
    unknownKey([...p, 'approval']);
    missing([...p, 'approval', 'type']);
    at([...p, 'approval', 'type'], ['sometimes', 42, 'Manual'], 'bad enum');
    at([...p, 'approval', 'approvers'], NOT_ARRAY, 'wrong type');
    at(
      [...p, 'approval', 'approvers', 0],
      [...BAD_USER_GROUP_REFS, '*'],
      'bad ref',
    );
    at([...p, 'approval', 'required'], [...NOT_NUMBER, 0, -1], 'wrong type');
    at([...p, 'approval', 'allowSelfApproval'], NOT_BOOLEAN, 'wrong type');
    at([...p, 'approval', 'requiredChecks'], NOT_ARRAY, 'wrong type');
    const nChecks = f.approval.requiredChecks.length;
    at(
      [...p, 'approval', 'requiredChecks', nChecks],
      ['no-such-check'],
      'unknown check',
    );
    const nAuto = f.approval.autoApproveChecks.length;
    at(
      [...p, 'approval', 'autoApproveChecks', nAuto],
      ['Oncall'],
      'unknown check',
    );
    at([...p, 'duration'], NOT_OBJECT, 'wrong type');
    unknownKey([...p, 'duration']);
    missing([...p, 'duration', 'max']);
    at([...p, 'duration', 'max'], BAD_DURATIONS, 'bad duration');
    at([...p, 'duration', 'default'], BAD_DURATIONS, 'bad duration');
    // Longer than max, whatever form max was written in.
    at(
      [...p, 'duration', 'default'],
      [made.maxSeconds[i] + 1],
      'default over max',
    );
    at([...p, 'duration', 'extensions'], [...NOT_NUMBER, -1], 'wrong type');
    at([...p, 'justification'], ['sometimes', 42], 'bad enum');
    at([...p, 'provisioner'], ['vault', 42], 'unknown provisioner');
    if (f.approval.type !== 'automatic')
      at([...p, 'approval', 'approvers'], [[]], 'no approvers');
    if (f.approval.type === 'breakglass')
      at(
        [...p, 'justification'],
        ['optional'],
        'optional break-glass justification',
      );
    if (f.approval.type === 'manual') {
      const users = new Set(f.approval.approvers).size;
      if (f.approval.approvers.every((a: string) => a.startsWith('user:')))
        at([...p, 'approval', 'required'], [users + 1], 'too few approvers');
    }
    // A duplicate id is reported on the later flow.
    if (i > 0) at([...p, 'id'], [c.flows[0].id], 'duplicate flow id');
  });

  c.bundles.forEach((b: Json, i: number) => {
    const p: Path = ['bundles', i];
    unknownKey(p);
    at([...p, 'id'], BAD_IDS, 'bad id');
    if (i > 0) at([...p, 'id'], [c.bundles[0].id], 'duplicate bundle id');
    at([...p, 'resources'], [...NOT_ARRAY, []], 'wrong type');
    unknownKey([...p, 'resources', 0]);
    at(
      [...p, 'resources', 0, 'entityRef'],
      ['orders-db', 'foo:default/x', '', 42],
      'bad ref',
    );
    at([...p, 'resources', 0, 'permissions'], [[], ['a b']], 'bad permission');
    void b;
  });

  for (const id of Object.keys(c.provisioners)) {
    at(
      ['provisioners', id, 'type'],
      ['oracle', '', 42],
      'unknown provisioner type',
    );
    at(['provisioners', id], NOT_OBJECT, 'wrong type');
  }
  for (const id of Object.keys(c.checks)) {
    at(['checks', id, 'type'], ['opsgenie', '', 42], 'unknown check type');
    at(['checks', id, 'maxDuration'], BAD_DURATIONS, 'bad duration');
  }
  // Ids of provisioners and checks, and the built-in provisioner.
  for (const section of ['provisioners', 'checks']) {
    out.push(
      pick(BAD_IDS.filter(Boolean)).map(id => {
        const config = clone(c);
        config[section][id] = { type: 'webhook' };
        return { config, path: [section, id], defect: 'bad id' };
      }),
    );
  }
  at(['provisioners', 'none'], [{ type: 'webhook' }], 'redefines none');

  c.webhooks.forEach((_: Json, i: number) => {
    const p: Path = ['webhooks', i];
    unknownKey(p);
    at([...p, 'id'], BAD_IDS, 'bad id');
    if (i > 0) at([...p, 'id'], [c.webhooks[0].id], 'duplicate webhook id');
    at(
      [...p, 'url'],
      ['ftp://x.example.com', 'not a url', 'https://u:p@x.example.com', 42],
      'bad url',
    );
    at([...p, 'secret'], ['nope', 'whsec_!!', 42], 'bad secret');
    at([...p, 'events', 0], ['request.nope', '', 42], 'unknown event');
    at([...p, 'timeout'], ['soon', -1, true], 'bad duration');
    at([...p, 'headers', 'Content-Type'], ['text/plain'], 'reserved header');
    at([...p, 'headers', 'X Bad Name'], ['v'], 'bad header name');
  });
  return out;
}

const brokenConfig: fc.Arbitrary<Broken> = validConfig.chain(made =>
  fc.oneof(...defects(made)),
);

/** The problems a config has, or undefined if it is valid; any other error is thrown. */
function problemsOf(access: unknown): string[] | undefined {
  try {
    read(access);
    return undefined;
  } catch (e) {
    if (!(e instanceof AccessConfigError)) {
      throw new Error(
        `${(e as Error)?.name}: ${
          (e as Error)?.message
        } (not an AccessConfigError)`,
      );
    }
    return e.problems;
  }
}

describe('readAccessConfig, fuzzed', () => {
  const counts = { valid: 0, broken: 0, garbage: 0 };
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(
      `config fuzz: ${
        counts.valid + counts.broken + counts.garbage
      } configs tried (${counts.valid} valid, ${
        counts.broken
      } with one defect, ${counts.garbage} random)`,
    );
  });

  it('reads every valid generated config as written', () => {
    fc.assert(
      fc.property(validConfig, made => {
        counts.valid++;
        const c = read(made.config);
        expect(c.flows.map(f => f.id)).toEqual(made.flowIds);
        expect(c.flows.map(f => f.duration.maxSeconds)).toEqual(
          made.maxSeconds,
        );
        expect(c.bundles.map(b => b.id)).toEqual(
          made.config.bundles.map((b: Json) => b.id),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('names the key path of every defect, with an AccessConfigError', () => {
    fc.assert(
      fc.property(brokenConfig, ({ config, path, defect }) => {
        counts.broken++;
        const problems = problemsOf(config);
        const key = formatPath(path);
        // The problem names the key, or a key inside it (`filter[0]` for a bad `filter`).
        const names = (p: string) =>
          [': ', '.', '['].some(next => p.startsWith(`${key}${next}`));
        expect({
          defect,
          key,
          problems: problems?.some(names) ? 'named' : problems,
        }).toEqual({ defect, key, problems: 'named' });
      }),
      { numRuns: 1500 },
    );
  });

  it('is not polluted by __proto__ keys anywhere in the config', () => {
    const evil = JSON.parse(
      '{"__proto__":{"polluted":1},"flows":[{"__proto__":{"polluted":1}}],"provisioners":{"x":{"type":"webhook","__proto__":{"polluted":1}}}}',
    );
    expect(problemsOf(evil)).toBeDefined(); // the flow lacks everything
    expect(({} as any).polluted).toBeUndefined();
  });

  it('throws nothing but AccessConfigError on garbage', () => {
    const top = fc.constantFrom(
      'flows',
      'bundles',
      'provisioners',
      'checks',
      'webhooks',
      'expiry',
      'reverify',
      'notifications',
      'encryption',
      'pendingTimeout',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.dictionary(top, fc.anything(), { maxKeys: 4 }),
          fc.dictionary(top, fc.array(fc.anything(), { maxLength: 3 }), {
            maxKeys: 3,
          }),
        ),
        access => {
          counts.garbage++;
          const problems = problemsOf(access);
          // Whatever is wrong is named under access.
          for (const p of problems ?? []) expect(p).toMatch(/^access[.[:]/);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
