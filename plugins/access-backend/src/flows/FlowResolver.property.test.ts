import { Entity } from '@backstage/catalog-model';
import fc from 'fast-check';
import { AccessFlow, CatalogFilter } from '../config/AccessConfig';
import { CatalogDirectory, DirectoryUser } from './CatalogDirectory';
import { flattenEntity, matchesAnyFilter } from './entityFilter';
import { FlowResolver } from './FlowResolver';

/**
 * Generated flows, users and entities against a plain restatement of the rules: the first
 * flow (config order) whose requesters include the user, whose filter matches the entity
 * and that offers the permission decides; keys and values compare case-insensitively; the
 * catalog filters built for listing narrow exactly as the deciding rule does.
 */

const PERMISSIONS = ['read', 'write', 'admin'];
const TYPES = ['database', 'cluster', 'bucket'];
const GROUPS = ['group:default/g1', 'group:default/g2'];
const USERS = ['user:default/u1', 'user:default/u2'];

/** The same text in a random letter case: matching must not care. */
const anyCase = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map(up =>
      [...s]
        .map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase()))
        .join(''),
    );

const FIELDS = {
  kind: ['Resource', 'Component'],
  'spec.type': TYPES,
  'metadata.labels.env': ['prod', 'staging'],
  'metadata.name': ['a', 'b', 'c'],
} as const;
type Field = keyof typeof FIELDS;

const filterArb: fc.Arbitrary<CatalogFilter> = fc
  .uniqueArray(fc.constantFrom(...(Object.keys(FIELDS) as Field[])), {
    minLength: 1,
    maxLength: 3,
  })
  .chain(fields =>
    fc.tuple(
      ...fields.map(f =>
        fc.tuple(
          anyCase(f),
          fc.oneof(
            fc.constantFrom(...FIELDS[f]).chain(anyCase),
            fc.uniqueArray(fc.constantFrom(...FIELDS[f]), {
              minLength: 1,
              maxLength: 2,
            }),
          ),
        ),
      ),
    ),
  )
  .map(pairs => Object.fromEntries(pairs) as CatalogFilter);

const flowArb = (id: string): fc.Arbitrary<AccessFlow> =>
  fc
    .record({
      requesters: fc.uniqueArray(fc.constantFrom('*', ...USERS, ...GROUPS), {
        minLength: 1,
        maxLength: 3,
      }),
      filters: fc.array(filterArb, { minLength: 1, maxLength: 2 }),
      permissions: fc.uniqueArray(fc.constantFrom(...PERMISSIONS), {
        minLength: 1,
        maxLength: 3,
      }),
      approvers: fc.uniqueArray(fc.constantFrom('owner', ...USERS, ...GROUPS), {
        minLength: 1,
        maxLength: 3,
      }),
    })
    .map(f => ({
      id,
      title: id,
      requesters: f.requesters,
      filters: f.filters,
      permissions: f.permissions,
      approval: {
        type: 'manual' as const,
        approvers: f.approvers,
        required: 1,
        allowSelfApproval: false,
        autoApproveChecks: [],
        requiredChecks: [],
      },
      duration: { defaultSeconds: 3600, maxSeconds: 3600, extensions: 0 },
      justification: 'optional' as const,
      provisioner: 'none',
    }));

const flowsArb = fc
  .integer({ min: 0, max: 6 })
  .chain(n =>
    fc.tuple(...Array.from({ length: n }, (_, i) => flowArb(`flow-${i}`))),
  );

const entityArb: fc.Arbitrary<Entity> = fc
  .record(
    {
      kind: fc.constantFrom(...FIELDS.kind),
      name: fc.constantFrom(...FIELDS['metadata.name']),
      type: fc.constantFrom(...TYPES),
      env: fc.constantFrom(...FIELDS['metadata.labels.env']),
      owner: fc.constantFrom(...GROUPS),
    },
    { requiredKeys: ['kind', 'name'] },
  )
  .map(e => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: e.kind,
    metadata: {
      name: e.name,
      namespace: 'default',
      ...(e.env ? { labels: { env: e.env } } : {}),
    },
    spec: { ...(e.type ? { type: e.type } : {}) },
    relations: e.owner ? [{ type: 'ownedBy', targetRef: e.owner }] : [],
  }));

const userArb: fc.Arbitrary<DirectoryUser> = fc.record({
  ref: fc.constantFrom(...USERS),
  groups: fc.subarray(GROUPS),
});

// ---------------------------------------------------------------- the rules, restated

const lower = (s: string) => s.toLowerCase();
function valueOf(e: Entity, key: string): string | undefined {
  const v = {
    kind: e.kind,
    'spec.type': (e.spec as any)?.type,
    'metadata.labels.env': e.metadata.labels?.env,
    'metadata.name': e.metadata.name,
  }[lower(key)];
  return v === undefined ? undefined : String(v);
}
function matches(e: Entity, f: CatalogFilter): boolean {
  return Object.entries(f).every(([k, want]) => {
    const v = valueOf(e, k);
    return v !== undefined && [want].flat().some(w => lower(w) === lower(v));
  });
}
const flowMatches = (e: Entity, f: AccessFlow) =>
  f.filters.some(x => matches(e, x));
const mayRequest = (u: DirectoryUser, f: AccessFlow) =>
  f.requesters.some(r => r === '*' || r === u.ref || u.groups.includes(r));
