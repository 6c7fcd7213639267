import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  accessAdminPermission,
  accessAuditReadPermission,
  accessRequestCreatePermission,
} from '@jit-access/plugin-access-common';
import { JitAccessPermissionPolicy } from './policy';

function user(ref: string, groups: string[]): PolicyQueryUser {
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

describe('JitAccessPermissionPolicy', () => {
  const policy = new JitAccessPermissionPolicy();

  it.each([adminPermission, auditPermission])(
    'allows $name to platform admins',
    async permission => {
      await expect(policy.handle({ permission }, pat)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    },
  );

  it.each([adminPermission, auditPermission])(
    'denies $name to other users',
    async permission => {
      await expect(policy.handle({ permission }, alice)).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
    },
  );

  it('denies admin permissions when there is no user (e.g. a service)', async () => {
    await expect(
      policy.handle({ permission: adminPermission }, undefined),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('matches the group ref case-insensitively', async () => {
    const shouty = user('user:default/pat', ['group:default/Platform-Admins']);
    await expect(
      policy.handle({ permission: auditPermission }, shouty),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('allows every other permission to everyone', async () => {
    for (const u of [alice, pat, undefined]) {
      await expect(
        policy.handle({ permission: catalogRead }, u),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
      await expect(
        policy.handle({ permission: accessRequestCreatePermission }, u),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  it('covers the permissions the access plugin defines', async () => {
    expect(accessAdminPermission.name).toBe('access.admin');
    expect(accessAuditReadPermission.name).toBe('access.audit.read');
    await expect(
      policy.handle({ permission: accessAdminPermission }, alice),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy.handle({ permission: accessAuditReadPermission }, pat),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });
});
