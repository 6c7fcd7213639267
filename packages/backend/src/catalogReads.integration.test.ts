import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import accessPlugin from '@jit-access/plugin-access-backend';
import request from 'supertest';

jest.setTimeout(120_000);

/** Entities carrying this label are hidden from users other than bob by the catalog's policy. */
const HIDDEN_LABEL = 'example.com/restricted';

const user = (name: string) => `---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: ${name} }
spec: { profile: { email: ${name}-private@example.com }, memberOf: [devs] }
`;
const resource = (name: string, hidden = false) => `---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: ${name}
  labels: { ${hidden ? `${HIDDEN_LABEL}: 'yes'` : 'env: dev'} }
spec: { type: database, owner: group:default/devs }
`;
const ENTITIES = [
  user('alice'),
  user('bob'),
  user('carol'),
  `---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: devs }
spec: { type: team, children: [] }
`,
  resource('db-a'),
  resource('db-b'),
  resource('db-c'),
  resource('db-hidden', true),
].join('');

/**
 * The permission policy, answered in-process: users other than bob may read every catalog
 * entity except those labelled HIDDEN_LABEL (a conditional decision the real catalog turns
 * into a database filter); bob, services, and every other permission are allowed.
 */
const permissions = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: (): PermissionsService => ({
    async authorize(requests) {
      return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
    },
    async authorizeConditional(requests, { credentials }) {
      const p = credentials.principal as {
        type: string;
        userEntityRef?: string;
      };
      const hides = p.type === 'user' && p.userEntityRef !== 'user:default/bob';
      return requests.map(r =>
        hides && r.permission.name === 'catalog.entity.read'
          ? createCatalogConditionalDecision(
              r.permission as ResourcePermission<'catalog-entity'>,
              { not: catalogConditions.hasLabel({ label: HIDDEN_LABEL }) },
            )
          : ({ result: AuthorizeResult.ALLOW } as const),
      );
    },
  }),
});

/**
 * The access plugin against the real catalog and the real permission framework, with a
 * policy that hides one resource from users: what the access API shows must follow what
 * the caller may read in the catalog, and a client cannot steer the catalog query.
 */
