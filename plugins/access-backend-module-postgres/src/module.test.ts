import { randomBytes } from 'node:crypto';
import { startTestBackend } from '@backstage/backend-test-utils';
import {
  AccessProvisionerFactory,
  accessProvisionersExtensionPoint,
} from '@jit-access/plugin-access-node';
import {
  createTestDatabase,
  describeIfPostgres,
  grantRequest,
  logger,
  provisionerConfig,
  resourceEntity,
  serverParams,
  TestDatabase,
} from './__testUtils__/testPostgres';
import accessModulePostgres from '.';

jest.setTimeout(60_000);

/** Starts a backend with the module; returns it and the provisioner types it added. */
async function startWithModule() {
  const factories = new Map<string, AccessProvisionerFactory>();
  const backend = await startTestBackend({
    extensionPoints: [
      [
        accessProvisionersExtensionPoint,
        {
          addProvisionerType: (f: AccessProvisionerFactory) =>
            factories.set(f.type, f),
        },
      ],
    ],
    features: [accessModulePostgres],
  });
  return { backend, factories };
}

describe('the postgres module', () => {
  it('adds the provisioner type postgres', async () => {
    const { backend, factories } = await startWithModule();
    expect([...factories.keys()]).toEqual(['postgres']);
    await backend.stop();
  });
});

const describePostgres = describeIfPostgres(
  'the postgres module with PostgreSQL',
);

describePostgres('the postgres module with PostgreSQL', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('closes its connection pools when the backend stops', async () => {
    const { backend, factories } = await startWithModule();
    const id = `pg-${randomBytes(4).toString('hex')}`;
    const provisioner = await factories.get('postgres')!.create({
      id,
      config: provisionerConfig({
        targets: { main: { ...serverParams(), database: t.name } },
        permissions: { read: [t.readRole] },
      }),
      logger: logger(),
    });
    const request = grantRequest({
      requestId: t.requestId(),
      resources: [
        {
          entityRef: 'resource:default/orders-db',
          permissions: ['read'],
          entity: resourceEntity('orders-db', 'main'),
        },
      ],
    });
    await provisioner.grant(request);
    await provisioner.revoke(request);
    const open = async () =>
      (
        await t.server.raw(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ?',
          [`backstage-jit-access:${id}`],
        )
      ).rows[0].n as number;
    expect(await open()).toBeGreaterThan(0);

    await backend.stop();

    for (let i = 0; i < 50 && (await open()) > 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    expect(await open()).toBe(0);
    await expect(provisioner.grant(request)).rejects.toThrow(
      `The postgres provisioner "${id}" is shut down`,
    );
  });
});
