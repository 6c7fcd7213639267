import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { startAccessBackend } from '../__testUtils__/harness';

jest.setTimeout(60_000);

// What is logged at start-up does not depend on the database engine: SQLite only.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** A logger for every plugin that records what it is told. */
function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const logger: LoggerService = {
    error: message => void lines.push({ level: 'error', message }),
    warn: message => void lines.push({ level: 'warn', message }),
    info: message => void lines.push({ level: 'info', message }),
    debug: message => void lines.push({ level: 'debug', message }),
    child: () => logger,
  };
  const factory = createServiceFactory({
    service: coreServices.logger,
    deps: {},
    factory: () => logger,
  });
  return { lines, factory };
}

describe('start-up with the permission framework disabled', () => {
  async function start(permission: object | undefined) {
    const logs = recordingLogger();
    const h = await startAccessBackend({
      knex: await databases.init('SQLITE_3'),
      extraFeatures: [logs.factory],
      extraConfig: permission ? { permission } : {},
    });
    await h.backend.stop();
    // Only the errors about the permission framework: other start-up errors are not ours.
    return logs.lines
      .filter(l => l.level === 'error' && l.message.includes('permission'))
      .map(l => l.message);
  }

  it.each([
    ['permission.enabled: false', { enabled: false }],
    ['no permission.enabled', undefined],
  ])('logs an error that every user is an access admin (%s)', async (_, p) => {
    const errors = await start(p);
    expect(errors).toEqual([
      expect.stringContaining('every signed-in user is an access admin'),
    ]);
    expect(errors[0]).toContain('permission.enabled');
  });

  it('logs no such error when permission.enabled is true', async () => {
    expect(await start({ enabled: true })).toEqual([]);
  });
});
