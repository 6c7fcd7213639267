import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ANNOTATION_ORIGIN_LOCATION, Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
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
  DANA,
  ENTITIES,
  ERIN,
  ORDERS,
  startAccessBackend,
} from '../__testUtils__/harness';
import { readAccessConfig } from '../config/readAccessConfig';
import { RequestRecord } from '../database/types';
import { CatalogDirectory } from '../flows/CatalogDirectory';
import { FlowResolver } from '../flows/FlowResolver';
import { approvalRefused } from './eligibility';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const TRUSTED_ORIGIN = 'url:https://git.example.com/catalog/';

// Two of the DBAs (dana, erin) approve requests and each extension; three extensions.
// "anyone" is open to every requester and grants at once; "trusted" trusts only entities
// registered from TRUSTED_ORIGIN.
const ACCESS = {
  flows: [
    prodDbFlow(
      'two-dbas',
      { type: 'manual', required: 2 },
      { default: '1h', max: '8h', extensions: 3 },
    ),
    {
      ...prodDbFlow(
        'anyone',
        { type: 'automatic' },
        { default: '1h', max: '8h', extensions: 3 },
      ),
      requesters: ['*'],
    },
    trustedFlow(),
    {
      ...prodDbFlow('anyone-manual', { type: 'manual' }),
      requesters: ['*'],
    },
  ],
};

function trustedFlow(namespaces?: string[]) {
  const flow = prodDbFlow(
    'trusted',
    { type: 'manual' },
    { default: '1h', max: '8h', extensions: 3 },
  );
  return {
    ...flow,
    resources: { ...flow.resources, origins: [TRUSTED_ORIGIN], namespaces },
  };
}

