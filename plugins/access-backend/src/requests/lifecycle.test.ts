import { AccessRequest } from '@jit-access/plugin-access-common';
import {
  ANALYTICS,
  createTestDatabases,
  EKS,
  ORDERS,
  STAGING,
  startAccessBackend,
} from '../__testUtils__/harness';
import {
  EXPIRY_TASK_ID,
  PENDING_TIMEOUT_TASK_ID,
} from '../tasks/scheduleTasks';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('request life on %s', databaseId => {
  let h: Awaited<ReturnType<typeof startAccessBackend>>;

  beforeEach(async () => {
    const knex = await databases.init(databaseId);
    h = await startAccessBackend({ knex });
  });

  afterEach(async () => {
    await h.backend.stop();
  });

  async function submit(body: object, who = 'alice'): Promise<AccessRequest[]> {
    const res = await h.api.post('/requests', body, who);
    expect(res.status).toBe(201);
    return res.body.items;
  }

  async function audit(requestId: string) {
    const res = await h.api.get(
      `/audit?requestId=${requestId}&limit=100`,
      'pat',
    );
    expect(res.status).toBe(200);
    return (res.body.items as any[]).reverse();
  }

  it('lets the first matching flow decide and splits a mixed submission per flow and approver set', async () => {
    const items = await submit({
      resources: [
        { entityRef: ORDERS, permissions: ['read'] },
        { entityRef: STAGING, permissions: ['read', 'write'] },
        { entityRef: ANALYTICS, permissions: ['read'] },
        { entityRef: EKS, permissions: ['read'] },
        { entityRef: ORDERS, permissions: ['admin'] },
      ],
      justification: 'incident 42',
    });
    const byFlow = (id: string) => items.filter(i => i.flowId === id);
    expect(new Set(items.map(i => i.groupId)).size).toBe(1);
    // staging is automatic: granted at once, expiring one default duration (1h) later
    expect(byFlow('staging-db')).toHaveLength(1);
    expect(byFlow('staging-db')[0]).toMatchObject({
      status: 'granted',
      resources: [{ entityRef: STAGING, permissions: ['read', 'write'] }],
    });
    const staging = byFlow('staging-db')[0];
    expect(
      Date.parse(staging.expiresAt!) - Date.parse(staging.grantedAt!),
    ).toBe(3600_000);
    // prod-db: orders-db (owner payments + dba) and analytics-db (owner dba) have different approvers
    const prod = byFlow('prod-db');
    expect(prod).toHaveLength(2);
    expect(
      prod.find(p => p.resources[0].entityRef === ORDERS)!.approvers,
    ).toEqual([
      'user:default/dana',
      'user:default/erin',
      'user:default/olivia',
    ]);
    expect(
      prod.find(p => p.resources[0].entityRef === ANALYTICS)!.approvers,
    ).toEqual(['user:default/dana', 'user:default/erin']);
    expect(prod.every(p => p.status === 'pending')).toBe(true);
    // admin on orders-db goes to the later, stricter flow; prod-eks read falls through to the catch-all
    expect(byFlow('prod-db-admin')[0]).toMatchObject({
      requiredApprovals: 2,
      resources: [{ entityRef: ORDERS, permissions: ['admin'] }],
    });
    expect(byFlow('any-resource')[0]).toMatchObject({
      approvers: ['user:default/sam'],
      resources: [{ entityRef: EKS, permissions: ['read'] }],
    });
    expect(items).toHaveLength(5);
    // approvers were told
    expect(
      h.sent.notifications.some(n =>
        n.recipients.entityRef.includes('user:default/olivia'),
      ),
    ).toBe(true);
  });

  it('previews the deciding flow, approvers and duration without creating anything', async () => {
    const res = await h.api.post('/requests/preview', {
      resources: [
        { entityRef: ORDERS, permissions: ['read'] },
        { entityRef: STAGING, permissions: ['read'] },
      ],
      durationSeconds: 7200,
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        entityRef: ORDERS,
        flowId: 'prod-db',
        autoApproved: false,
        requiredApprovals: 1,
        durationSeconds: 7200,
        maxDurationSeconds: 28800,
        justificationRequired: true,
      }),
      expect.objectContaining({
        entityRef: STAGING,
        flowId: 'staging-db',
        autoApproved: true,
        approvers: [],
      }),
    ]);
    const mine = await h.api.get('/requests?view=mine');
    expect(mine.body.items).toEqual([]);
  });

  it('needs N distinct approvals (N of M) and never counts the same approver twice', async () => {
    const [r] = await submit({
      resources: [{ entityRef: ORDERS, permissions: ['admin'] }],
      justification: 'migration',
    });
    const first = await h.api.post(
      `/requests/${r.id}/approve`,
      { comment: 'ok' },
      'dana',
    );
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('pending');
    expect(
      (await h.api.post(`/requests/${r.id}/approve`, {}, 'dana')).status,
    ).toBe(409);
    // olivia owns orders-db but is not an approver of the admin flow
    expect(
      (await h.api.post(`/requests/${r.id}/approve`, {}, 'olivia')).status,
    ).toBe(403);
    const second = await h.api.post(`/requests/${r.id}/approve`, {}, 'erin');
    expect(second.body.status).toBe('granted');
    expect(second.body.approvals.map((a: any) => a.approver)).toEqual([
      'user:default/dana',
      'user:default/erin',
    ]);
    expect(
      Date.parse(second.body.expiresAt) - Date.parse(second.body.grantedAt),
    ).toBe(1800_000);
    const trail = await audit(r.id);
    expect(trail.map(e => e.action)).toEqual([
      'request-submitted',
      'approval-recorded',
      'request-approved',
      'access-granted',
    ]);
    expect(
      trail
        .filter(e => e.toStatus)
        .map(e => `${e.fromStatus ?? ''}>${e.toStatus}`),
    ).toEqual(['>pending', 'pending>granting', 'granting>granted']);
  });

  it('refuses self-approval and lets another approver decide', async () => {
    // dana is not in engineering: the catch-all flow decides, and its approvers are the owners (dba = dana, erin)
    const [r] = await submit(
      {
        resources: [{ entityRef: ANALYTICS, permissions: ['read'] }],
        justification: 'report',
      },
      'dana',
    );
    expect(r.flowId).toBe('any-resource');
    const self = await h.api.post(`/requests/${r.id}/approve`, {}, 'dana');
    expect(self.status).toBe(403);
    expect(self.body.error.message).toMatch(/your own/);
    const ok = await h.api.post(`/requests/${r.id}/approve`, {}, 'erin');
    expect(ok.body.status).toBe('granted');
    // dana does not see her own request in her approvals queue
    const queue = await h.api.get('/requests?view=approvals', 'dana');
    expect(queue.body.items.map((i: any) => i.id)).not.toContain(r.id);
  });

  it("keeps an approver's queue to what waits for them, newest first, page by page", async () => {
    const ids: string[] = [];
    for (const why of ['one', 'two', 'three']) {
      const [r] = await submit({
        resources: [{ entityRef: ORDERS, permissions: ['read'] }],
        justification: why,
      });
      ids.push(r.id);
      h.clock.advance(1);
    }
    const queue = async (query = '') =>
      (await h.api.get(`/requests?view=approvals${query}`, 'dana')).body;
    const first = await queue('&limit=2');
    expect(first.items.map((i: any) => i.id)).toEqual([ids[2], ids[1]]);
    const second = await queue(`&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i: any) => i.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeUndefined();

    await h.api.post(`/requests/${ids[1]}/approve`, {}, 'dana').expect(200);
    expect((await queue()).items.map((i: any) => i.id)).toEqual([
      ids[2],
      ids[0],
    ]);
    // An extension of the granted one puts it back in the queue.
    await h.api
      .post(`/requests/${ids[1]}/extend`, {
        durationSeconds: 600,
        justification: 'longer',
      })
      .expect(200);
    expect((await queue()).items.map((i: any) => i.id)).toEqual(ids.reverse());
  });

  it('rejects with a required reason that the requester sees', async () => {
    const [r] = await submit({
      resources: [{ entityRef: ORDERS, permissions: ['write'] }],
      justification: 'fix data',
    });
    expect(
      (await h.api.post(`/requests/${r.id}/reject`, {}, 'dana')).status,
    ).toBe(400);
    const res = await h.api.post(
      `/requests/${r.id}/reject`,
      { reason: 'use the staging copy' },
      'dana',
    );
    expect(res.body).toMatchObject({
      status: 'rejected',
      endReason: 'use the staging copy',
    });
    expect(
      (await h.api.post(`/requests/${r.id}/approve`, {}, 'erin')).status,
    ).toBe(409);
    expect(
      h.sent.notifications.some(
        n =>
          n.recipients.entityRef === 'user:default/alice' &&
          /rejected/i.test(n.payload.title),
      ),
    ).toBe(true);
  });

  it('lets the requester cancel a pending request, and nobody else', async () => {
    const [r] = await submit({
      resources: [{ entityRef: ORDERS, permissions: ['read'] }],
      justification: 'x',
    });
    expect(
      (await h.api.post(`/requests/${r.id}/cancel`, {}, 'bob')).status,
    ).toBe(403);
    const res = await h.api.post(`/requests/${r.id}/cancel`, {}, 'alice');
    expect(res.body.status).toBe('cancelled');
    expect(
      (await h.api.post(`/requests/${r.id}/cancel`, {}, 'alice')).status,
    ).toBe(409);
  });

  it('lets the holder, an approver or an admin revoke, and nobody else', async () => {
    const items = await submit({
      resources: [{ entityRef: STAGING, permissions: ['read'] }],
    });
    const [r] = items;
    expect(r.status).toBe('granted');
    expect(
      (await h.api.post(`/requests/${r.id}/revoke`, {}, 'bob')).status,
    ).toBe(403);
    const res = await h.api.post(
      `/requests/${r.id}/revoke`,
      { reason: 'done early' },
      'alice',
    );
    expect(res.body).toMatchObject({
      status: 'revoked',
      endReason: 'done early',
    });
    expect(
      (await h.api.post(`/requests/${r.id}/revoke`, {}, 'alice')).status,
    ).toBe(409);

    const [other] = await submit({
      resources: [{ entityRef: STAGING, permissions: ['write'] }],
    });
    const byAdmin = await h.api.post(`/requests/${other.id}/revoke`, {}, 'pat');
    expect(byAdmin.body).toMatchObject({
      status: 'revoked',
      endReason: 'Revoked by user:default/pat',
    });
  });

  it('requests again from an ended request with a new justification', async () => {
    const [r] = await submit({
      resources: [{ entityRef: ORDERS, permissions: ['read'] }],
      justification: 'first',
      durationSeconds: 7200,
    });
    await h.api.post(`/requests/${r.id}/cancel`, {}, 'alice');
    expect(
      (
        await h.api.post(
          `/requests/${r.id}/again`,
          { justification: 'second' },
          'bob',
        )
      ).status,
    ).toBe(403);
    const res = await h.api.post(`/requests/${r.id}/again`, {
      justification: 'second',
    });
    expect(res.status).toBe(201);
    expect(res.body.items[0]).toMatchObject({
      againOf: r.id,
      justification: 'second',
      status: 'pending',
      durationSeconds: 7200,
      resources: r.resources,
    });
    // a flow that requires a justification refuses an empty one
    const empty = await h.api.post(`/requests/${r.id}/again`, {
      justification: '',
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/justification/);
  });

  it('extends active access without a new grant, at most the allowed number of times', async () => {
    const [r] = await submit({
      resources: [{ entityRef: ORDERS, permissions: ['read'] }],
      justification: 'debug',
    });
    const granted = (await h.api.post(`/requests/${r.id}/approve`, {}, 'dana'))
      .body;
    h.clock.advance(1800);
    const asked = await h.api.post(`/requests/${r.id}/extend`, {
      durationSeconds: 3600,
      justification: 'still debugging',
    });
    expect(asked.status).toBe(200);
    expect(asked.body.extension).toMatchObject({
      status: 'pending',
      durationSeconds: 3600,
    });
    expect(asked.body.expiresAt).toBe(granted.expiresAt);
    expect(
      (await h.api.get('/requests?view=approvals', 'erin')).body.items.map(
        (i: any) => i.id,
      ),
    ).toContain(r.id);
    const approved = await h.api.post(`/requests/${r.id}/approve`, {}, 'erin');
    expect(approved.body).toMatchObject({
      status: 'granted',
      grantedAt: granted.grantedAt,
      extensionsUsed: 1,
      extension: { status: 'approved' },
    });
    expect(
      Date.parse(approved.body.expiresAt) - Date.parse(granted.expiresAt),
    ).toBe(3600_000);
    const again = await h.api.post(`/requests/${r.id}/extend`, {
      durationSeconds: 600,
      justification: 'more',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already extended 1 time/);
    const tooLong = await h.api.post(
      `/requests/${
        (
          await submit({
            resources: [{ entityRef: STAGING, permissions: ['read'] }],
          })
        )[0].id
      }/extend`,
      { durationSeconds: 5 * 3600, justification: '' },
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/durationSeconds/);
  });

  it('applies an extension at once on an automatic flow, and only for the holder', async () => {
    const [r] = await submit({
      resources: [{ entityRef: STAGING, permissions: ['read'] }],
    });
    expect(
      (
        await h.api.post(
          `/requests/${r.id}/extend`,
          { durationSeconds: 600, justification: '' },
          'bob',
        )
      ).status,
    ).toBe(403);
    const res = await h.api.post(`/requests/${r.id}/extend`, {
      durationSeconds: 600,
      justification: '',
    });
    expect(Date.parse(res.body.expiresAt) - Date.parse(r.expiresAt!)).toBe(
      600_000,
    );
    expect(res.body.extensionsUsed).toBe(1);
  });

  it('ends grants through the expiry task only once the provisioner confirmed, and never twice', async () => {
    const [r] = await submit({
      resources: [{ entityRef: STAGING, permissions: ['read'] }],
      durationSeconds: 600,
    });
    await h.scheduler.run(EXPIRY_TASK_ID);
    expect((await h.api.get(`/requests/${r.id}`)).body.status).toBe('granted');
    h.clock.advance(601);
    await h.scheduler.run(EXPIRY_TASK_ID);
    const after = (await h.api.get(`/requests/${r.id}`)).body;
    expect(after).toMatchObject({
      status: 'expired',
      endReason: 'Access expired',
    });
    await h.scheduler.run(EXPIRY_TASK_ID);
    const trail = await audit(r.id);
    expect(trail.filter(e => e.action === 'access-expired')).toHaveLength(1);
    // an expired grant can no longer be extended
    expect(
      (
        await h.api.post(`/requests/${r.id}/extend`, {
          durationSeconds: 60,
          justification: '',
        })
      ).status,
    ).toBe(409);
  });

  it('expires pending requests nobody decided after the pending timeout', async () => {
    const [r] = await submit({
      resources: [{ entityRef: ORDERS, permissions: ['read'] }],
      justification: 'x',
    });
    h.clock.advance(6 * 86400);
    await h.scheduler.run(PENDING_TIMEOUT_TASK_ID);
    expect((await h.api.get(`/requests/${r.id}`)).body.status).toBe('pending');
    h.clock.advance(86400);
    await h.scheduler.run(PENDING_TIMEOUT_TASK_ID);
    expect((await h.api.get(`/requests/${r.id}`)).body).toMatchObject({
      status: 'expired',
      endReason: 'Nobody decided within 7d',
    });
  });

  it('grants break-glass at once, raises a high-severity audit event and asks for a review', async () => {
    const noReason = await h.api.post(
      '/requests',
      { resources: [{ entityRef: EKS, permissions: ['cluster-admin'] }] },
      'sam',
    );
    expect(noReason.status).toBe(400);
    const [r] = await submit(
      {
        resources: [{ entityRef: EKS, permissions: ['cluster-admin'] }],
        justification: 'SEV1: API down',
      },
      'sam',
    );
    expect(r).toMatchObject({
      status: 'granted',
      breakGlass: true,
      review: { status: 'pending' },
    });
    const trail = await audit(r.id);
    expect(trail.find(e => e.action === 'breakglass-granted')).toMatchObject({
      severity: 'high',
    });
    expect(
      h.sent.notifications.some(
        n =>
          n.recipients.entityRef.includes('user:default/pat') &&
          /review/.test(n.payload.title),
      ),
    ).toBe(true);
    const queue = await h.api.get('/requests?view=approvals', 'pat');
    expect(queue.body.items.map((i: any) => i.id)).toEqual([r.id]);
    const ack = await h.api.post(
      `/requests/${r.id}/approve`,
      { comment: 'justified' },
      'pat',
    );
    expect(ack.body).toMatchObject({
      status: 'granted',
      review: { status: 'acknowledged', reviewer: 'user:default/pat' },
    });

    const [r2] = await submit(
      {
        resources: [{ entityRef: EKS, permissions: ['cluster-admin'] }],
        justification: 'curious',
      },
      'sam',
    );
    const revoked = await h.api.post(
      `/requests/${r2.id}/reject`,
      { reason: 'not an incident' },
      'pat',
    );
    expect(revoked.body).toMatchObject({
      status: 'revoked',
      review: { status: 'revoked' },
    });
  });

  it('stars requests and lists favourites', async () => {
    const [r] = await submit({
      resources: [{ entityRef: STAGING, permissions: ['read'] }],
    });
    expect((await h.api.put(`/requests/${r.id}/favorite`)).body.favorite).toBe(
      true,
    );
    expect(
      (await h.api.get('/requests?view=favorites')).body.items.map(
        (i: any) => i.id,
      ),
    ).toEqual([r.id]);
    expect((await h.api.put(`/requests/${r.id}/favorite`, 'bob')).status).toBe(
      403,
    );
    expect(
      (await h.api.delete(`/requests/${r.id}/favorite`)).body.favorite,
    ).toBe(false);
    expect((await h.api.get('/requests?view=favorites')).body.items).toEqual(
      [],
    );
  });

  it('pages my requests newest first with a cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await submit({
        resources: [{ entityRef: STAGING, permissions: ['read'] }],
      });
      h.clock.advance(1);
    }
    const first = await h.api.get('/requests?view=mine&limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await h.api.get(
      `/requests?view=mine&limit=2&cursor=${first.body.nextCursor}`,
    );
    const third = await h.api.get(
      `/requests?view=mine&limit=2&cursor=${second.body.nextCursor}`,
    );
    expect(third.body.items).toHaveLength(1);
    expect(third.body.nextCursor).toBeUndefined();
    const ids = [
      ...first.body.items,
      ...second.body.items,
      ...third.body.items,
    ].map((i: any) => i.createdAt);
    expect([...ids].sort().reverse()).toEqual(ids);
    const granted = await h.api.get(
      '/requests?view=mine&status=granted,expired',
    );
    expect(granted.body.items).toHaveLength(5);
  });

  it('submits a bundle, or a part of it', async () => {
    const all = await submit({
      bundleId: 'incident-kit',
      justification: 'SEV2',
    });
    expect(all.flatMap(i => i.resources.map(x => x.entityRef)).sort()).toEqual(
      [ORDERS, EKS].sort(),
    );
    const part = await submit({
      bundleId: 'incident-kit',
      resources: [{ entityRef: ORDERS, permissions: ['read'] }],
      justification: 'SEV2',
    });
    expect(part).toHaveLength(1);
    const outside = await h.api.post('/requests', {
      bundleId: 'incident-kit',
      resources: [{ entityRef: ANALYTICS, permissions: ['read'] }],
      justification: 'x',
    });
    expect(outside.status).toBe(400);
    expect(outside.body.error.message).toMatch(
      /resources\[0\]: not part of bundle/,
    );
  });

  it('keeps a break-glass review open after the access ended, and the holder cannot close it', async () => {
    const [r] = await submit(
      {
        resources: [{ entityRef: EKS, permissions: ['cluster-admin'] }],
        justification: 'SEV1',
        durationSeconds: 600,
      },
      'sam',
    );
    // the holder revoking their own access is not a review
    const own = await h.api.post(`/requests/${r.id}/revoke`, {}, 'sam');
    expect(own.body).toMatchObject({
      status: 'revoked',
      review: { status: 'pending' },
    });
    expect(
      (await h.api.get('/requests?view=approvals', 'pat')).body.items.map(
        (i: any) => i.id,
      ),
    ).toContain(r.id);
    const rejected = await h.api.post(
      `/requests/${r.id}/reject`,
      { reason: 'no incident on record' },
      'pat',
    );
    expect(rejected.body).toMatchObject({
      status: 'revoked',
      review: { status: 'rejected', reviewer: 'user:default/pat' },
    });

    const [r2] = await submit(
      {
        resources: [{ entityRef: EKS, permissions: ['cluster-admin'] }],
        justification: 'SEV2',
        durationSeconds: 600,
      },
      'sam',
    );
    h.clock.advance(601);
    await h.scheduler.run(EXPIRY_TASK_ID);
    const ack = await h.api.post(`/requests/${r2.id}/approve`, {}, 'pat');
    expect(ack.body).toMatchObject({
      status: 'expired',
      review: { status: 'acknowledged' },
    });
  });

  it('refuses a rejection from an approver who already approved', async () => {
    const [r] = await submit({
      resources: [{ entityRef: ORDERS, permissions: ['admin'] }],
      justification: 'x',
    });
    await h.api.post(`/requests/${r.id}/approve`, {}, 'dana');
    const res = await h.api.post(
      `/requests/${r.id}/reject`,
      { reason: 'changed my mind' },
      'dana',
    );
    expect(res.status).toBe(409);
    expect((await h.api.get(`/requests/${r.id}`)).body.status).toBe('pending');
  });

  it('closes a pending extension when the access is revoked', async () => {
    const [r] = await submit({
      resources: [{ entityRef: ORDERS, permissions: ['read'] }],
      justification: 'x',
    });
    await h.api.post(`/requests/${r.id}/approve`, {}, 'dana');
    await h.api.post(`/requests/${r.id}/extend`, {
      durationSeconds: 600,
      justification: 'more',
    });
    const res = await h.api.post(`/requests/${r.id}/revoke`, {}, 'alice');
    expect(res.body).toMatchObject({
      status: 'revoked',
      extension: { status: 'rejected', reason: 'Access revoked' },
    });
    expect(
      (await h.api.get('/requests?view=approvals', 'dana')).body.items.map(
        (i: any) => i.id,
      ),
    ).not.toContain(r.id);
  });
});
