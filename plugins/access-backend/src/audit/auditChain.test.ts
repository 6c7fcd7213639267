import {
  createTestDatabases,
  startAccessBackend,
} from '../__testUtils__/harness';
import { AUDIT_SEAL_TASK_ID } from '../tasks/scheduleTasks';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const STAGING = {
  resources: [
    { entityRef: 'resource:default/orders-db-staging', permissions: ['read'] },
  ],
};

describe.each(databases.eachSupportedId())(
  'the tamper-evident audit trail on %s',
  databaseId => {
    async function setUp() {
      const knex = await databases.init(databaseId);
      const h = await startAccessBackend({ knex });
      for (let i = 0; i < 3; i++) {
        const [r] = (await h.api.post('/requests', STAGING)).body.items;
        await h.api.post(`/requests/${r.id}/revoke`, {}).expect(200);
      }
      const verify = () => h.api.get('/audit/verify', 'pat');
      return { knex, h, verify };
    }

    it('seals every entry and verifies the whole chain', async () => {
      const { knex, h, verify } = await setUp();
      try {
        const entries = Number(
          (await knex('access_audit').count({ n: '*' }))[0].n,
        );
        expect(entries).toBe(12);
        const res = await verify().expect(200);
        expect(res.body).toMatchObject({
          ok: true,
          checked: 12,
          pending: 0,
          head: { seq: 12 },
        });
        expect(res.body.head.hash).toMatch(/^[0-9a-f]{64}$/);

        // New entries join the chain when the scheduled task seals them.
        await h.api.post('/requests', STAGING).expect(201);
        expect(await knex('access_audit').whereNull('seq')).toHaveLength(2);
        await h.scheduler.run(AUDIT_SEAL_TASK_ID);
        expect(await knex('access_audit').whereNull('seq')).toHaveLength(0);
        expect((await verify()).body).toMatchObject({ ok: true, checked: 14 });
      } finally {
        await h.backend.stop();
      }
    });

    it('finds an entry edited after it was sealed', async () => {
      const { knex, h, verify } = await setUp();
      try {
        await verify();
        const victim = await knex('access_audit').where({ seq: 5 }).first();
        await knex('access_audit')
          .where({ id: victim.id })
          .update({ actor: 'user:default/mallory' });
        expect((await verify()).body).toMatchObject({
          ok: false,
          checked: 4,
          problem: {
            seq: 5,
            id: String(victim.id),
            reason: 'was changed after it was sealed',
          },
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('finds an entry that was deleted, and one rebuilt without the key', async () => {
      const { knex, h, verify } = await setUp();
      try {
        await verify();
        await knex('access_audit').where({ seq: 7 }).delete();
        expect((await verify()).body.problem).toMatchObject({
          seq: 8,
          reason: 'entries 7 to 7 of the chain are missing',
        });

        // Closing the gap by renumbering does not help: the MACs cover seq and prev hash.
        const rows = await knex('access_audit')
          .where('seq', '>', 7)
          .orderBy('seq');
        for (const r of rows) {
          await knex('access_audit')
            .where({ id: r.id })
            .update({ seq: Number(r.seq) - 1 });
        }
        expect((await verify()).body.problem).toMatchObject({
          seq: 7,
          reason: 'does not follow the entry before it',
        });
      } finally {
        await h.backend.stop();
      }
    });

    it('is for audit readers only', async () => {
      const { h } = await setUp();
      try {
        for (const who of ['alice', 'dana']) {
          const res = await h.api.get('/audit/verify', who);
          expect(res.status).toBe(403);
        }
      } finally {
        await h.backend.stop();
      }
    });
  },
);
