import { AccessPreviewItem } from '@jit-access/plugin-access-common';
import { http, HttpResponse } from 'msw';
import { prodDbFlow, setupCheckServer } from '../__testUtils__/checkFixtures';
import {
  createTestDatabases,
  ORDERS,
  startAccessBackend,
} from '../__testUtils__/harness';

jest.setTimeout(60_000);

const server = setupCheckServer();
const databases = createTestDatabases();
const TICKETS = 'https://itsm.example.com/ticket';
const INCIDENTS = 'https://incidents.example.com/ack';

const check = (url: string) => ({
  type: 'webhook',
  url,
  validators: [{ jsonPath: '$.ok', expectedValues: ['yes'] }],
  retries: 0,
});

/** One flow per approval shape, each deciding its own permission on prod databases. */
const flow = (id: string, approval: Record<string, unknown>) =>
  prodDbFlow(id, approval, { default: '1h', max: '2h' });

const ACCESS = {
  checks: {
    'change-ticket': check(TICKETS),
    'incident-ack': check(INCIDENTS),
    'oncall-ack': check(INCIDENTS),
  },
  flows: [
    flow('plain', { type: 'manual' }),
    flow('ticketed', { type: 'manual', requiredChecks: ['change-ticket'] }),
    flow('fast-track', {
      type: 'manual',
      requiredChecks: ['change-ticket'],
      autoApproveChecks: ['incident-ack', 'oncall-ack'],
    }),
    flow('auto', { type: 'automatic', autoApproveChecks: ['incident-ack'] }),
    flow('glass', {
      type: 'breakglass',
      requiredChecks: ['change-ticket'],
      autoApproveChecks: ['incident-ack'],
    }),
  ],
};

describe.each(databases.eachSupportedId())(
  'POST /requests/preview on %s',
  databaseId => {
    let h: Awaited<ReturnType<typeof startAccessBackend>>;
    const calls: string[] = [];

    beforeEach(async () => {
      calls.length = 0;
      server.use(
        http.post(TICKETS, () => {
          calls.push('change-ticket');
          return HttpResponse.json({ ok: 'yes' });
        }),
        http.post(INCIDENTS, () => {
          calls.push('incident');
          return HttpResponse.json({ ok: 'yes' });
        }),
      );
      h = await startAccessBackend({
        knex: await databases.init(databaseId),
        access: ACCESS,
      });
    });
    afterEach(async () => {
      await h.backend.stop();
    });

    it('lists the checks each flow would run, without running them or creating anything', async () => {
      const res = await h.api.post('/requests/preview', {
        resources: [
          {
            entityRef: ORDERS,
            permissions: ['plain', 'ticketed', 'fast-track', 'auto', 'glass'],
          },
        ],
      });
      expect(res.status).toBe(200);
      const byFlow = Object.fromEntries(
        (res.body.items as AccessPreviewItem[]).map(i => [
          i.flowId,
          {
            approvalType: i.approvalType,
            checks: i.checks,
            autoApproved: i.autoApproved,
          },
        ]),
      );
      expect(byFlow).toEqual({
        plain: { approvalType: 'manual', checks: [], autoApproved: false },
        ticketed: {
          approvalType: 'manual',
          checks: ['change-ticket'],
          autoApproved: false,
        },
        // Required checks first, then the auto-approve ones, in config order.
        'fast-track': {
          approvalType: 'manual',
          checks: ['change-ticket', 'incident-ack', 'oncall-ack'],
          autoApproved: false,
        },
        auto: {
          approvalType: 'automatic',
          checks: ['incident-ack'],
          autoApproved: true,
        },
        // Break-glass ignores autoApproveChecks (docs/concepts.md): only the required ones.
        glass: {
          approvalType: 'breakglass',
          checks: ['change-ticket'],
          autoApproved: true,
        },
      });
      expect(calls).toEqual([]);
      expect((await h.api.get('/requests?view=mine')).body.items).toEqual([]);
    });

    it('previews for break-glass exactly the checks a submission then runs', async () => {
      const preview = await h.api.post('/requests/preview', {
        resources: [{ entityRef: ORDERS, permissions: ['glass'] }],
      });
      const [r] = (
        await h.api.post('/requests', {
          resources: [{ entityRef: ORDERS, permissions: ['glass'] }],
          justification: 'INC-9 orders down',
        })
      ).body.items;
      expect(r.status).toBe('granted');
      expect(r.checks.map((c: { checkId: string }) => c.checkId)).toEqual(
        preview.body.items[0].checks,
      );
      expect(calls).toEqual(['change-ticket']);
    });
  },
);
