import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  accessAdminPermission,
  accessAuditReadPermission,
  accessPermissions,
  accessRequestCreatePermission,
} from '@jit-access/plugin-access-common';
import { ACCESS_ADMIN_PERMISSIONS, AccessPermissionPolicy } from './policy';

function user(ref: string, groups: string[] = []): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(ref),
    info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
  };
}

const pat = user('user:default/pat', ['group:default/platform-admins']);
const alice = user('user:default/alice', [
  'group:default/engineering',
  'group:default/payments',
]);
const bob = user('user:default/bob', ['group:default/sre']);

const adminPermission = createPermission({
  name: 'access.admin',
  attributes: { action: 'update' },
});
const auditPermission = createPermission({
  name: 'access.audit.read',
  attributes: { action: 'read' },
});
const catalogRead = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

const ALLOW = { result: AuthorizeResult.ALLOW };
const DENY = { result: AuthorizeResult.DENY };

function fromConfig(admins?: unknown) {
  return AccessPermissionPolicy.fromConfig(
    new ConfigReader(
      admins === undefined ? {} : { access: { permissionPolicy: { admins } } },
    ),
  );
}

describe('AccessPermissionPolicy', () => {
  describe('with the default admins (access.permissionPolicy.admins unset)', () => {
    const policy = fromConfig();

    it('has group:default/platform-admins as its only admin ref', () => {
      expect(policy.admins).toEqual(['group:default/platform-admins']);
    });

    it.each([adminPermission, auditPermission])(
      'allows $name to platform admins',
      async permission => {
        await expect(policy.handle({ permission }, pat)).resolves.toEqual(
          ALLOW,
        );
      },
    );

    it.each([adminPermission, auditPermission])(
      'denies $name to other users',
      async permission => {
        await expect(policy.handle({ permission }, alice)).resolves.toEqual(
          DENY,
        );
      },
    );

    it('denies admin permissions when there is no user (e.g. a service)', async () => {
      await expect(
        policy.handle({ permission: adminPermission }, undefined),
      ).resolves.toEqual(DENY);
      await expect(
        policy.handle({ permission: auditPermission }, undefined),
      ).resolves.toEqual(DENY);
    });

    it('matches the group ref case-insensitively', async () => {
      const shouty = user('user:default/pat', [
        'group:default/Platform-Admins',
      ]);
      await expect(
        policy.handle({ permission: auditPermission }, shouty),
      ).resolves.toEqual(ALLOW);
    });

    it('allows every other permission to everyone', async () => {
      for (const u of [alice, pat, undefined]) {
        await expect(
          policy.handle({ permission: catalogRead }, u),
        ).resolves.toEqual(ALLOW);
        await expect(
          policy.handle({ permission: accessRequestCreatePermission }, u),
        ).resolves.toEqual(ALLOW);
      }
    });

    it('covers the permissions the access plugin defines', async () => {
      expect([...ACCESS_ADMIN_PERMISSIONS].sort()).toEqual([
        accessAdminPermission.name,
        accessAuditReadPermission.name,
      ]);
      // Every other access permission is left to the access plugin's own rules.
      const others = accessPermissions.filter(
        p => !ACCESS_ADMIN_PERMISSIONS.has(p.name),
      );
      expect(others.map(p => p.name).sort()).toEqual([
        'access.request.create',
        'access.request.create.onbehalf',
      ]);
      await expect(
        policy.handle({ permission: accessAdminPermission }, alice),
      ).resolves.toEqual(DENY);
      await expect(
        policy.handle({ permission: accessAuditReadPermission }, pat),
      ).resolves.toEqual(ALLOW);
    });
  });

  describe('with configured admins', () => {
    const policy = fromConfig(['group:default/SRE', 'user:alice']);

    it('normalizes the refs: lower case, namespace default', () => {
      expect(policy.admins).toEqual([
        'group:default/sre',
        'user:default/alice',
      ]);
    });

    it('allows the admin permissions to members of a configured group', async () => {
      await expect(
        policy.handle({ permission: adminPermission }, bob),
      ).resolves.toEqual(ALLOW);
    });

    it('allows the admin permissions to a configured user', async () => {
      await expect(
        policy.handle({ permission: auditPermission }, alice),
      ).resolves.toEqual(ALLOW);
    });

    it('no longer allows them to platform admins, who are not configured', async () => {
      await expect(
        policy.handle({ permission: adminPermission }, pat),
      ).resolves.toEqual(DENY);
    });

    it('does not take a group of the same name in another namespace', async () => {
      const other = user('user:default/carol', ['group:ops/sre']);
      await expect(
        policy.handle({ permission: adminPermission }, other),
      ).resolves.toEqual(DENY);
    });

    it('does not take a user ref for a group ref of the same name', async () => {
      const sre = user('user:default/sre');
      await expect(
        policy.handle({ permission: adminPermission }, sre),
      ).resolves.toEqual(DENY);
    });
  });

  it('leaves the admin permissions to no one when the list is empty', async () => {
    const policy = fromConfig([]);
    expect(policy.admins).toEqual([]);
    for (const u of [pat, alice, undefined]) {
      await expect(
        policy.handle({ permission: adminPermission }, u),
      ).resolves.toEqual(DENY);
    }
    await expect(
      policy.handle({ permission: catalogRead }, alice),
    ).resolves.toEqual(ALLOW);
  });

  describe('invalid admin refs', () => {
    it.each([
      [
        ['group:default/platform-admins', 'platform-admins'],
        'access.permissionPolicy.admins[1]: "platform-admins" is not an entity ref like group:default/platform-admins',
      ],
      [
        ['component:default/orders'],
        'access.permissionPolicy.admins[0]: "component:default/orders" must be a user or group entity ref, not kind component',
      ],
      [
        ['user:default/'],
        'access.permissionPolicy.admins[0]: "user:default/" is not an entity ref',
      ],
    ])('rejects %j at start-up', (admins, message) => {
      expect(() => fromConfig(admins)).toThrow(message);
    });

    it('rejects a value that is not a list of strings, naming the key', () => {
      expect(() => fromConfig('group:default/platform-admins')).toThrow(
        "Invalid type in config for key 'access.permissionPolicy.admins'",
      );
    });

    it('rejects an invalid ref given to the constructor, naming its index', () => {
      expect(
        () =>
          new AccessPermissionPolicy({
            admins: ['user:default/pat', 'location:default/x'],
          }),
      ).toThrow(
        'admins[1]: "location:default/x" must be a user or group entity ref, not kind location',
      );
    });
  });
});
