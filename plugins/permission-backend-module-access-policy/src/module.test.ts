import {
  BackstageCredentials,
  BackstageUserPrincipal,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import {
  accessAdminPermission,
  accessAuditReadPermission,
  accessRequestCreatePermission,
} from '@jit-access/plugin-access-common';
import request from 'supertest';
import permissionModuleAccessPolicy from '.';

/** Group memberships, as a sign-in resolver would put them in the users' tokens. */
const MEMBERSHIPS: Record<string, string[]> = {
  'user:default/pat': ['group:default/platform-admins'],
  'user:default/alice': ['group:default/engineering'],
  'user:default/sam': ['group:default/sre'],
};

const userInfo = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: BackstageCredentials) {
      const ref = (credentials as BackstageCredentials<BackstageUserPrincipal>)
        .principal.userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: [ref, ...(MEMBERSHIPS[ref] ?? [])],
      };
    },
  }),
});

/** The real permission backend with this module as its policy. */
async function startBackend(access?: object) {
  const logger = mockServices.logger.mock();
  const backend = await startTestBackend({
    features: [
      permissionPlugin,
      permissionModuleAccessPolicy,
      userInfo,
      logger.factory,
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true }, ...(access ? { access } : {}) },
      }),
    ],
  });
  const policyLogs = logger.info.mock.calls
    .map(([message]) => message)
    .filter(message => message.startsWith('JIT Access permission policy'));
  return { backend, policyLogs };
}

/** Asks the permission backend, over HTTP as the user, about three access permissions. */
async function authorize(
  backend: Awaited<ReturnType<typeof startTestBackend>>,
  userRef: string,
) {
  const permissions = [
    accessAdminPermission,
    accessAuditReadPermission,
    accessRequestCreatePermission,
  ];
  const res = await request(backend.server)
    .post('/api/permission/authorize')
    .set('authorization', mockCredentials.user.header(userRef))
    .send({
      items: permissions.map(permission => ({
        id: permission.name,
        permission,
      })),
    });
  expect(res.status).toBe(200);
  return Object.fromEntries(
    res.body.items.map((item: { id: string; result: string }) => [
      item.id,
      item.result,
    ]),
  );
}

describe('the access-policy module on the permission backend', () => {
  it('answers authorize calls with the default admins (platform-admins)', async () => {
    const { backend, policyLogs } = await startBackend();
    try {
      expect(await authorize(backend, 'user:default/pat')).toEqual({
        'access.admin': 'ALLOW',
        'access.audit.read': 'ALLOW',
        'access.request.create': 'ALLOW',
      });
      expect(await authorize(backend, 'user:default/alice')).toEqual({
        'access.admin': 'DENY',
        'access.audit.read': 'DENY',
        'access.request.create': 'ALLOW',
      });
      expect(policyLogs).toEqual([
        'JIT Access permission policy: access.admin and access.audit.read are allowed to group:default/platform-admins (access.permissionPolicy.admins), every other permission to everyone',
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('uses access.permissionPolicy.admins: a group and a user', async () => {
    const { backend, policyLogs } = await startBackend({
      permissionPolicy: { admins: ['group:default/sre', 'user:default/alice'] },
    });
    try {
      for (const ref of ['user:default/sam', 'user:default/alice']) {
        expect(await authorize(backend, ref)).toMatchObject({
          'access.admin': 'ALLOW',
          'access.audit.read': 'ALLOW',
        });
      }
      expect(await authorize(backend, 'user:default/pat')).toMatchObject({
        'access.admin': 'DENY',
        'access.audit.read': 'DENY',
      });
      expect(policyLogs).toEqual([
        expect.stringContaining(
          'allowed to group:default/sre, user:default/alice (access.permissionPolicy.admins)',
        ),
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('stops the backend at start-up on an invalid admin ref', async () => {
    await expect(
      startBackend({ permissionPolicy: { admins: ['api:default/orders'] } }),
    ).rejects.toThrow(
      'access.permissionPolicy.admins[0]: "api:default/orders" must be a user or group entity ref, not kind api',
    );
  });
});
