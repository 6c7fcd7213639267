import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AccessEvent,
  AccessEventSink,
  accessEventSinksExtensionPoint,
} from '@jit-access/plugin-access-node';
import {
  createTestDatabases,
  FLOWS,
  startAccessBackend,
} from '../__testUtils__/harness';
import { WEBHOOKS_TASK_ID } from '../tasks/scheduleTasks';
import { eventSinkProblem } from './eventSinks';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const sinkModule = (sink: AccessEventSink) =>
  createBackendModule({
    pluginId: 'access',
    moduleId: `test-sink-${sink.id}`,
    register(reg) {
      reg.registerInit({
        deps: { sinks: accessEventSinksExtensionPoint },
        async init({ sinks }) {
          sinks.addEventSink(sink);
        },
      });
    },
  });

describe('eventSinkProblem', () => {
  const ok: AccessEventSink = {
    id: 'ticketing',
    events: ['request.*', 'access.expired'],
    deliver: async () => {},
  };
  it('accepts a valid sink and names what is wrong with others', () => {
    expect(eventSinkProblem(ok, [])).toBeUndefined();
    expect(eventSinkProblem({ ...ok, id: 'Not Kebab' }, [])).toContain(
      'kebab-case',
    );
    expect(eventSinkProblem(ok, [ok])).toBe('is already registered');
    expect(eventSinkProblem({ ...ok, events: [] }, [])).toContain('events');
    expect(eventSinkProblem({ ...ok, events: ['request.done'] }, [])).toContain(
      'events[0]: unknown event "request.done"',
    );
    expect(eventSinkProblem({ ...ok, timeoutMs: -1 }, [])).toContain(
      'timeoutMs',
    );
  });
});

describe.each(databases.eachSupportedId())('event sinks on %s', databaseId => {
  it('delivers events in order per request, retrying a failure with backoff', async () => {
    const got: AccessEvent[] = [];
    let failNext = 0;
    const h = await startAccessBackend({
      knex: await databases.init(databaseId),
      extraFeatures: [
        sinkModule({
          id: 'recorder',
          events: ['request.*', 'access.*'],
          async deliver(event) {
            if (failNext > 0) {
              failNext--;
              throw new Error('ticketing is down');
            }
            got.push(event);
          },
        }),
      ],
    });
    try {
      const run = () => h.scheduler.run(WEBHOOKS_TASK_ID);
      failNext = 1;
      const res = await h.api
        .post('/requests', {
          resources: [
            { entityRef: 'resource:default/orders-db', permissions: ['read'] },
          ],
          justification: 'INC-1',
        })
        .expect(201);
      const id = res.body.items[0].id;
      await run();
      await new Promise(r => setTimeout(r, 100));
      await run();
      // the first attempt failed: nothing is sent until its backoff passes
      expect(got).toHaveLength(0);
      await h.api.post(`/requests/${id}/approve`, {}, 'dana').expect(200);
      await run();
      expect(got).toHaveLength(0);
      h.clock.advance(3);
      await run();
      expect(got.map(e => e.type)).toEqual([
        'request.created',
        'request.approved',
        'access.granted',
      ]);
      expect(got[2].data.request).toMatchObject({ id, status: 'granted' });
    } finally {
      await h.backend.stop();
    }
  });

  it('refuses to start with a sink whose events are unknown', async () => {
    await expect(
      startAccessBackend({
        knex: await databases.init(databaseId),
        access: { flows: FLOWS },
        extraFeatures: [
          sinkModule({
            id: 'bad',
            events: ['request.done'],
            deliver: async () => {},
          }),
        ],
      }),
    ).rejects.toThrow('Event sink "bad": events[0]: unknown event');
  });
});
