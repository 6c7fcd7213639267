import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { createPostgresProvisionerFactory } from './factory';
import { readPostgresProvisionerConfig } from './config';

const target = {
  host: 'db.internal',
  database: 'orders',
  user: 'jit_admin',
  password: 'admin-secret',
};
const valid = {
  type: 'postgres',
  targets: { 'orders-prod': target },
  permissions: { read: ['app_readonly'], write: 'app_readwrite' },
};

function create(config: object) {
  return createPostgresProvisionerFactory().create({
    id: 'orders-pg',
    config: new ConfigReader(config),
    logger: mockServices.logger.mock(),
  });
}

describe('the postgres provisioner config', () => {
  it('reads targets, permissions and the defaults', () => {
    const settings = readPostgresProvisionerConfig(new ConfigReader(valid));
    expect([...settings.targets.values()]).toEqual([
      {
        name: 'orders-prod',
        port: 5432,
        ssl: undefined,
        ...target,
      },
    ]);
    expect(Object.fromEntries(settings.permissions)).toEqual({
      read: ['app_readonly'],
      write: ['app_readwrite'],
    });
    expect(settings.rolePrefix).toBe('jit_');
    expect(settings.connectionLimit).toBe(5);
  });

  it('reads port, ssl, rolePrefix and connectionLimit (also as strings from env)', () => {
    const settings = readPostgresProvisionerConfig(
      new ConfigReader({
        ...valid,
        targets: {
          a: { ...target, port: '6432', ssl: 'true' },
          b: { ...target, ssl: { rejectUnauthorized: false, ca: 'PEM' } },
        },
        rolePrefix: 'tmp_',
        connectionLimit: 2,
      }),
    );
    expect(settings.targets.get('a')).toMatchObject({ port: 6432, ssl: true });
    expect(settings.targets.get('b')?.ssl).toEqual({
      rejectUnauthorized: false,
      ca: 'PEM',
    });
    expect(settings.rolePrefix).toBe('tmp_');
    expect(settings.connectionLimit).toBe(2);
  });

  it.each([
    [{ ...valid, targets: undefined }, /^targets: at least one target/],
    [{ ...valid, targets: {} }, /^targets: at least one target/],
    [
      { ...valid, targets: { 'orders-prod': { ...target, host: undefined } } },
      /'targets\.orders-prod\.host'/,
    ],
    [
      { ...valid, targets: { 'orders-prod': { ...target, host: ' ' } } },
      /^targets\.orders-prod\.host: is empty/,
    ],
    [
      {
        ...valid,
        targets: { 'orders-prod': { ...target, database: undefined } },
      },
      /'targets\.orders-prod\.database'/,
    ],
    [
      { ...valid, targets: { 'orders-prod': { ...target, user: undefined } } },
      /'targets\.orders-prod\.user'/,
    ],
    [
      { ...valid, targets: { 'orders-prod': { ...target, port: 70000 } } },
      /^targets\.orders-prod\.port: must be a TCP port/,
    ],
    [
      { ...valid, targets: { 'orders-prod': { ...target, port: 'five' } } },
      /'targets\.orders-prod\.port'/,
    ],
    [
      { ...valid, targets: { 'orders-prod': { ...target, ssl: 'maybe' } } },
      /'targets\.orders-prod\.ssl'/,
    ],
    [{ ...valid, permissions: undefined }, /^permissions: map each permission/],
    [{ ...valid, permissions: { read: [] } }, /^permissions\.read: must list/],
    [
      { ...valid, permissions: { read: ['app_readonly', ''] } },
      /^permissions\.read\[1\]: must be a database role name/,
    ],
    [
      { ...valid, permissions: { read: 'who?' } },
      /^permissions\.read: "who\?" must not contain "\?"/,
    ],
    [
      { ...valid, permissions: { read: 'x'.repeat(64) } },
      /^permissions\.read: .* longer than 63/,
    ],
    [
      { ...valid, rolePrefix: 'Bad-Prefix' },
      /^rolePrefix: "Bad-Prefix" must be/,
    ],
    [{ ...valid, rolePrefix: 'pg_jit_' }, /^rolePrefix: .*reserved/],
    [{ ...valid, connectionLimit: 0 }, /^connectionLimit: must be/],
  ])('refuses %j naming the key', async (config, message) => {
    await expect(async () => create(config)).rejects.toThrow(message);
  });

  it('names the full key when given the config where the core finds it', async () => {
    const root = new ConfigReader({
      access: {
        provisioners: {
          'orders-pg': {
            ...valid,
            targets: { 'orders-prod': { ...target, host: undefined } },
          },
        },
      },
    });
    await expect(async () =>
      createPostgresProvisionerFactory().create({
        id: 'orders-pg',
        config: root.getConfig('access.provisioners.orders-pg'),
        logger: mockServices.logger.mock(),
      }),
    ).rejects.toThrow(
      "'access.provisioners.orders-pg.targets.orders-prod.host'",
    );
  });
});
