import { Knex } from 'knex';
import { AccessProvisioner } from '@jit-access/plugin-access-node';
import {
  connect,
  createTestDatabase,
  describeIfPostgres,
  grantRequest,
  logger,
  provisionerConfig,
  resourceEntity,
  serverParams,
  TestDatabase,
} from './__testUtils__/testPostgres';
import { createPostgresProvisionerFactory } from './factory';
import { loginRoleName } from './roleName';
import { scramVerifierMatches } from './secrets';

jest.setTimeout(60_000);

const describePostgres = describeIfPostgres('the postgres provisioner');

describePostgres('the postgres provisioner', () => {
  let t: TestDatabase;
  const sessions: Knex[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map(s => s.destroy()));
  });

  /** A new connection with the granted credentials. */
  function login(details: Record<string, string>, prefix = '') {
    const db = connect(details[`${prefix}database`], {
      user: details[`${prefix}user`],
      password: details[`${prefix}password`],
    });
    sessions.push(db);
    return db;
  }

  async function role(name: string) {
    const { rows } = await t.server.raw(
      `SELECT rolname, rolvaliduntil, rolconnlimit, rolcanlogin, rolsuper, rolcreaterole,
              rolcreatedb, rolreplication, rolbypassrls, rolpassword,
              shobj_description(oid, 'pg_authid') AS comment
         FROM pg_authid WHERE rolname = ?`,
      [name],
    );
    return rows[0] as
      | {
          rolvaliduntil: Date | null;
          rolconnlimit: number;
          rolcanlogin: boolean;
          rolsuper: boolean;
          rolcreaterole: boolean;
          rolcreatedb: boolean;
          rolreplication: boolean;
          rolbypassrls: boolean;
          rolpassword: string;
          comment: string;
        }
      | undefined;
  }

  /** How many login roles exist for a request (on any target). */
  async function rolesOf(requestId: string): Promise<string[]> {
    const { rows } = await t.server.raw(
      `SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE ? ORDER BY rolname`,
      [`JIT Access request ${requestId} %`],
    );
    return rows.map((r: { rolname: string }) => r.rolname);
  }

  const admins: Array<[string, () => { user: string; password?: string }]> = [
    ['the superuser', () => serverParams()],
    [
      'an admin with only CREATEROLE and ADMIN OPTION on the granted roles',
      () => ({ user: t.limitedAdmin }),
    ],
  ];

  describe.each(admins)('connecting as %s', (_, admin) => {
    let factory: ReturnType<typeof createPostgresProvisionerFactory>;
    let log: ReturnType<typeof logger>;

    function target(extra: object = {}) {
      const server = serverParams();
      return {
        host: server.host,
        port: server.port,
        database: t.name,
        ...admin(),
        ...extra,
      };
    }

    function create(extra: object = {}): Promise<AccessProvisioner> {
      return Promise.resolve(
        factory.create({
          id: 'orders-pg',
          config: provisionerConfig({
            targets: { 'orders-prod': target() },
            permissions: { read: [t.readRole], write: [t.writeRole] },
            ...extra,
          }),
          logger: log,
        }),
      );
    }

    beforeEach(() => {
      factory = createPostgresProvisionerFactory();
      log = logger();
    });
    afterEach(async () => {
      await factory.close();
    });

    it('grants read: the new login can read but not write, and expires with the grant', async () => {
      const p = await create();
      const request = grantRequest({ requestId: t.requestId() });
      const { accessDetails } = await p.grant(request);
      const server = serverParams();
      expect(accessDetails).toEqual({
        host: server.host,
        port: String(server.port),
        database: t.name,
        user: expect.stringMatching(/^jit_alice_[0-9a-f]{10}$/),
        password: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      });

      const as = login(accessDetails!);
      expect(await as('orders').select('item')).toEqual([{ item: 'coffee' }]);
      await expect(as('orders').insert({ id: 2, item: 'tea' })).rejects.toThrow(
        /permission denied for table orders/,
      );
      const current = await as.raw('SELECT current_user AS u');
      expect(current.rows[0].u).toBe(accessDetails!.user);

      const r = (await role(accessDetails!.user))!;
      expect(r.rolvaliduntil?.toISOString()).toBe(request.expiresAt);
      expect(r).toMatchObject({
        rolconnlimit: 5,
        rolcanlogin: true,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
      });
      expect(r.comment).toBe(
        `JIT Access request ${request.requestId} target orders-prod for user:default/alice until ${request.expiresAt}`,
      );
      // trust auth here never checks it, so check the stored SCRAM verifier instead
      expect(r.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
      expect(
        await scramVerifierMatches(r.rolpassword, accessDetails!.password),
      ).toBe(true);
      expect(
        JSON.stringify(
          Object.values(log).map(f => (f as jest.Mock).mock?.calls),
        ),
      ).not.toContain(accessDetails!.password);

      await p.revoke(request);
    });

    it('grants again with the same request id: still one role, with a fresh password', async () => {
      const p = await create();
      const request = grantRequest({ requestId: t.requestId() });
      const first = (await p.grant(request)).accessDetails!;
      const later = new Date(
        Date.parse(request.expiresAt) + 600_000,
      ).toISOString();
      const second = (await p.grant({ ...request, expiresAt: later }))
        .accessDetails!;

      expect(second.user).toBe(first.user);
      expect(second.password).not.toBe(first.password);
      expect(await rolesOf(request.requestId)).toEqual([first.user]);
      const r = (await role(second.user))!;
      expect(await scramVerifierMatches(r.rolpassword, second.password)).toBe(
        true,
      );
      expect(await scramVerifierMatches(r.rolpassword, first.password)).toBe(
        false,
      );
      expect(r.rolvaliduntil?.toISOString()).toBe(later);
      expect(await login(second)('orders').count('* as n')).toEqual([
        { n: '1' },
      ]);

      await p.revoke(request);
    });

    it('extends: moves VALID UNTIL, keeps the password, and refuses when there is no role', async () => {
      const p = await create();
      const request = grantRequest({ requestId: t.requestId() });
      const details = (await p.grant(request)).accessDetails!;
      const later = new Date(
        Date.parse(request.expiresAt) + 3_600_000,
      ).toISOString();
      await p.extend!({ ...request, expiresAt: later });
      await p.extend!({ ...request, expiresAt: later });
      const r = (await role(details.user))!;
      expect(r.rolvaliduntil?.toISOString()).toBe(later);
      expect(await scramVerifierMatches(r.rolpassword, details.password)).toBe(
        true,
      );
      await p.revoke(request);
      await expect(p.extend!({ ...request, expiresAt: later })).rejects.toThrow(
        /No login role .* to extend/,
      );
    });

    it('revokes: ends open sessions and drops the role; revoking again succeeds', async () => {
      const p = await create();
      const request = grantRequest({ requestId: t.requestId() });
      const details = (await p.grant(request)).accessDetails!;
      const open = login(details);
      const { rows } = await open.raw('SELECT pg_backend_pid() AS pid');
      const pid = rows[0].pid;

      await p.revoke(request);

      const alive = await t.server.raw(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ? OR usename = ?',
        [pid, details.user],
      );
      expect(alive.rows[0].n).toBe(0);
      expect(await role(details.user)).toBeUndefined();
      // the open session is gone, and so is the role for any new one
      await expect(open('orders').select()).rejects.toThrow();
      await expect(login(details).raw('SELECT 1')).rejects.toThrow(
        `role "${details.user}" does not exist`,
      );

      await expect(p.revoke(request)).resolves.toBeUndefined();
    });

    /** A request for read and write on the orders database, which may create objects. */
    function writeRequest() {
      return grantRequest({
        requestId: t.requestId(),
        resources: [
          {
            entityRef: 'resource:default/orders-db',
            permissions: ['read', 'write'],
            entity: resourceEntity('orders-db', 'orders-prod'),
          },
        ],
      });
    }

    /**
     * What a hostile grantee leaves behind to keep rights after its access ends: a
     * SECURITY DEFINER function (anyone may execute it) and a view over a table only it
     * may read, granted to PUBLIC.
     */
    async function plantBackdoors(as: Knex, tag: string) {
      await as.raw(
        `CREATE FUNCTION whoami_${tag}() RETURNS text LANGUAGE sql SECURITY DEFINER AS 'SELECT current_user::text'`,
      );
      await as.raw(`CREATE VIEW peek_${tag} AS SELECT * FROM payroll`);
      await as.raw(`GRANT SELECT ON peek_${tag} TO PUBLIC`);
    }

    it('drops what the login created: a later login can neither run its SECURITY DEFINER function nor read through its view', async () => {
      const p = await create();
      const request = writeRequest();
      const details = (await p.grant(request)).accessDetails!;
      const tag = details.user;
      await plantBackdoors(login(details), tag);
      const table = `scratch_${tag}`;
      await login(details).raw(`CREATE TABLE "${table}" (x int)`);

      await p.revoke(request);

      expect(await role(details.user)).toBeUndefined();
      // Read-only access for someone else, later: no way to the payroll.
      const reader = grantRequest({ requestId: t.requestId() });
      const later = login((await p.grant(reader)).accessDetails!);
      await expect(later('payroll').select()).rejects.toThrow(
        /permission denied for table payroll/,
      );
      await expect(later.raw(`SELECT whoami_${tag}()`)).rejects.toThrow(
        `function whoami_${tag}() does not exist`,
      );
      await expect(later.raw(`SELECT * FROM peek_${tag}`)).rejects.toThrow(
        `relation "peek_${tag}" does not exist`,
      );
      // nothing the login made is left, under any owner
      const { rows } = await t.db.raw(
        `SELECT relname AS name FROM pg_class WHERE relname LIKE ?
         UNION ALL SELECT proname FROM pg_proc WHERE proname LIKE ?`,
        [`%${tag}`, `%${tag}`],
      );
      expect(rows).toEqual([]);
      await p.revoke(reader);
    });

    /**
     * A SECURITY DEFINER function reading the payroll as the login, and a view of the
     * login's db role built on it, so that dropping the function alone (RESTRICT) fails.
     */
    async function plantAnchoredPeek(as: Knex, tag: string) {
      await as.raw(
        `CREATE FUNCTION peek_${tag}() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT sum(salary) FROM payroll'`,
      );
      await as.raw(
        `SET ROLE "${t.writeRole}"; CREATE VIEW anchor_${tag} AS SELECT peek_${tag}(); RESET ROLE`,
      );
    }

    it('ends access even when an object of its db role depends on what the login made: the login is gone and its SECURITY DEFINER function with it', async () => {
      const p = await create();
      const request = writeRequest();
      const details = (await p.grant(request)).accessDetails!;
      const tag = details.user;
      await plantAnchoredPeek(login(details), tag);

      await p.revoke(request);

      expect(await role(details.user)).toBeUndefined();
      const reader = grantRequest({ requestId: t.requestId() });
      const later = login((await p.grant(reader)).accessDetails!);
      await expect(later.raw(`SELECT peek_${tag}()`)).rejects.toThrow(
        `function peek_${tag}() does not exist`,
      );
      // the db role's view built on the login's function went with it
      await expect(later.raw(`SELECT * FROM anchor_${tag}`)).rejects.toThrow(
        `relation "anchor_${tag}" does not exist`,
      );
      expect(
        (log.warn as jest.Mock).mock.calls.map(c => c[0]).join('\n'),
      ).toContain(`view anchor_${tag}`);
      await p.revoke(reader);
    });

    it('takes the login out of its roles at once, even when the drop fails: what it made elsewhere runs with no rights', async () => {
      const p = await create();
      const request = writeRequest();
      const details = (await p.grant(request)).accessDetails!;
      const tag = details.user;
      await plantAnchoredPeek(login(details), tag);
      // Something only the write role may read in the other database, and a function there.
      const other = connect(t.otherName);
      sessions.push(other);
      await other.raw(`CREATE TABLE secret_${tag} (s text)`);
      await other.raw(`GRANT SELECT ON secret_${tag} TO "${t.writeRole}"`);
      await login({ ...details, database: t.otherName }).raw(
        `CREATE FUNCTION spy_${tag}() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM secret_${tag}'`,
      );
      await other.destroy();
      await t.server.raw(
        `ALTER DATABASE "${t.otherName}" WITH ALLOW_CONNECTIONS false`,
      );
      try {
        await expect(p.revoke(request)).rejects.toThrow(
          `in database "${t.otherName}"`,
        );
      } finally {
        await t.server.raw(
          `ALTER DATABASE "${t.otherName}" WITH ALLOW_CONNECTIONS true`,
        );
      }
      // The login survives for now, unable to log in: a later login gets nothing through it.
      expect(await role(details.user)).toMatchObject({ rolcanlogin: false });
      const reader = grantRequest({ requestId: t.requestId() });
      const readDetails = (await p.grant(reader)).accessDetails!;
      await expect(
        login(readDetails).raw(`SELECT peek_${tag}()`),
      ).rejects.toThrow(`function peek_${tag}() does not exist`);
      await expect(
        login({ ...readDetails, database: t.otherName }).raw(
          `SELECT spy_${tag}()`,
        ),
      ).rejects.toThrow(`permission denied for table secret_${tag}`);

      // the retry finishes the job
      await p.revoke(request);
      expect(await role(details.user)).toBeUndefined();
      await p.revoke(reader);
    });

    it('warns when a login may create objects, naming where, and not when it may not', async () => {
      const p = await create();
      const writer = writeRequest();
      const details = (await p.grant(writer)).accessDetails!;
      const reader = grantRequest({ requestId: t.requestId() });
      const readDetails = (await p.grant(reader)).accessDetails!;
      const warnings = (log.warn as jest.Mock).mock.calls.map(c => c[0]);
      expect(warnings).toEqual([
        `PostgreSQL login role ${details.user} on target "orders-prod" can create objects (schema public) through PUBLIC or its roles; what it creates lends its rights to others until access ends, and what it creates as one of its roles outlives it: REVOKE CREATE (see the module's README)`,
      ]);
      expect(warnings.join()).not.toContain(readDetails.user);
      await p.revoke(writer);
      await p.revoke(reader);
    });

    it('drops what the login created in other databases of the cluster, so the role can be dropped', async () => {
      const p = await create();
      const request = writeRequest();
      const details = (await p.grant(request)).accessDetails!;
      const tag = details.user;
      const elsewhere = login({ ...details, database: t.otherName });
      await elsewhere.raw(
        `CREATE FUNCTION whoami_${tag}() RETURNS text LANGUAGE sql SECURITY DEFINER AS 'SELECT current_user::text'`,
      );
      await elsewhere.raw(`CREATE TABLE kept_${tag} (x int)`);

      await p.revoke(request);

      expect(await role(details.user)).toBeUndefined();
      const other = connect(t.otherName);
      sessions.push(other);
      const { rows } = await other.raw(
        `SELECT relname AS name FROM pg_class WHERE relname LIKE ?
         UNION ALL SELECT proname FROM pg_proc WHERE proname LIKE ?`,
        [`%${tag}`, `%${tag}`],
      );
      expect(rows).toEqual([]);
      await expect(p.revoke(request)).resolves.toBeUndefined();
    });

    it('makes one role per target and prefixes the details with the target name', async () => {
      const p = await create({
        targets: { 'orders-prod': target(), 'orders-replica': target() },
      });
      const request = grantRequest({
        requestId: t.requestId(),
        resources: [
          {
            entityRef: 'resource:default/orders-db',
            permissions: ['read'],
            entity: resourceEntity('orders-db', 'orders-prod'),
          },
          {
            entityRef: 'resource:default/orders-replica',
            permissions: ['write'],
            entity: resourceEntity('orders-replica', 'orders-replica'),
          },
        ],
      });
      const details = (await p.grant(request)).accessDetails!;
      expect(Object.keys(details).sort()).toEqual(
        ['database', 'host', 'password', 'port', 'user']
          .flatMap(k => [`orders-prod.${k}`, `orders-replica.${k}`])
          .sort(),
      );
      expect(details['orders-prod.user']).not.toBe(
        details['orders-replica.user'],
      );
      expect(await rolesOf(request.requestId)).toEqual(
        [details['orders-prod.user'], details['orders-replica.user']].sort(),
      );
      // read only on one, read-write on the other
      await expect(
        login(details, 'orders-prod.')('orders').insert({ id: 3, item: 'x' }),
      ).rejects.toThrow(/permission denied/);
      await login(
        details,
        'orders-replica.',
      )('orders').insert({ id: 3, item: 'x' });
      await t.db('orders').where({ id: 3 }).delete();

      await p.revoke(request);
      expect(await rolesOf(request.requestId)).toEqual([]);
    });

    it('refuses unknown permissions, entities without a target and unknown targets, changing nothing', async () => {
      const p = await create();
      const requestId = t.requestId();
      const withResource = (resource: object) =>
        grantRequest({
          requestId,
          resources: [
            grantRequest({ requestId }).resources[0],
            {
              entityRef: 'resource:default/x',
              permissions: ['read'],
              ...resource,
            },
          ],
        });

      await expect(
        p.grant(
          withResource({
            permissions: ['admin'],
            entity: resourceEntity('x', 'orders-prod'),
          }),
        ),
      ).rejects.toThrow(
        'Permission "admin" requested on resource:default/x is not configured for the postgres provisioner "orders-pg" (configured: "read", "write")',
      );
      await expect(p.grant(withResource({}))).rejects.toThrow(
        'resource:default/x is not in the catalog, so the postgres provisioner "orders-pg" cannot read its jit-access/postgres-target annotation',
      );
      await expect(
        p.grant(withResource({ entity: resourceEntity('x') })),
      ).rejects.toThrow(
        'resource:default/x has no jit-access/postgres-target annotation naming the database; the postgres provisioner "orders-pg" has the targets "orders-prod"',
      );
      await expect(
        p.grant(withResource({ entity: resourceEntity('x', 'billing') })),
      ).rejects.toThrow(
        'The jit-access/postgres-target annotation of resource:default/x names target "billing", which the postgres provisioner "orders-pg" does not have (targets: "orders-prod")',
      );
      expect(await rolesOf(requestId)).toEqual([]);
    });

    it('revokes on every target when the entity has left the catalog since the grant', async () => {
      const p = await create();
      const request = grantRequest({ requestId: t.requestId() });
      const details = (await p.grant(request)).accessDetails!;
      await p.revoke({
        ...request,
        resources: [{ ...request.resources[0], entity: undefined }],
      });
      expect(await role(details.user)).toBeUndefined();
    });

    it('drops the roles of active grants when their target was renamed in config', async () => {
      const before = await create();
      const request = writeRequest();
      const details = (await before.grant(request)).accessDetails!;
      await plantBackdoors(login(details), details.user);
      await factory.close();

      // The admin renames the target and its annotation; the grant is still active.
      factory = createPostgresProvisionerFactory();
      const after = await Promise.resolve(
        factory.create({
          id: 'orders-pg',
          config: provisionerConfig({
            targets: { 'orders-primary': target() },
            permissions: { read: [t.readRole], write: [t.writeRole] },
          }),
          logger: log,
        }),
      );
      await after.revoke({
        ...request,
        resources: [
          {
            ...request.resources[0],
            entity: resourceEntity('orders-db', 'orders-primary'),
          },
        ],
      });
      expect(await role(details.user)).toBeUndefined();
      expect(await rolesOf(request.requestId)).toEqual([]);
      const { rows } = await t.db.raw(
        'SELECT proname FROM pg_proc WHERE proname = ?',
        [`whoami_${details.user}`],
      );
      expect(rows).toEqual([]);
    });

    it('leaves a role of the same name that it did not create untouched', async () => {
      const p = await create();
      const request = grantRequest({ requestId: t.requestId() });
      const name = loginRoleName({
        rolePrefix: 'jit_',
        requester: request.requester,
        requestId: request.requestId,
        target: 'orders-prod',
      });
      await t.server.raw(`CREATE ROLE "${name}" LOGIN`);
      await t.server.raw(
        `COMMENT ON ROLE "${name}" IS 'JIT Access request ${request.requestId} target elsewhere'`,
      );
      try {
        const refusal = `A role named ${name} exists on target "orders-prod" but was not created by JIT Access for this request; it is left untouched`;
        await expect(p.grant(request)).rejects.toThrow(refusal);
        await expect(p.revoke(request)).rejects.toThrow(refusal);
        expect(await role(name)).toMatchObject({
          rolconnlimit: -1,
          rolvaliduntil: null,
        });
      } finally {
        await t.server.raw(`DROP ROLE "${name}"`);
      }
    });

    it('drops the roles already made when a later target fails', async () => {
      const p = await create({
        targets: {
          'a-orders': target(),
          'b-down': target({ port: 1 }),
        },
      });
      const request = grantRequest({
        requestId: t.requestId(),
        resources: [
          {
            entityRef: 'resource:default/orders-db',
            permissions: ['read'],
            entity: resourceEntity('orders-db', 'a-orders'),
          },
          {
            entityRef: 'resource:default/down-db',
            permissions: ['read'],
            entity: resourceEntity('down-db', 'b-down'),
          },
        ],
      });
      await expect(p.grant(request)).rejects.toThrow(/ECONNREFUSED/);
      expect(await rolesOf(request.requestId)).toEqual([]);
      // the revoke reports the unreachable target (and is retried by the core)
      await expect(p.revoke(request)).rejects.toThrow(
        /Could not drop the login role on target "b-down": .*ECONNREFUSED/,
      );
    });
  });

  it('keeps the password out of errors when the admin may not create roles', async () => {
    const factory = createPostgresProvisionerFactory();
    const log = logger();
    try {
      const p = await factory.create({
        id: 'orders-pg',
        config: provisionerConfig({
          targets: {
            'orders-prod': {
              ...serverParams(),
              database: t.name,
              user: t.powerless,
            },
          },
          permissions: { read: [t.readRole] },
        }),
        logger: log,
      });
      const error = await p
        .grant(grantRequest({ requestId: t.requestId() }))
        .then(
          () => undefined,
          e => e as Error,
        );
      expect(error?.message).toBe('permission denied to create role');
      expect(
        JSON.stringify(
          Object.values(log).map(f => (f as jest.Mock).mock?.calls),
        ),
      ).not.toMatch(/SCRAM|PASSWORD/);
    } finally {
      await factory.close();
    }
  });
});
