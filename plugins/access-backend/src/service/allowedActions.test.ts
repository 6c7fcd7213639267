import { AccessRequestAction } from '@jit-access/plugin-access-common';
import {
  createTestDatabases,
  EKS,
  FLOWS,
  ORDERS,
  STAGING,
  startAccessBackend,
} from '../__testUtils__/harness';
import { spec } from '../schema/openapi/generated/spec';

jest.setTimeout(120_000);

/*
 * `allowedActions` is what the pages offer, so it must say exactly what the API then
 * lets the caller do: for each kind of request and each kind of caller, every action is
 * tried on a fresh request in that state, and it succeeds if and only if it was listed.
 */

// Who may do what does not depend on the database engine: SQLite only.
const databases = createTestDatabases();

/** Every action the API names, so that a new one is tested as soon as it is added. */
const ACTIONS: readonly AccessRequestAction[] =
  spec.components.schemas.AccessRequestAction.enum;
/** alice and bob request; dana and erin are DBAs, olivia owns orders-db, pat is an admin, sam an SRE. */
const CALLERS = ['alice', 'bob', 'dana', 'erin', 'olivia', 'pat', 'sam'];

describe('allowed actions', () => {
  let h: Awaited<ReturnType<typeof startAccessBackend>>;

  beforeAll(async () => {
    h = await startAccessBackend({
      knex: await databases.init('SQLITE_3'),
      access: {
        flows: FLOWS,
        limits: { submissionsPerMinute: false, openPendingPerUser: false },
      },
    });
  });
  afterAll(async () => {
    await h.backend.stop();
  });

  async function submit(who: string, entityRef: string, permission: string) {
    const res = await h.api.post(
      '/requests',
      {
        resources: [{ entityRef, permissions: [permission] }],
        justification: 'INC-7',
        durationSeconds: 1800,
      },
      who,
    );
    expect(res.status).toBe(201);
    return res.body.items[0].id as string;
  }

  async function ok(call: Promise<{ status: number; body: any }>) {
    const res = await call;
    expect(res.status).toBeLessThan(300);
    return res.body;
  }

  /** Makes a fresh request in each state and returns its id. */
  const STATES: Record<string, () => Promise<string>> = {
    'pending, manual': () => submit('alice', ORDERS, 'read'),
    'granted, automatic': () => submit('alice', STAGING, 'read'),
    'granted, extension waiting': async () => {
      const id = await submit('alice', ORDERS, 'read');
      await ok(h.api.post(`/requests/${id}/approve`, {}, 'dana'));
      await ok(
        h.api.post(
          `/requests/${id}/extend`,
          { durationSeconds: 600, justification: 'more' },
          'alice',
        ),
      );
      return id;
    },
    'granted, extension waiting, run out': async () => {
      const id = await STATES['granted, extension waiting']();
      // Past its end, before the expiry task ended it: the extension can no longer be approved.
      h.clock.advance(1801);
      return id;
    },
    'break-glass, review open': () => submit('sam', EKS, 'cluster-admin'),
    revoked: async () => {
      const id = await submit('alice', STAGING, 'read');
      await ok(h.api.post(`/requests/${id}/revoke`, {}, 'alice'));
      return id;
    },
  };

  function act(action: AccessRequestAction, id: string, who: string) {
    const path = `/requests/${id}`;
    switch (action) {
      case 'approve':
        return h.api.post(`${path}/approve`, {}, who);
      case 'reject':
        return h.api.post(`${path}/reject`, { reason: 'no' }, who);
      case 'cancel':
        return h.api.post(`${path}/cancel`, {}, who);
      case 'revoke':
        return h.api.post(`${path}/revoke`, {}, who);
      case 'extend':
        return h.api.post(
          `${path}/extend`,
          { durationSeconds: 600, justification: 'more' },
          who,
        );
      case 'again':
        return h.api.post(`${path}/again`, { justification: 'again' }, who);
      case 'favorite':
        return h.api.put(`${path}/favorite`, who);
      default:
        throw new Error(`No call for the action "${action}": add one here`);
    }
  }

  it.each(Object.keys(STATES))(
    'lists exactly what the API then allows: %s',
    async state => {
      const wrong: string[] = [];
      const seen: Record<string, AccessRequestAction[]> = {};
      for (const who of CALLERS) {
        const view = await h.api.get(`/requests/${await STATES[state]()}`, who);
        if (view.status === 403) continue;
        expect(view.status).toBe(200);
        const listed: AccessRequestAction[] = view.body.allowedActions;
        seen[who] = listed;
        for (const action of ACTIONS) {
          const res = await act(action, await STATES[state](), who);
          // Refused means 403 or 409, never a 400 or 500.
          const allowed = res.status < 300;
          if (
            allowed !== listed.includes(action) ||
            (!allowed && ![403, 409].includes(res.status))
          )
            wrong.push(
              `${who} ${action}: listed ${listed.includes(action)}, answered ${
                res.status
              } ${res.body?.error?.message ?? ''}`,
            );
        }
      }
      expect(wrong).toEqual([]);
      // The states are what they claim to be: someone may do something with each.
      expect(Object.values(seen).flat().length).toBeGreaterThan(0);
    },
  );

  it('says what a request waits for and which end is under way', async () => {
    const pending = await h.api.get(
      `/requests/${await STATES['pending, manual']()}`,
    );
    expect(pending.body).toMatchObject({
      status: 'pending',
      awaiting: 'request',
    });
    const extending = await h.api.get(
      `/requests/${await STATES['granted, extension waiting']()}`,
    );
    expect(extending.body).toMatchObject({
      status: 'granted',
      awaiting: 'extension',
    });
    expect(extending.body.ending).toBeUndefined();
    const glass = await h.api.get(
      `/requests/${await STATES['break-glass, review open']()}`,
      'sam',
    );
    expect(glass.body).toMatchObject({ status: 'granted', awaiting: 'review' });
  });
});