const decides = (u: DirectoryUser, e: Entity, p: string) => (f: AccessFlow) =>
  f.permissions.includes(p) && mayRequest(u, f) && flowMatches(e, f);

const noDirectory = {} as CatalogDirectory;
const listed = (filters: CatalogFilter[] | undefined, e: Entity) =>
  filters !== undefined && matchesAnyFilter(flattenEntity(e), filters);

describe('FlowResolver', () => {
  const world = fc.record({
    flows: flowsArb,
    user: userArb,
    entity: entityArb,
    permission: fc.constantFrom(...PERMISSIONS),
  });

  it('lets the first matching flow decide', () => {
    let decided = 0;
    let notFirst = 0;
    fc.assert(
      fc.property(world, ({ flows, user, entity, permission }) => {
        const r = new FlowResolver(flows, noDirectory);
        const expected = flows.find(decides(user, entity, permission));
        expect(r.decide(user, entity, permission)?.id).toBe(expected?.id);
        if (expected) decided++;
        if (expected && expected !== flows[0]) notFirst++;
      }),
      { numRuns: 500 },
    );
    // The generated worlds are not trivial: decisions happen, and not always by flow 0.
    expect(decided).toBeGreaterThan(50);
    expect(notFirst).toBeGreaterThan(20);
  });

  it('keeps precedence: a matching flow put first wins, one put last changes nothing', () => {
    fc.assert(
      fc.property(
        world,
        flowArb('extra'),
        ({ flows, user, entity, permission }, extra) => {
          const before = new FlowResolver(flows, noDirectory).decide(
            user,
            entity,
            permission,
          );
          const extraDecides = decides(user, entity, permission)(extra);
          const last = new FlowResolver([...flows, extra], noDirectory);
          expect(last.decide(user, entity, permission)?.id).toBe(
            before?.id ?? (extraDecides ? 'extra' : undefined),
          );
          const first = new FlowResolver([extra, ...flows], noDirectory);
          expect(first.decide(user, entity, permission)?.id).toBe(
            extraDecides ? 'extra' : before?.id,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('offers each permission through the flow that would decide it', () => {
    fc.assert(
      fc.property(world, ({ flows, user, entity }) => {
        const r = new FlowResolver(flows, noDirectory);
        const offered = r.permissionsFor(user, entity);
        const expected = PERMISSIONS.filter(p =>
          flows.some(decides(user, entity, p)),
        );
        expect(offered.map(o => o.permission).sort()).toEqual(
          [...expected].sort(),
        );
        for (const o of offered) {
          expect(o.flow.id).toBe(r.decide(user, entity, o.permission)?.id);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lists exactly the entities it would decide for, narrowed by permission and type', () => {
    fc.assert(
      fc.property(
        world,
        fc.option(fc.constantFrom(...TYPES).chain(anyCase)),
        ({ flows, user, entity, permission }, type) => {
          const r = new FlowResolver(flows, noDirectory);
          const t = type ?? undefined;
          const typeOk = (e: Entity) =>
            t === undefined ||
            lower(valueOf(e, 'spec.type') ?? '') === lower(t);

          // Narrowed to one permission: listed iff some flow would decide it.
          expect(
            listed(r.catalogFilterFor(user, { permission, type: t }), entity),
          ).toBe(
            typeOk(entity) && r.decide(user, entity, permission) !== undefined,
          );
          // Any permission: listed iff some flow lets this user ask for something on it.
          expect(listed(r.catalogFilterFor(user, { type: t }), entity)).toBe(
            typeOk(entity) &&
              flows.some(f => mayRequest(user, f) && flowMatches(entity, f)),
          );
          // No filter at all rather than an empty one.
          const filters = r.catalogFilterFor(user, { permission });
          expect(filters?.length).not.toBe(0);
          expect(filters === undefined).toBe(
            !flows.some(
              f => mayRequest(user, f) && f.permissions.includes(permission),
            ),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('covers an entity when any flow matches it, for anyone', () => {
    fc.assert(
      fc.property(world, ({ flows, entity, user }) => {
        const r = new FlowResolver(flows, noDirectory);
        expect(r.coversEntity(entity)).toBe(
          flows.some(f => flowMatches(entity, f)),
        );
        expect(r.flowsFor(user).map(f => f.id)).toEqual(
          flows.filter(f => mayRequest(user, f)).map(f => f.id),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('resolves approvers to the sorted users of owners, groups and users', async () => {
    const members: Record<string, string[]> = {
      'group:default/g1': ['user:default/u1', 'user:default/u3'],
      'group:default/g2': [],
    };
    const directory = {
      expandToUsers: async (ref: string) =>
        ref.startsWith('user:') ? [ref] : members[ref] ?? [],
    } as unknown as CatalogDirectory;
    await fc.assert(
      fc.asyncProperty(flowArb('f'), entityArb, async (flow, entity) => {
        const r = new FlowResolver([flow], directory);
        const owners = (entity.relations ?? []).map(x => x.targetRef);
        const expected = new Set(
          flow.approval.approvers
            .flatMap(a => (a === 'owner' ? owners : [a]))
            .flatMap(a => (a.startsWith('user:') ? [a] : members[a] ?? [])),
        );
        expect(await r.resolveApprovers(flow, entity)).toEqual(
          [...expected].sort(),
        );
      }),
      { numRuns: 200 },
    );
  });
});
