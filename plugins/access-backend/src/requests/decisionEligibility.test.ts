import { AccessRequest } from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { prodDbFlow } from '../__testUtils__/checkFixtures';
import {
  editableCatalog,
  withMemberships,
} from '../__testUtils__/editableCatalog';
import {
  ALICE,
  createTestDatabases,
  ENTITIES,
  ERIN,
  ORDERS,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(60_000);

const databases = createTestDatabases();

// Two of the DBAs (dana, erin) approve requests and each extension; three extensions.
const ACCESS = {
  flows: [
    prodDbFlow(
      'two-dbas',
      { type: 'manual', required: 2 },
      { default: '1h', max: '8h', extensions: 3 },
    ),
  ],
};

describe.each(databases.eachSupportedId())(
  'who may decide, and on what, on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;
    let catalog: ReturnType<typeof editableCatalog>;

    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      catalog = editableCatalog(ENTITIES);
      h = await startAccessBackend({
        knex,
        access: ACCESS,
        catalog: catalog.factory,
      });
    });

    afterEach(async () => {
      await h.backend.stop();
    });

    const approve = (id: string, who: string) =>
      h.api.post(`/requests/${id}/approve`, { comment: 'ok' }, who);
    const reject = (id: string, who: string) =>
      h.api.post(`/requests/${id}/reject`, { reason: 'not now' }, who);
    const extend = (id: string, who = 'alice') =>
      h.api.post(
        `/requests/${id}/extend`,
        { durationSeconds: 1800, justification: 'still on it' },
        who,
      );

    async function submit(): Promise<AccessRequest> {
      const res = await h.api.post('/requests', {
        resources: [{ entityRef: ORDERS, permissions: ['two-dbas'] }],
        justification: 'migration',
      });
      expect(res.status).toBe(201);
      return res.body.items[0];
    }

    async function granted(): Promise<AccessRequest> {
      const r = await submit();
      expect((await approve(r.id, 'dana')).body.status).toBe('pending');
      const res = await approve(r.id, 'erin');
      expect(res.body.status).toBe('granted');
      return res.body;
    }

    /** The catalog changes, and the plugin's 30-second directory cache runs out. */
    function changeCatalog(entities: typeof ENTITIES) {
      catalog.set(entities);
      h.clock.advance(60);
    }

    describe('extension votes (N of M) belong to one extension attempt', () => {
      it('does not count a vote for a cancelled extension towards the next one', async () => {
        const r = await granted();
        expect((await extend(r.id)).body.extension.status).toBe('pending');
        expect((await approve(r.id, 'dana')).body.extension.status).toBe(
          'pending',
        );
        const cancelled = await h.api.post(`/requests/${r.id}/cancel`, {});
        expect(cancelled.body.extension.status).toBe('rejected');

        expect((await extend(r.id)).body.extension.status).toBe('pending');
        const one = await approve(r.id, 'erin');
        expect(one.status).toBe(200);
        // dana's vote was for the cancelled attempt: this one still waits for a second approver
        expect(one.body).toMatchObject({
          extension: { status: 'pending' },
          expiresAt: r.expiresAt,
          extensionsUsed: 0,
        });
        // ...who may be dana, deciding on this attempt
        const two = await approve(r.id, 'dana');
        expect(two.status).toBe(200);
        expect(two.body).toMatchObject({
          extension: { status: 'approved' },
          extensionsUsed: 1,
        });
        expect(Date.parse(two.body.expiresAt) - Date.parse(r.expiresAt!)).toBe(
          1800_000,
        );
      });

      it('does not count a vote for a rejected extension, and lets its rejecter decide on the next', async () => {
        const r = await granted();
        await extend(r.id);
        expect((await approve(r.id, 'dana')).status).toBe(200);
        const rejected = await reject(r.id, 'erin');
        expect(rejected.body.extension).toMatchObject({
          status: 'rejected',
          reason: 'not now',
        });

        await extend(r.id);
        // erin rejected the last attempt; this one is a new question
        const erin = await approve(r.id, 'erin');
        expect(erin.status).toBe(200);
        expect(erin.body.extension.status).toBe('pending');
        // deciding twice on the same attempt is still refused
        expect((await approve(r.id, 'erin')).status).toBe(409);
        expect((await reject(r.id, 'erin')).status).toBe(409);
        const dana = await approve(r.id, 'dana');
        expect(dana.body).toMatchObject({
          extension: { status: 'approved' },
          extensionsUsed: 1,
        });
      });
    });

    describe('eligibility is re-checked against the catalog at decision time', () => {
      it('refuses an approver who left the approving group since the submission', async () => {
        const r = await submit();
        expect(r.approvers).toContain(ERIN);
        changeCatalog(withMemberships(ENTITIES, ERIN, []));

        for (const res of [
          await approve(r.id, 'erin'),
          await reject(r.id, 'erin'),
        ]) {
          expect(res.status).toBe(403);
          expect(res.body.error.message).toBe(
            `You are no longer an approver of access request ${r.id}: flow "two-dbas" does not name you as an approver of ${ORDERS} any more`,
          );
        }
        const now = (await h.api.get(`/requests/${r.id}`)).body;
        expect(now).toMatchObject({ status: 'pending', approvals: [] });

        // the one who stayed still decides; nobody new is added by the catalog change
        expect((await approve(r.id, 'dana')).status).toBe(200);
        changeCatalog(
          withMemberships(ENTITIES, 'user:default/sam', ['group:default/dba']),
        );
        expect((await approve(r.id, 'sam')).status).toBe(403);
      });

      it('refuses to decide while the catalog cannot confirm the approver', async () => {
        const r = await submit();
        catalog.setDown(true);
        h.clock.advance(60);
        const res = await approve(r.id, 'dana');
        expect(res.status).toBe(503);
        expect(res.body.error.message).toMatch(
          /^The software catalog did not answer \(catalog down\)/,
        );
        catalog.setDown(false);
        expect((await h.api.get(`/requests/${r.id}`)).body.approvals).toEqual(
          [],
        );
        expect((await approve(r.id, 'dana')).status).toBe(200);
      });

      it('refuses an approver who left the group to decide on an extension', async () => {
        const r = await granted();
        await extend(r.id);
        changeCatalog(withMemberships(ENTITIES, ERIN, []));
        expect((await approve(r.id, 'erin')).status).toBe(403);
        expect((await reject(r.id, 'erin')).status).toBe(403);
        expect(
          (await h.api.get(`/requests/${r.id}`)).body.extension.status,
        ).toBe('pending');
      });

      it('lets nobody approve a request whose flow was removed, and its approvers reject it', async () => {
        const r = await submit();
        await h.backend.stop();
        // the backend restarts without the flow
        h = await startAccessBackend({
          knex,
          access: {
            flows: [prodDbFlow('other', { type: 'manual' })],
          },
          catalog: catalog.factory,
        });
        const res = await approve(r.id, 'dana');
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `You are no longer an approver of access request ${r.id}: flow "two-dbas" no longer exists; the request can only be rejected`,
        );
        const rejected = await reject(r.id, 'dana');
        expect(rejected.status).toBe(200);
        expect(rejected.body).toMatchObject({
          status: 'rejected',
          endReason: 'not now',
        });
      });

      it('refuses an extension to a holder the flow no longer lets request', async () => {
        const r = await granted();
        changeCatalog(withMemberships(ENTITIES, ALICE, []));
        const res = await extend(r.id);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `Flow "two-dbas" no longer lets ${ALICE} request this access, so it cannot be extended; group membership changed since it was granted`,
        );
        const now = (await h.api.get(`/requests/${r.id}`)).body;
        expect(now).toMatchObject({
          status: 'granted',
          expiresAt: r.expiresAt,
        });
        expect(now.extension).toBeUndefined();

        // back in the group: the extension is asked as before
        changeCatalog(ENTITIES);
        expect((await extend(r.id)).body.extension.status).toBe('pending');
      });
    });
  },
);
