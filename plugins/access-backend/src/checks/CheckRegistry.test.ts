import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AccessCheck,
  AccessCheckContext,
  accessChecksExtensionPoint,
} from '@jit-access/plugin-access-node';
import {
  createTestDatabases,
  startAccessBackend,
} from '../__testUtils__/harness';
import { CheckRegistry } from './CheckRegistry';

const NOW = Date.parse('2026-11-25T10:00:00Z');

const context: Omit<AccessCheckContext, 'signal'> = {
  requestId: 'req-1',
  requester: { ref: 'user:default/alice', email: 'alice@example.com' },
  resources: [{ entityRef: 'resource:default/orders-db', permissions: ['r'] }],
  flow: { id: 'prod-db', title: 'Production databases' },
  justification: 'INC-1',
  durationSeconds: 3600,
};

/** A registry with one check `c` of type `test` that runs `run`. */
async function registryWith(run: AccessCheck['run']) {
  const logger = mockServices.logger.mock();
  const registry = await CheckRegistry.create({
    config: new ConfigReader({ access: { checks: { c: { type: 'test' } } } }),
    checks: [{ id: 'c', type: 'test' }],
    factories: [{ type: 'test', create: () => ({ run }) }],
    logger,
  });
  return { registry, logger };
}

describe('CheckRegistry', () => {
  afterEach(() => jest.useRealTimers());

  it('records a check that answers, with its type and time', async () => {
    const { registry } = await registryWith(async () => ({
      outcome: 'passed',
      detail: 'x'.repeat(600),
    }));
    expect(await registry.run('c', context, () => NOW)).toEqual({
      checkId: 'c',
      type: 'test',
      outcome: 'passed',
      detail: 'x'.repeat(500),
      at: '2026-11-25T10:00:00.000Z',
    });
  });

  it('makes a check slower than 15 s an error, aborts it, and ignores a late pass', async () => {
    jest.useFakeTimers();
    let signal: AbortSignal | undefined;
    let late: (() => void) | undefined;
    const { registry } = await registryWith(
      ctx =>
        new Promise(resolve => {
          signal = ctx.signal;
          late = () => resolve({ outcome: 'passed', detail: 'too late' });
        }),
    );
    const result = registry.run('c', context, () => NOW);
    await jest.advanceTimersByTimeAsync(14_999);
    expect(signal!.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    late!();
    expect(await result).toMatchObject({
      outcome: 'error',
      detail: 'did not answer within 15s',
    });
    expect(signal!.aborted).toBe(true);
  });

  it.each([
    ['an Error', () => Promise.reject(new Error('boom')), 'boom'],
    [
      'synchronously',
      () => {
        throw new Error('sync boom');
      },
      'sync boom',
    ],
    ['a string', () => Promise.reject('just a string'), 'just a string'],
    ['undefined', () => Promise.reject(undefined), 'undefined'],
  ])(
    'makes a check that throws %s an error, and logs it',
    async (_what, run, detail) => {
      const { registry, logger } = await registryWith(run as any);
      expect(await registry.run('c', context, () => NOW)).toMatchObject({
        outcome: 'error',
        detail,
      });
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('check c failed to run'),
      );
    },
  );

  it.each([
    ['nothing', undefined],
    ['null', null],
    ['an unknown outcome', { outcome: 'approved', detail: 'sure' }],
    ['a bare string', 'passed'],
    ['no outcome', { detail: 'passed' }],
  ])('makes a check that answers %s an error', async (_what, answer) => {
    const { registry } = await registryWith(async () => answer as any);
    expect(await registry.run('c', context, () => NOW)).toMatchObject({
      outcome: 'error',
      detail: 'the check gave no valid answer',
    });
  });

  it('makes an unknown check an error', async () => {
    const { registry } = await registryWith(async () => ({
      outcome: 'passed',
      detail: '',
    }));
    expect(await registry.run('nope', context, () => NOW)).toMatchObject({
      type: 'unknown',
      outcome: 'error',
    });
    expect(registry.unverified('c', 'catalog down', NOW)).toEqual({
      checkId: 'c',
      type: 'test',
      outcome: 'error',
      detail: 'catalog down',
      at: '2026-11-25T10:00:00.000Z',
    });
  });

  it('refuses two factories of the same type', async () => {
    const factory = {
      type: 'test',
      create: () => ({
        run: async () => ({ outcome: 'passed' as const, detail: '' }),
      }),
    };
    await expect(
      CheckRegistry.create({
        config: new ConfigReader({}),
        checks: [],
        factories: [factory, { ...factory }],
        logger: mockServices.logger.mock(),
      }),
    ).rejects.toThrow('Check type "test" is registered more than once');
  });
});

describe('registering check types', () => {
  const databases = createTestDatabases();

  const moduleAdding = (moduleId: string, type: string) =>
    createBackendModule({
      pluginId: 'access',
      moduleId,
      register(env) {
        env.registerInit({
          deps: { checks: accessChecksExtensionPoint },
          async init({ checks }) {
            checks.addCheckType({
              type,
              create: () => ({
                run: async () => ({ outcome: 'passed', detail: '' }),
              }),
            });
          },
        });
      },
    });

  it.each([
    ['the built-in webhook type', [moduleAdding('one', 'webhook')], 'webhook'],
    [
      'a type another module added',
      [
        moduleAdding('one', 'change-window'),
        moduleAdding('two', 'change-window'),
      ],
      'change-window',
    ],
  ])('fails at start-up for %s', async (_what, modules, type) => {
    const started = startAccessBackend({
      knex: await databases.init('SQLITE_3'),
      extraFeatures: modules,
    });
    await expect(started).rejects.toThrow(
      `Check type "${type}" is already registered`,
    );
    // a backend that did start must not linger
    await started.then(h => h.backend.stop()).catch(() => undefined);
  });
});
