import {
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';
import { EXPIRY_TASK_ID } from './scheduleTasks';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const STAGING = 'resource:default/orders-db-staging';
const EKS = 'resource:default/prod-eks';

describe.each(databases.eachSupportedId())(
  'expiry of grants that need no provisioner call on %s',
  databaseId => {
    it('ends them all in one run, each with its audit entry, notice and what it was waiting for', async () => {
      const knex = await databases.init(databaseId);
      const h = await startAccessBackend({
        knex,
        access: {
          // Staging grants extend only with an approval, so one can wait for it.
          flows: FLOWS.map(f =>
            f.id === 'staging-db'
              ? {
                  ...f,
                  approval: {
                    type: 'manual',
                    approvers: ['group:default/dba'],
                  },
                  justification: 'optional',
                }
              : f,
          ),
        },
      });
      try {
        const ids: string[] = [];
        for (let i = 0; i < 25; i++) {
          const [r] = (
            await h.api.post('/requests', {
              resources: [{ entityRef: STAGING, permissions: ['read'] }],
              durationSeconds: 600,
            })
          ).body.items;
          await h.api.post(`/requests/${r.id}/approve`, {}, 'dana').expect(200);
          ids.push(r.id);
        }
        // One waits for an extension decision, one for its break-glass review.
        await h.api
          .post(`/requests/${ids[0]}/extend`, {
            durationSeconds: 600,
            justification: 'need more',
          })
          .expect(200);
        const [glass] = (
          await h.api.post(
            '/requests',
            {
              resources: [{ entityRef: EKS, permissions: ['cluster-admin'] }],
              justification: 'SEV1',
              durationSeconds: 600,
            },
            'sam',
          )
        ).body.items;
        const notices = h.sent.notifications.length;

        h.clock.advance(600 + 7);
        await h.scheduler.run(EXPIRY_TASK_ID);

        for (const id of [...ids, glass.id]) {
          expect(
            (await h.api.get(`/requests/${id}`, 'pat')).body,
          ).toMatchObject({ status: 'expired', endReason: 'Access expired' });
        }
        expect(
          (await h.api.get(`/requests/${ids[0]}`)).body.extension,
        ).toMatchObject({
          status: 'rejected',
          reason: 'Access ended',
        });
        expect(
          (await h.api.get(`/requests/${glass.id}`, 'sam')).body.review,
        ).toMatchObject({ status: 'pending' });

        const expired = await knex('access_audit').where({
          action: 'access-expired',
        });
        expect(expired).toHaveLength(26);
        expect(new Set(expired.map(e => e.request_id)).size).toBe(26);
        for (const e of expired) {
          expect(e).toMatchObject({
            actor: 'system',
            from_status: 'granted',
            to_status: 'expired',
          });
          expect(JSON.parse(e.details).lagMs).toBe(7000);
        }
        const told = h.sent.notifications
          .slice(notices)
          .filter(n => n.payload.title === 'Access request expired');
        expect(told).toHaveLength(26);

        // Nothing is ended twice.
        await h.scheduler.run(EXPIRY_TASK_ID);
        expect(
          await knex('access_audit').where({ action: 'access-expired' }),
        ).toHaveLength(26);
      } finally {
        await h.backend.stop();
      }
    });
  },
);
