import {
  createTestDatabases,
  startAccessBackend,
} from '../__testUtils__/harness';
import { EXPIRY_TASK_ID } from '../tasks/scheduleTasks';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ORDERS = 'resource:default/orders-db';
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(databases.eachSupportedId())(
  'the access clock on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;

    beforeEach(async () => {
      h = await startAccessBackend({ knex: await databases.init(databaseId) });
    });
    afterEach(async () => {
      await h.backend.stop();
    });

    it('starts when access is granted, not when it was requested', async () => {
      const submittedAt = h.clock.now();
      const [r] = (
        await h.api.post('/requests', {
          resources: [{ entityRef: ORDERS, permissions: ['read'] }],
          durationSeconds: 7200,
          justification: 'INC-1',
        })
      ).body.items;
      expect(r).toMatchObject({
        status: 'pending',
        createdAt: iso(submittedAt),
        durationSeconds: 7200,
      });
      expect(r.grantedAt).toBeUndefined();
      expect(r.expiresAt).toBeUndefined();

      h.clock.advance(3600);
      const approvedAt = h.clock.now();
      const approved = await h.api.post(
        `/requests/${r.id}/approve`,
        {},
        'dana',
      );
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        status: 'granted',
        createdAt: iso(submittedAt),
        grantedAt: iso(approvedAt),
        expiresAt: iso(approvedAt + 7200_000),
      });

      // Expiry follows: still held past two hours after the request, ended past two
      // hours after the grant.
      h.clock.advance(3601);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect((await h.api.get(`/requests/${r.id}`)).body.status).toBe(
        'granted',
      );
      h.clock.advance(3600);
      await h.scheduler.run(EXPIRY_TASK_ID);
      expect((await h.api.get(`/requests/${r.id}`)).body.status).toBe(
        'expired',
      );
    });
  },
);