describe('catalog reads through the access API (real catalog, a catalog permission policy)', () => {
  let dir: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'jit-catalog-reads-'));
    const file = path.join(dir, 'entities.yaml');
    writeFileSync(file, ENTITIES);
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        accessPlugin,
        permissions,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: { baseUrl: 'http://localhost:7007' },
            catalog: {
              rules: [{ allow: ['User', 'Group', 'Resource', 'Location'] }],
              locations: [{ type: 'file', target: file }],
            },
            access: {
              flows: [
                {
                  id: 'any-resource',
                  title: 'Any resource',
                  requesters: ['*'],
                  resources: {
                    filter: { kind: 'Resource' },
                    permissions: ['read'],
                  },
                  approval: { type: 'manual', approvers: ['owner'] },
                  duration: { default: '1h', max: '1d' },
                  justification: 'required',
                },
              ],
            },
          },
        }),
      ],
    });
    // The catalog ingests the file in the background; wait until every entity is there.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(backend.server)
        .get('/api/catalog/entities/by-name/resource/default/db-hidden')
        .set('Authorization', mockCredentials.service.header());
      const carol = await request(backend.server)
        .get('/api/catalog/entities/by-name/user/default/carol')
        .set('Authorization', mockCredentials.service.header());
      if (res.status === 200 && carol.status === 200) break;
      if (Date.now() > deadline)
        throw new Error('the catalog never ingested the test entities');
      await new Promise(resolve => setTimeout(resolve, 300));
    }
  });

  afterAll(async () => {
    await backend?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = (p: string, who = 'alice') =>
    request(backend.server)
      .get(`/api/access${p}`)
      .set('Authorization', mockCredentials.user.header(`user:default/${who}`));

  it('the policy hides db-hidden from users in the catalog itself', async () => {
    const res = await request(backend.server)
      .get('/api/catalog/entities/by-name/resource/default/db-hidden')
      .set('Authorization', mockCredentials.user.header('user:default/alice'));
    expect(res.status).toBe(404);
  });

  it('GET /resources lists only what the caller may read in the catalog, on every page', async () => {
    const all = await get('/resources');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: any) => i.entityRef)).toEqual([
      'resource:default/db-a',
      'resource:default/db-b',
      'resource:default/db-c',
    ]);

    const seen: string[] = [];
    let next = '/resources?limit=1';
    for (let page = 0; page < 10; page++) {
      const res = await get(next);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: any) => i.entityRef));
      if (!res.body.nextCursor) break;
      next = `/resources?limit=1&cursor=${encodeURIComponent(
        res.body.nextCursor,
      )}`;
    }
    expect(seen).toEqual([
      'resource:default/db-a',
      'resource:default/db-b',
      'resource:default/db-c',
    ]);
  });

  it('GET /entity-access answers for a hidden entity as for an unknown one', async () => {
    // bob may read it: his answer is cached, and must not be handed to alice.
    const asBob = await get(
      '/entity-access?entityRef=resource:default/db-hidden',
      'bob',
    );
    expect(asBob.status).toBe(200);
    expect(asBob.body.covered).toBe(true);
    const bobsList = await get('/resources', 'bob');
    expect(bobsList.body.items.map((i: any) => i.entityRef)).toContain(
      'resource:default/db-hidden',
    );

    // Planning a submission reads it too, and caches what it read: none of it for alice.
    await request(backend.server)
      .post('/api/access/requests/preview')
      .set('Authorization', mockCredentials.user.header('user:default/alice'))
      .send({
        resources: [
          { entityRef: 'resource:default/db-hidden', permissions: ['read'] },
        ],
        justification: 'warm the cache',
      });

    const visible = await get('/entity-access?entityRef=resource:default/db-a');
    expect(visible.status).toBe(200);
    expect(visible.body.covered).toBe(true);

    const hidden = await get(
      '/entity-access?entityRef=resource:default/db-hidden',
    );
    const unknown = await get(
      '/entity-access?entityRef=resource:default/no-such-db',
    );
    expect(unknown.status).toBe(404);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe(
      'No entity resource:default/db-hidden in the catalog',
    );
    expect(JSON.stringify(hidden.body)).not.toContain('"covered"');
  });

  it('POST /requests/preview and /requests answer for a hidden entity as for an unknown one', async () => {
    const post = (p: string, ref: string, who = 'alice') =>
      request(backend.server)
        .post(`/api/access${p}`)
        .set(
          'Authorization',
          mockCredentials.user.header(`user:default/${who}`),
        )
        .send({
          resources: [{ entityRef: ref, permissions: ['read'] }],
          justification: 'need it',
        });
    // bob may read it: its flow and approvers are his to see
    const asBob = await post(
      '/requests/preview',
      'resource:default/db-hidden',
      'bob',
    );
    expect(asBob.status).toBe(200);
    expect(asBob.body.items[0].approvers).toContain('user:default/carol');
    expect(
      (await post('/requests/preview', 'resource:default/db-a')).status,
    ).toBe(200);

    for (const p of ['/requests/preview', '/requests']) {
      const hidden = await post(p, 'resource:default/db-hidden');
      const unknown = await post(p, 'resource:default/no-such-db');
      expect(unknown.status).toBe(400);
      expect(hidden.status).toBe(400);
      expect(unknown.body.error.message).toBe(
        'resources[0].entityRef: no entity "resource:default/no-such-db" in the catalog',
      );
      expect(hidden.body.error.message).toBe(
        'resources[0].entityRef: no entity "resource:default/db-hidden" in the catalog',
      );
      expect(JSON.stringify(hidden.body)).not.toContain('carol');
    }
    const mine = await get(
      '/requests?view=mine&entityRef=resource:default/db-hidden',
    );
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([]);
  });

  it('refuses a hand-made catalog cursor that sorts users by e-mail, and leaks nothing', async () => {
    // A cursor as the catalog writes them (base64 JSON), asking for users in e-mail order:
    // the catalog's next cursor would carry the last row's e-mail in orderFieldValues.
    const crafted = Buffer.from(
      JSON.stringify({
        orderFields: [{ field: 'spec.profile.email', order: 'asc' }],
        orderFieldValues: [],
        filter: { key: 'kind', values: ['user'] },
        isPrevious: false,
      }),
    ).toString('base64');
    const res = await get(
      `/resources?limit=1&cursor=${encodeURIComponent(crafted)}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/cursor/);
    // Today's catalog cursors are base64: look inside anything that came back.
    const text = JSON.stringify(res.body);
    const decoded = Buffer.from(res.body.nextCursor ?? '', 'base64').toString();
    expect(`${text} ${decoded}`).not.toContain('private@example.com');
    expect(res.body.nextCursor).toBeUndefined();
  });

  it("refuses another user's cursor", async () => {
    const first = await get('/resources?limit=1');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const asBob = await get(
      `/resources?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      'bob',
    );
    expect(asBob.status).toBe(400);
    expect(asBob.body.error.message).toMatch(/cursor/);
  });
});