/** The entities with orders-db registered from `origin`. */
function ordersFrom(origin: string): Entity[] {
  return ENTITIES.map(e =>
    e.kind === 'Resource' && e.metadata.name === 'orders-db'
      ? {
          ...e,
          metadata: {
            ...e.metadata,
            annotations: { [ANNOTATION_ORIGIN_LOCATION]: origin },
          },
        }
      : e,
  );
}

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

    async function submit(permission = 'two-dbas'): Promise<AccessRequest> {
      const res = await h.api.post('/requests', {
        resources: [{ entityRef: ORDERS, permissions: [permission] }],
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
          `This access cannot be extended: ${ALICE} no longer matches the requesters of flow "two-dbas" in the catalog`,
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

    describe("the requester and the flow's trust are re-checked when access is approved or extended", () => {
      it("refuses to approve a request whose requester left the flow's requesters, and lets it be rejected", async () => {
        const r = await submit();
        changeCatalog(withMemberships(ENTITIES, ALICE, []));
        const res = await approve(r.id, 'dana');
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `Access request ${r.id} cannot be approved: ${ALICE} no longer matches the requesters of flow "two-dbas" in the catalog; it can still be rejected`,
        );
        expect((await h.api.get(`/requests/${r.id}`)).body).toMatchObject({
          status: 'pending',
          approvals: [],
        });
        // back in the group, it can be approved; rejecting never needed the requester
        changeCatalog(ENTITIES);
        expect((await approve(r.id, 'dana')).status).toBe(200);
        changeCatalog(withMemberships(ENTITIES, ALICE, []));
        expect((await reject(r.id, 'erin')).body.status).toBe('rejected');
      });

      it("refuses to approve an extension once the holder left the flow's requesters", async () => {
        const r = await granted();
        await extend(r.id);
        changeCatalog(withMemberships(ENTITIES, ALICE, []));
        expect((await approve(r.id, 'dana')).status).toBe(403);
        const now = (await h.api.get(`/requests/${r.id}`)).body;
        expect(now).toMatchObject({
          expiresAt: r.expiresAt,
          extension: { status: 'pending' },
        });
      });

      it('refuses to extend or approve for a requester deleted from the catalog, even on a flow open to everyone', async () => {
        const open = await submit('anyone');
        expect(open.status).toBe('granted');
        const pending = await submit();
        changeCatalog(ENTITIES.filter(e => e.metadata.name !== 'alice'));

        const res = await extend(open.id);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `This access cannot be extended: ${ALICE} is no longer in the catalog`,
        );
        expect((await h.api.get(`/requests/${open.id}`)).body).toMatchObject({
          expiresAt: open.expiresAt,
          extensionsUsed: 0,
        });
        const approval = await approve(pending.id, 'dana');
        expect(approval.status).toBe(403);
        expect(approval.body.error.message).toBe(
          `Access request ${pending.id} cannot be approved: ${ALICE} is no longer in the catalog; it can still be rejected`,
        );
      });

      it('refuses at once a manual request from a signed-in user the catalog does not know, which no one could approve; an automatic flow still grants', async () => {
        const body = (permission: string) => ({
          resources: [{ entityRef: ORDERS, permissions: [permission] }],
          justification: 'first try',
        });
        const manual = await h.api.post(
          '/requests',
          body('anyone-manual'),
          'ghost',
        );
        expect(manual.status).toBe(403);
        expect(manual.body.error.message).toBe(
          'user:default/ghost is not in the catalog, and an approval checks the requester against the catalog, so no one could approve a request of flow "anyone-manual"; sign in as a user of the catalog',
        );
        expect(
          (await h.api.get('/requests?view=mine', 'ghost')).body.items,
        ).toEqual([]);
        const automatic = await h.api.post(
          '/requests',
          body('anyone'),
          'ghost',
        );
        expect(automatic.status).toBe(201);
        expect(automatic.body.items[0].status).toBe('granted');
        // a catalog user on the same manual flow waits for an approver as before
        const alice = await h.api.post('/requests', body('anyone-manual'));
        expect(alice.status).toBe(201);
        expect(alice.body.items[0].status).toBe('pending');
      });

      it('refuses to approve or extend once an entity comes from a location the flow does not trust', async () => {
        changeCatalog(ordersFrom(`${TRUSTED_ORIGIN}orders.yaml`));
        const held = (await approve((await submit('trusted')).id, 'dana')).body;
        expect(held.status).toBe('granted');
        const waiting = await submit('trusted');

        // orders-db is registered again, from a location anyone can write to
        changeCatalog(ordersFrom('url:https://gist.example.com/orders.yaml'));
        const reason = `${ORDERS} comes from "url:https://gist.example.com/orders.yaml", which is not a location flow "trusted" trusts (trusted: "${TRUSTED_ORIGIN}")`;
        const approval = await approve(waiting.id, 'dana');
        expect(approval.status).toBe(403);
        expect(approval.body.error.message).toBe(
          `Access request ${waiting.id} cannot be approved: ${reason}; it can still be rejected`,
        );
        const extension = await extend(held.id);
        expect(extension.status).toBe(403);
        expect(extension.body.error.message).toBe(
          `This access cannot be extended: ${reason}`,
        );
        expect((await h.api.get(`/requests/${held.id}`)).body).toMatchObject({
          expiresAt: held.expiresAt,
          extensionsUsed: 0,
        });
        expect((await h.api.get(`/requests/${waiting.id}`)).body.status).toBe(
          'pending',
        );
        expect((await reject(waiting.id, 'dana')).body.status).toBe('rejected');
      });

      it('refuses to approve or extend once the entity is relabelled out of the flow', async () => {
        const held = await granted();
        const waiting = await submit();
        // orders-db is relabelled to staging: flow "two-dbas" no longer covers it
        changeCatalog(
          ENTITIES.map(e =>
            e.metadata.name === 'orders-db'
              ? {
                  ...e,
                  metadata: { ...e.metadata, labels: { env: 'staging' } },
                }
              : e,
          ),
        );
        const reason = `flow "two-dbas" no longer governs permission "two-dbas" on ${ORDERS} in the catalog`;
        const approval = await approve(waiting.id, 'dana');
        expect(approval.status).toBe(403);
        expect(approval.body.error.message).toBe(
          `Access request ${waiting.id} cannot be approved: ${reason}; it can still be rejected`,
        );
        expect((await h.api.get(`/requests/${waiting.id}`)).body).toMatchObject(
          { status: 'pending', approvals: [] },
        );
        const extension = await extend(held.id);
        expect(extension.status).toBe(403);
        expect(extension.body.error.message).toBe(
          `This access cannot be extended: ${reason}`,
        );
        expect((await reject(waiting.id, 'dana')).body.status).toBe('rejected');
      });

      it("refuses to approve once the flow no longer trusts the entity's namespace", async () => {
        changeCatalog(ordersFrom(`${TRUSTED_ORIGIN}orders.yaml`));
        const r = await submit('trusted');
        await h.backend.stop();
        // the backend restarts with the flow trusting another namespace only
        h = await startAccessBackend({
          knex,
          access: { flows: [trustedFlow(['production'])] },
          catalog: catalog.factory,
        });
        const res = await approve(r.id, 'dana');
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `Access request ${r.id} cannot be approved: ${ORDERS} is in namespace "default", which flow "trusted" does not trust (trusted: "production"); it can still be rejected`,
        );
      });
    });
  },
);

describe('approving while the checks of a request still run', () => {
  // approve() loads the request before its transaction; the checks may finish in between,
  // so the verdict taken from that load must not depend on what the request awaited then.
  it('refuses the approval of a request loaded before its checks moved it to approval', async () => {
    const { flows } = readAccessConfig(
      new ConfigReader({ access: ACCESS } as any),
      {
        provisionerTypes: [],
        checkTypes: [],
      },
    );
    const catalog = catalogServiceMock({
      entities: withMemberships(ENTITIES, ALICE, []),
    });
    const directory = new CatalogDirectory(catalog, mockServices.auth());
    const loadedWhileChecking = {
      id: 'r1',
      requester: ALICE,
      flowId: 'two-dbas',
      resources: [{ entityRef: ORDERS, permissions: ['two-dbas'] }],
      status: 'pending',
      awaiting: undefined,
      approvers: [DANA, ERIN],
    } as Partial<RequestRecord> as RequestRecord;
    await expect(
      approvalRefused({
        resolver: new FlowResolver(flows, directory),
        directory,
        request: loadedWhileChecking,
        approver: DANA,
      }),
    ).resolves.toBe(
      `Access request r1 cannot be approved: ${ALICE} no longer matches the requesters of flow "two-dbas" in the catalog; it can still be rejected`,
    );
  });
});
