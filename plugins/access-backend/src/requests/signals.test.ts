import {
  createTestDatabases,
  startAccessBackend,
} from '../__testUtils__/harness';
import { ACCESS_SIGNAL_CHANNEL } from '@jit-access/plugin-access-common';
import { EXPIRY_TASK_ID } from '../tasks/scheduleTasks';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ORDERS = 'resource:default/orders-db';
const STAGING = 'resource:default/orders-db-staging';

const ALICE = 'user:default/alice';
/** alice's production database requests: the owner (payments) and the DBAs approve. */
const ORDERS_APPROVERS = [
  'user:default/dana',
  'user:default/erin',
  'user:default/olivia',
];

type Harness = Awaited<ReturnType<typeof startAccessBackend>>;

describe.each(databases.eachSupportedId())('signals on %s', databaseId => {
  let h: Harness;

  beforeEach(async () => {
    h = await startAccessBackend({ knex: await databases.init(databaseId) });
  });
  afterEach(async () => {
    await h.backend.stop();
  });

  const ask = async (entityRef: string, permission = 'read'): Promise<any> => {
    const res = await h.api.post('/requests', {
      resources: [{ entityRef, permissions: [permission] }],
      justification: 'ticket 7',
    });
    expect(res.status).toBe(201);
    return res.body.items[0];
  };
  const ok = async (res: Promise<any>) => {
    const r = await res;
    expect(r.status).toBe(200);
    return r.body;
  };

  /** What a test checks of a signal. */
  const shape = (s: any) => ({
    channel: s.channel,
    type: s.recipients.type,
    to: [...s.recipients.entityRef].sort(),
    keys: Object.keys(s.message).sort(),
    change: `${s.message.action}:${s.message.status}`,
  });

  const cases: Array<{
    name: string;
    submit: () => Promise<any>;
    /** Runs after the submission. */
    act?: (id: string) => Promise<void>;
    recipients: string[];
    expected: string[];
  }> = [
    {
      name: 'submit',
      submit: () => ask(ORDERS),
      recipients: [ALICE, ...ORDERS_APPROVERS],
      expected: ['request-submitted:pending'],
    },
    {
      name: 'approve and grant',
      submit: () => ask(ORDERS),
      act: async id => {
        await ok(h.api.post(`/requests/${id}/approve`, {}, 'dana'));
      },
      recipients: [ALICE, ...ORDERS_APPROVERS],
      expected: [
        'request-submitted:pending',
        'request-approved:granting',
        'access-granted:granted',
      ],
    },
    {
      name: 'partial approval of an N-of-M request',
      submit: () => ask(ORDERS, 'admin'),
      act: async id => {
        await ok(h.api.post(`/requests/${id}/approve`, {}, 'dana'));
      },
      recipients: [ALICE, 'user:default/dana', 'user:default/erin'],
      expected: ['request-submitted:pending', 'approval-recorded:pending'],
    },
    {
      name: 'reject',
      submit: () => ask(ORDERS),
      act: async id => {
        await ok(
          h.api.post(`/requests/${id}/reject`, { reason: 'no' }, 'erin'),
        );
      },
      recipients: [ALICE, ...ORDERS_APPROVERS],
      expected: ['request-submitted:pending', 'request-rejected:rejected'],
    },
    {
      name: 'cancel',
      submit: () => ask(ORDERS),
      act: async id => {
        await ok(h.api.post(`/requests/${id}/cancel`, {}));
      },
      recipients: [ALICE, ...ORDERS_APPROVERS],
      expected: ['request-submitted:pending', 'request-cancelled:cancelled'],
    },
    {
      name: 'revoke',
      submit: () => ask(ORDERS),
      act: async id => {
        await ok(h.api.post(`/requests/${id}/approve`, {}, 'dana'));
        await ok(
          h.api.post(`/requests/${id}/revoke`, { reason: 'done' }, 'olivia'),
        );
      },
      recipients: [ALICE, ...ORDERS_APPROVERS],
      expected: [
        'request-submitted:pending',
        'request-approved:granting',
        'access-granted:granted',
        'revoke-requested:granted',
        'access-revoked:revoked',
      ],
    },
    {
      name: 'expire',
      submit: () => ask(ORDERS),
      act: async id => {
        await ok(h.api.post(`/requests/${id}/approve`, {}, 'dana'));
        h.clock.advance(3600 + 1);
        await h.scheduler.run(EXPIRY_TASK_ID);
      },
      recipients: [ALICE, ...ORDERS_APPROVERS],
      expected: [
        'request-submitted:pending',
        'request-approved:granting',
        'access-granted:granted',
        'access-expired:expired',
      ],
    },
    {
      name: 'automatic grant and expiry (no approvers: the requester only)',
      submit: () => ask(STAGING),
      act: async () => {
        h.clock.advance(3600 + 1);
        await h.scheduler.run(EXPIRY_TASK_ID);
      },
      recipients: [ALICE],
      expected: [
        'request-submitted:granting',
        'access-granted:granted',
        'access-expired:expired',
      ],
    },
  ];

  it.each(cases.map(c => [c.name, c] as const))(
    'signals the requester and the approvers on %s',
    async (_name, c) => {
      const mark = h.sent.signals.length;
      const r = await c.submit();
      await c.act?.(r.id);
      const sent = h.sent.signals
        .slice(mark)
        .filter(s => s.message.requestId === r.id)
        .map(shape);
      expect(sent.map(s => s.change)).toEqual(c.expected);
      expect(sent).toEqual(
        c.expected.map(change => ({
          channel: 'access-requests',
          type: 'user',
          to: [...c.recipients].sort(),
          keys: ['action', 'requestId', 'status'],
          change,
        })),
      );
      expect(ACCESS_SIGNAL_CHANNEL).toBe('access-requests');
    },
  );

  it('names the same approvers on the request as in its signals', async () => {
    const r = await ask(ORDERS);
    expect([...r.approvers].sort()).toEqual(ORDERS_APPROVERS);
  });
});
