import { Knex } from 'knex';
import { randomBytes } from 'crypto';
import {
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';
import { EXPIRY_TASK_ID } from '../tasks/scheduleTasks';
import {
  detailsProvisioner,
  PASSWORD,
} from '../__testUtils__/detailsProvisioner';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'access details on %s',
  databaseId => {
    let knex: Knex;
    const key = randomBytes(32).toString('base64');
    const start = (encryptionKey = key) =>
      startAccessBackend({
        knex,
        access: {
          flows: [
            {
              ...FLOWS[0],
              provisioner: 'db',
              approval: { type: 'automatic', approvers: ['group:default/dba'] },
            },
          ],
          provisioners: { db: { type: 'details' } },
          encryption: { key: encryptionKey },
        },
        extraFeatures: [detailsProvisioner],
      });

    beforeEach(async () => {
      knex = await databases.init(databaseId);
    });

    it('shows what the provisioner returned to the grantee only, encrypted at rest, and forgets it when access ends', async () => {
      const h = await start();
      try {
        const res = await h.api.post('/requests', {
          resources: [
            {
              entityRef: 'resource:default/orders-db-staging',
              permissions: ['read'],
            },
          ],
        });
        const r = res.body.items[0];
        expect(r.accessDetails).toEqual({
          host: 'db.internal',
          user: `jit_${r.id.slice(0, 8)}`,
          password: PASSWORD,
          port: '5432',
        });
        expect(
          (await h.api.get(`/requests/${r.id}`)).body.accessDetails.password,
        ).toBe(PASSWORD);
        // approvers, owners and admins see the request, never the details
        expect(
          (await h.api.get(`/requests/${r.id}`, 'dana')).body.accessDetails,
        ).toBeUndefined();
        expect(
          (await h.api.get(`/requests/${r.id}`, 'pat')).body.accessDetails,
        ).toBeUndefined();
        const holders = (
          await h.api.get(
            '/entity-access?entityRef=resource:default/orders-db-staging',
            'olivia',
          )
        ).body.holders;
        expect(JSON.stringify(holders)).not.toContain(PASSWORD);
        // nowhere in the database or the audit trail in plain text
        const rows = await knex('access_details').select('ciphertext');
        expect(rows).toHaveLength(1);
        expect(rows[0].ciphertext).not.toContain(PASSWORD);
        expect(rows[0].ciphertext).toMatch(/^v2\.key-[0-9a-f]{16}\./);
        const audit = await h.api.get('/audit?format=csv&limit=1000', 'pat');
        expect(audit.text).not.toContain(PASSWORD);
        // gone when the access ends
        h.clock.advance(3601);
        await h.scheduler.run(EXPIRY_TASK_ID);
        expect((await h.api.get(`/requests/${r.id}`)).body).toMatchObject({
          status: 'expired',
        });
        expect(
          (await h.api.get(`/requests/${r.id}`)).body.accessDetails,
        ).toBeUndefined();
        expect(
          Number((await knex('access_details').count({ n: '*' }).first())!.n),
        ).toBe(0);
      } finally {
        await h.backend.stop();
      }
    });

    it('shows nothing, rather than garbage, when the key changed', async () => {
      const h = await start();
      const r = (
        await h.api.post('/requests', {
          resources: [
            {
              entityRef: 'resource:default/orders-db-staging',
              permissions: ['read'],
            },
          ],
        })
      ).body.items[0];
      await h.backend.stop();
      const other = await start(randomBytes(32).toString('base64'));
      try {
        const got = await other.api.get(`/requests/${r.id}`);
        expect(got.status).toBe(200);
        expect(got.body.accessDetails).toBeUndefined();
      } finally {
        await other.backend.stop();
      }
    });

    it('refuses a key that is not 32 bytes, naming the key', async () => {
      await expect(start('c2hvcnQ=')).rejects.toThrow(
        'access.encryption.key: must be 32 bytes in base64',
      );
    });
  },
);
