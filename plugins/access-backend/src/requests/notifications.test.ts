import { createBackendModule } from '@backstage/backend-plugin-api';
import { accessChecksExtensionPoint } from '@jit-access/plugin-access-node';
import {
  ALICE,
  BOB,
  BUNDLES,
  createTestDatabases,
  DANA,
  ERIN,
  FLOWS,
  OLIVIA,
  ORDERS,
  SANDBOX,
  STAGING,
  startAccessBackend,
} from '../__testUtils__/harness';
import {
  EXPIRY_TASK_ID,
  PENDING_TIMEOUT_TASK_ID,
} from '../tasks/scheduleTasks';

jest.setTimeout(60_000);

const databases = createTestDatabases();

/** Who approves alice's production database requests: the owner (payments) and the DBAs. */
const ORDERS_APPROVERS = [DANA, ERIN, OLIVIA];

/** What a test checks of a notification. */
interface Notice {
  to: string | string[];
  exclude?: string;
  topic: 'access-approval' | 'access-request';
  link: string;
  scope: string;
  title: string | RegExp;
  description?: RegExp;
}

/** A check that always passes, to approve requests without a person. */
const passingCheckModule = createBackendModule({
  pluginId: 'access',
  moduleId: 'test-passing-check',
  register(env) {
    env.registerInit({
      deps: { checks: accessChecksExtensionPoint },
      async init({ checks }) {
        checks.addCheckType({
          type: 'test-pass',
          create: () => ({
            async run() {
              return { outcome: 'passed', detail: 'on call' };
            },
          }),
        });
      },
    });
  },
});

type Harness = Awaited<ReturnType<typeof startAccessBackend>>;

function shape(n: any) {
  return {
    to: Array.isArray(n.recipients.entityRef)
      ? [...n.recipients.entityRef].sort()
      : n.recipients.entityRef,
    exclude: n.recipients.excludeEntityRef,
    topic: n.payload.topic,
    link: n.payload.link,
    scope: n.payload.scope,
    title: n.payload.title,
    description: n.payload.description,
  };
}

function expectNotices(sent: any[], expected: Notice[]) {
  const got = sent.map(shape);
  expect(got).toHaveLength(expected.length);
  expected.forEach((e, i) => {
    const g = got[i];
    expect({ index: i, to: g.to }).toEqual({
      index: i,
      to: Array.isArray(e.to) ? [...e.to].sort() : e.to,
    });
    expect(g).toMatchObject({
      topic: e.topic,
      link: e.link,
      scope: e.scope,
      ...(e.exclude ? { exclude: e.exclude } : {}),
    });
    if (typeof e.title === 'string') expect(g.title).toBe(e.title);
    else expect(g.title).toMatch(e.title);
    if (e.description) expect(g.description).toMatch(e.description);
  });
}

/** The approvers' notice asking them to decide. */
const asked = (id: string, title: string): Notice => ({
  to: ORDERS_APPROVERS,
  exclude: ALICE,
  topic: 'access-approval',
  link: '/access/approvals',
  scope: `access-request:${id}:approvers`,
  title,
});

/** The approvers' notice once the request was decided (replaces the one above). */
const decided = (id: string, how: string): Notice => ({
  to: ORDERS_APPROVERS,
  exclude: ALICE,
  topic: 'access-approval',
  link: `/access/requests/${id}`,
  scope: `access-request:${id}:approvers`,
  title: `Access request from ${ALICE} ${how}`,
});

/** A notice to alice, the requester. */
const toAlice = (
  id: string,
  scope: string,
  title: string | RegExp,
  description?: RegExp,
): Notice => ({
  to: ALICE,
  topic: 'access-request',
  link: `/access/requests/${id}`,
  scope: `access-request:${id}:${scope}`,
  title,
  description,
});

describe.each(databases.eachSupportedId())(
  'notifications on %s',
  databaseId => {
    let h: Harness;

    beforeEach(async () => {
      h = await startAccessBackend({ knex: await databases.init(databaseId) });
    });
    afterEach(async () => {
      await h.backend.stop();
    });

    const ask = async (
      entityRef: string,
      permission = 'read',
      who = 'alice',
    ): Promise<any> => {
      const res = await h.api.post(
        '/requests',
        {
          resources: [{ entityRef, permissions: [permission] }],
          justification: 'ticket 7',
        },
        who,
      );
      expect(res.status).toBe(201);
      return res.body.items[0];
    };
    const ok = async (res: Promise<any> | any) => {
      const r = await res;
      expect(r.status).toBe(200);
      return r.body;
    };
    const granted = async () => {
      const r = await ask(ORDERS);
      await ok(h.api.post(`/requests/${r.id}/approve`, {}, 'dana'));
      return r;
    };
    /** An act: `who` posts `body` to /requests/:id/`action`; answers the request's id. */
    const post =
      (action: string, who: string, body: object = {}) =>
      async (r: { id: string }) => {
        await ok(h.api.post(`/requests/${r.id}/${action}`, body, who));
        return r.id;
      };
    /** Alice asks the approvers to extend her granted access. */
    const askToExtend = post('extend', 'alice', {
      durationSeconds: 1800,
      justification: 'still migrating',
    });
    /** Granted access with an extension waiting for the approvers. */
    const extending = async () => {
      const r = await granted();
      await askToExtend(r);
      return r;
    };

    /**
     * Each case prepares a request, then acts; only the notifications sent by the act count.
     * The expected notices are in the order they are sent.
     */
    const cases: Array<{
      name: string;
      prepare?: () => Promise<any>;
      act: (prepared: any) => Promise<string>;
      expected: (id: string) => Notice[];
    }> = [
      {
        name: 'approvers asked: a link to Approvals, nothing to the requester',
        act: async () => (await ask(ORDERS)).id,
        expected: id => [
          {
            ...asked(id, `Access request from ${ALICE} needs your approval`),
            description:
              /^Production databases: resource:default\/orders-db \(read\)\. Justification \(from the requester\): ticket 7$/,
          },
        ],
      },
      {
        name: 'approved: approvers updated, requester told, then the grant replaces it',
        prepare: () => ask(ORDERS),
        act: post('approve', 'dana', { comment: 'ok' }),
        expected: id => [
          decided(id, `was approved by ${DANA}`),
          toAlice(id, 'outcome', `Access request approved by ${DANA}`),
          toAlice(id, 'outcome', 'Access request active'),
        ],
      },
      {
        name: 'N of M: nothing on a partial vote, approved on the deciding one',
        prepare: async () => {
          const r = await ask(ORDERS, 'admin');
          await ok(h.api.post(`/requests/${r.id}/approve`, {}, 'dana'));
          return r;
        },
        act: post('approve', 'erin'),
        expected: id => [
          { ...decided(id, `was approved by ${ERIN}`), to: [DANA, ERIN] },
          toAlice(id, 'outcome', `Access request approved by ${ERIN}`),
          toAlice(id, 'outcome', 'Access request active'),
        ],
      },
      {
        name: 'rejected, with the reason',
        prepare: () => ask(ORDERS),
        act: post('reject', 'dana', { reason: 'use the staging copy' }),
        expected: id => [
          decided(id, `was rejected by ${DANA}`),
          toAlice(
            id,
            'request-rejected',
            'Access request rejected',
            /Reason: use the staging copy$/,
          ),
        ],
      },
      {
        name: 'granted at once (automatic flow): one notice, no "approved" before it',
        act: async () => (await ask(STAGING)).id,
        expected: id => [
          toAlice(
            id,
            'outcome',
            'Access request active',
            /^Staging databases: resource:default\/orders-db-staging \(read\)$/,
          ),
        ],
      },
      {
        name: 'expiring soon, 15 minutes before the end',
        prepare: () => ask(STAGING),
        act: async r => {
          h.clock.advance(3600 - 15 * 60);
          await h.scheduler.run(EXPIRY_TASK_ID);
          return r.id;
        },
        expected: id => [
          toAlice(
            id,
            'access-expiring',
            'Your access ends in 15 minutes: extend it on My Access if you still need it',
          ),
        ],
      },
      {
        name: 'expired',
        prepare: granted,
        act: async r => {
          h.clock.advance(3600 - 15 * 60);
          await h.scheduler.run(EXPIRY_TASK_ID);
          h.clock.advance(15 * 60 + 1);
          await h.scheduler.run(EXPIRY_TASK_ID);
          return r.id;
        },
        expected: id => [
          toAlice(
            id,
            'access-expiring',
            'Your access ends in 15 minutes: extend it on My Access if you still need it',
          ),
          toAlice(
            id,
            'access-expired',
            'Access request expired',
            /Reason: Access expired$/,
          ),
        ],
      },
      {
        name: 'revoked by an approver',
        prepare: granted,
        act: post('revoke', 'erin', { reason: 'incident over' }),
        expected: id => [
          toAlice(
            id,
            'access-revoked',
            'Access request revoked',
            /Reason: incident over$/,
          ),
        ],
      },
      {
        name: 'revoked by the holder: nobody is told',
        prepare: granted,
        act: post('revoke', 'alice'),
        expected: () => [],
      },
      {
        name: 'cancelled by the requester: only the approvers are updated',
        prepare: () => ask(ORDERS),
        act: post('cancel', 'alice'),
        expected: id => [decided(id, 'was cancelled')],
      },
      {
        name: 'pending timeout',
        prepare: () => ask(ORDERS),
        act: async r => {
          h.clock.advance(7 * 86400 + 1);
          await h.scheduler.run(PENDING_TIMEOUT_TASK_ID);
          return r.id;
        },
        expected: id => [
          decided(id, 'timed out'),
          toAlice(
            id,
            'request-timed-out',
            'Access request expired',
            /Reason: Nobody decided within/,
          ),
        ],
      },
      {
        name: 'extension asked of the approvers',
        prepare: granted,
        act: askToExtend,
        expected: id => [
          {
            ...asked(id, `${ALICE} asks to extend access`),
            // The extension's own reason, not the one the access was first asked with.
            description:
              /^Production databases: resource:default\/orders-db \(read\)\. 30m more\. Justification \(from the requester\): still migrating$/,
          },
        ],
      },
      {
        name: 'extension approved',
        prepare: extending,
        act: post('approve', 'olivia'),
        expected: id => [
          decided(id, `got its extension by ${OLIVIA}`),
          toAlice(id, 'extension-approved', 'Your access was extended'),
        ],
      },
      {
        name: 'extension rejected, with the reason',
        prepare: extending,
        act: post('reject', 'dana', { reason: 'enough' }),
        expected: id => [
          decided(id, `was refused an extension by ${DANA}`),
          toAlice(
            id,
            'extension-rejected',
            'Your extension was rejected: enough',
          ),
        ],
      },
    ];

    it.each(cases.map(c => [c.name, c] as const))('%s', async (_name, c) => {
      const prepared = c.prepare ? await c.prepare() : undefined;
      const mark = h.sent.notifications.length;
      const id = await c.act(prepared);
      const sent = h.sent.notifications.slice(mark);
      expect(sent).toHaveLength(c.expected(id).length);
      expectNotices(sent, c.expected(id));
    });

    it("shows the requester's text labelled, on one line, cut to 200 characters, with links that are not links", async () => {
      const justification = `Urgent!\nApproved by the CISO\u202e, see https://evil.example/ok?x=1 or www.evil.example\t${'x'.repeat(
        300,
      )}`;
      const res = await h.api.post('/requests', {
        resources: [{ entityRef: ORDERS, permissions: ['read'] }],
        justification,
      });
      expect(res.status).toBe(201);
      const [notice] = h.sent.notifications;
      const { description } = notice.payload;
      const shown = description.split(
        'Justification (from the requester): ',
      )[1];
      expect(shown).toMatch(
        /^Urgent! Approved by the CISO, see hxxps:\/\/evil\[\.\]example\/ok\?x=1 or www\[\.\]evil\[\.\]example x+…$/,
      );
      expect([...shown].length).toBe(200);
      expect(description).not.toMatch(/[\p{Cc}\p{Cf}]/u);
      expect(description).not.toMatch(/https?:\/\/|www\.evil/);
      // The API keeps what was written, unchanged.
      expect(res.body.items[0].justification).toBe(justification);
    });

    it("updates the approvers' notice in place: same scope and recipients, asked then decided", async () => {
      const r = await ask(ORDERS);
      await ok(h.api.post(`/requests/${r.id}/approve`, {}, 'olivia'));
      const toApprovers = h.sent.notifications.filter(
        n => n.payload.topic === 'access-approval',
      );
      expect(toApprovers).toHaveLength(2);
      expect(toApprovers[1].payload.scope).toBe(toApprovers[0].payload.scope);
      expect(toApprovers[1].recipients).toEqual(toApprovers[0].recipients);
      expect(toApprovers[0].payload.link).toBe('/access/approvals');
      expect(toApprovers[1].payload.link).toBe(`/access/requests/${r.id}`);
      // The requester's "approved" and "granted" notices share a scope: one notice, updated.
      const toRequester = h.sent.notifications.filter(
        n => n.recipients.entityRef === ALICE,
      );
      expect(toRequester.map(n => n.payload.scope)).toEqual([
        `access-request:${r.id}:outcome`,
        `access-request:${r.id}:outcome`,
      ]);
      // Nobody gets a notice about their own request as an approver.
      for (const n of toApprovers) {
        expect(n.recipients.entityRef).not.toContain(ALICE);
      }
    });

    it('never tells the requester about their own request as an approver, even with allowSelfApproval', async () => {
      await h.backend.stop();
      const selfApproved = {
        id: 'team-sandbox',
        title: 'Team sandbox',
        requesters: ['group:default/engineering'],
        resources: {
          filter: { kind: 'Resource', 'spec.type': 'cloud-account' },
          permissions: ['read'],
        },
        approval: {
          type: 'manual',
          approvers: ['owner'],
          allowSelfApproval: true,
        },
        duration: { default: '1h', max: '4h' },
        justification: 'optional',
      };
      h = await startAccessBackend({
        knex: await databases.init(databaseId),
        access: { flows: [selfApproved, ...FLOWS], bundles: BUNDLES },
      });
      const r = await ask(SANDBOX);
      expect([...r.approvers].sort()).toEqual([ALICE, BOB]);
      await ok(h.api.post(`/requests/${r.id}/approve`, {}, 'alice'));
      const notice = (to: string | string[], scope: string, title: string) => ({
        to,
        topic: to === ALICE ? 'access-request' : 'access-approval',
        link:
          scope === 'approvers' && /needs/.test(title)
            ? '/access/approvals'
            : `/access/requests/${r.id}`,
        scope: `access-request:${r.id}:${scope}`,
        title,
      });
      expectNotices(h.sent.notifications, [
        {
          ...notice(
            [BOB],
            'approvers',
            `Access request from ${ALICE} needs your approval`,
          ),
          exclude: ALICE,
        } as Notice,
        {
          ...notice(
            [BOB],
            'approvers',
            `Access request from ${ALICE} was approved`,
          ),
          exclude: ALICE,
        } as Notice,
        // She approved it herself, so no "approved" notice; the grant is still news.
        notice(ALICE, 'outcome', 'Access request active') as Notice,
      ]);
    });

    it('break-glass: the reviewers are asked to review, the holder is told of the grant', async () => {
      const res = await h.api.post(
        '/requests',
        {
          resources: [
            {
              entityRef: 'resource:default/prod-eks',
              permissions: ['cluster-admin'],
            },
          ],
          justification: 'SEV1',
        },
        'sam',
      );
      expect(res.status).toBe(201);
      const id = res.body.items[0].id;
      const sam = 'user:default/sam';
      expectNotices(h.sent.notifications, [
        {
          to: ['user:default/pat'],
          exclude: sam,
          topic: 'access-approval',
          link: '/access/approvals',
          scope: `access-request:${id}:approvers`,
          title: `Break-glass access used by ${sam}: please review`,
        },
        {
          to: sam,
          topic: 'access-request',
          link: `/access/requests/${id}`,
          scope: `access-request:${id}:outcome`,
          title: 'Access request active',
        },
      ]);
    });

    it('approved by a check: the requester gets the grant only, not an "approved" notice first', async () => {
      await h.backend.stop();
      const checked = {
        id: 'oncall-or-human',
        title: 'On call or a DBA',
        requesters: ['group:default/engineering'],
        resources: {
          filter: { kind: 'Resource', 'spec.type': 'database' },
          permissions: ['read'],
        },
        approval: {
          type: 'manual',
          approvers: ['group:default/dba'],
          autoApproveChecks: ['oncall'],
        },
        duration: { default: '1h', max: '4h' },
        justification: 'optional',
      };
      h = await startAccessBackend({
        knex: await databases.init(databaseId),
        access: {
          checks: { oncall: { type: 'test-pass' } },
          flows: [checked],
        },
        extraFeatures: [passingCheckModule],
      });
      const r = await ask(ORDERS);
      expect(r.status).toBe('granted');
      expectNotices(h.sent.notifications, [
        // Never asked, so the approvers' notice is sent on its own.
        {
          ...decided(r.id, 'was approved automatically'),
          to: [DANA, ERIN],
        },
        toAlice(r.id, 'outcome', 'Access request active'),
      ]);
    });
  },
);
