import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import authPlugin from '@backstage/plugin-auth-backend';
import request from 'supertest';
import { createDevAuthenticator, parseDevUserHeader } from './authenticator';
import { devSignInRefusal, isDevSignInAllowed } from './guard';
import authModuleDevSignIn from './index';

const alice: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: {
    name: 'alice',
    namespace: 'default',
    description: 'Developer, requests access',
  },
  spec: {
    profile: { displayName: 'Alice Anders', email: 'alice@acme.example' },
    memberOf: ['engineering'],
  },
  relations: [{ type: 'memberOf', targetRef: 'group:default/engineering' }],
};

const pat: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'pat', namespace: 'default' },
  spec: {
    profile: { displayName: 'Pat Platform', email: 'pat@acme.example' },
    memberOf: ['platform-admins'],
  },
};

const engineering: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'engineering', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

function fakeReq(headers: Record<string, string>) {
  return {
    header: (name: string) => headers[name.toLocaleLowerCase('en-US')],
  } as any;
}

/** A root config with the dev provider and, optionally, auth.environment. */
const rootConfig = (dev: object = {}, environment?: string) =>
  new ConfigReader({
    auth: { ...(environment ? { environment } : {}), providers: { dev } },
  });

describe('isDevSignInAllowed', () => {
  it('allows only in development by default', () => {
    const config = rootConfig();
    expect(isDevSignInAllowed(config, 'development')).toBe(true);
    expect(isDevSignInAllowed(config, 'production')).toBe(false);
    expect(isDevSignInAllowed(config, 'test')).toBe(false);
    expect(isDevSignInAllowed(config, undefined)).toBe(false);
    expect(isDevSignInAllowed(new ConfigReader({}), 'production')).toBe(false);
  });

  it('refuses when auth.environment is production, whatever NODE_ENV says', () => {
    expect(
      isDevSignInAllowed(rootConfig({}, 'development'), 'development'),
    ).toBe(true);
    expect(devSignInRefusal(rootConfig({}, 'production'), 'development')).toBe(
      "auth.environment is 'production'",
    );
    expect(devSignInRefusal(rootConfig({}, 'production'), 'production')).toBe(
      "NODE_ENV is 'production'",
    );
  });

  it('can be forced on with dangerouslyAllowOutsideDevelopment', () => {
    const allow = { dangerouslyAllowOutsideDevelopment: true };
    expect(isDevSignInAllowed(rootConfig(allow), 'production')).toBe(true);
    expect(
      isDevSignInAllowed(rootConfig(allow, 'production'), 'production'),
    ).toBe(true);
    expect(
      isDevSignInAllowed(
        rootConfig({ dangerouslyAllowOutsideDevelopment: false }),
        'production',
      ),
    ).toBe(false);
  });
});

describe('createDevAuthenticator', () => {
  const originalNodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = originalNodeEnv;
  });

  it('refuses every sign-in outside development', async () => {
    process.env.NODE_ENV = 'production';
    const devAuthenticator = createDevAuthenticator(rootConfig());
    const ctx = devAuthenticator.initialize({ config: new ConfigReader({}) });
    await expect(
      devAuthenticator.authenticate(
        { req: fakeReq({ 'x-dev-user': 'user:default/alice' }) },
        ctx,
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'Dev sign-in is only available in development',
      ),
    });
  });

  it('reads the x-dev-user header in development', async () => {
    process.env.NODE_ENV = 'development';
    const devAuthenticator = createDevAuthenticator(rootConfig());
    const ctx = devAuthenticator.initialize({ config: new ConfigReader({}) });
    await expect(
      devAuthenticator.authenticate(
        { req: fakeReq({ 'x-dev-user': 'user:default/alice' }) },
        ctx,
      ),
    ).resolves.toEqual({ result: { userEntityRef: 'user:default/alice' } });
    await expect(
      devAuthenticator.authenticate({ req: fakeReq({}) }, ctx),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining("'x-dev-user' header"),
    });
  });

  it('parses short refs and rejects non-user refs', () => {
    expect(parseDevUserHeader('alice')).toBe('user:default/alice');
    expect(parseDevUserHeader(' User:default/bob ')).toBe('user:default/bob');
    expect(() => parseDevUserHeader('group:default/dba')).toThrow(
      /must reference a User entity/,
    );
    expect(() => parseDevUserHeader('')).toThrow(/requires the 'x-dev-user'/);
  });
});

describe('dev sign-in module', () => {
  const originalNodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = originalNodeEnv;
  });

  async function startBackend(
    providerConfig: object | undefined,
    environment?: string,
  ) {
    return startTestBackend({
      features: [
        authPlugin,
        authModuleDevSignIn,
        catalogServiceMock.factory({ entities: [alice, pat, engineering] }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: {
              ...(environment ? { environment } : {}),
              ...(providerConfig ? { providers: { dev: providerConfig } } : {}),
            },
          },
        }),
      ],
    });
  }

  describe('in development', () => {
    beforeEach(() => {
      process.env.NODE_ENV = 'development';
    });

    it('signs in as a known catalog user', async () => {
      const { server } = await startBackend({});
      const res = await request(server)
        .get('/api/auth/dev/refresh')
        .set('x-dev-user', 'user:default/alice');
      expect(res.status).toBe(200);
      expect(res.body.profile).toMatchObject({
        displayName: 'Alice Anders',
        email: 'alice@acme.example',
      });
      expect(res.body.backstageIdentity.token).toEqual(expect.any(String));
      expect(res.body.backstageIdentity.identity).toMatchObject({
        type: 'user',
        userEntityRef: 'user:default/alice',
        ownershipEntityRefs: expect.arrayContaining([
          'user:default/alice',
          'group:default/engineering',
        ]),
      });
    });

    it('refuses a user that is not in the catalog', async () => {
      const { server } = await startBackend({});
      const res = await request(server)
        .get('/api/auth/dev/refresh')
        .set('x-dev-user', 'user:default/mallory');
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain(
        "user 'user:default/mallory' is not in the catalog",
      );
    });

    it('refuses a request without the header', async () => {
      const { server } = await startBackend({});
      const res = await request(server).get('/api/auth/dev/refresh');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain("'x-dev-user' header");
    });

    it('lists the catalog users without authentication', async () => {
      const { server } = await startBackend({});
      const res = await request(server).get('/api/auth/dev/users');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [
          {
            entityRef: 'user:default/alice',
            name: 'alice',
            displayName: 'Alice Anders',
            email: 'alice@acme.example',
            description: 'Developer, requests access',
            groups: ['group:default/engineering'],
          },
          {
            entityRef: 'user:default/pat',
            name: 'pat',
            displayName: 'Pat Platform',
            email: 'pat@acme.example',
            groups: ['group:default/platform-admins'],
          },
        ],
      });
    });

    it('refuses sign-in and the user list when auth.environment is production', async () => {
      // A production deployment started with NODE_ENV=development (e.g. by `yarn start`).
      const { server } = await startBackend({}, 'production');
      const signIn = await request(server)
        .get('/api/auth/dev/refresh')
        .set('x-dev-user', 'user:default/alice');
      expect(signIn.status).toBe(403);
      expect(signIn.body.error.message).toContain(
        "auth.environment is 'production'",
      );
      expect(signIn.body.backstageIdentity).toBeUndefined();

      const users = await request(server).get('/api/auth/dev/users');
      expect(users.status).toBe(403);
      expect(users.body.error.message).toContain(
        "auth.environment is 'production'",
      );
      expect(users.body.items).toBeUndefined();
    });

    it('signs in when auth.environment is development', async () => {
      const { server } = await startBackend({}, 'development');
      const signIn = await request(server)
        .get('/api/auth/dev/refresh')
        .set('x-dev-user', 'user:default/alice');
      expect(signIn.status).toBe(200);
    });

    it('answers 404 on the user list when the provider is not configured', async () => {
      const { server } = await startBackend(undefined);
      const res = await request(server).get('/api/auth/dev/users');
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('auth.providers.dev');
    });
  });

  describe('outside development', () => {
    beforeEach(() => {
      process.env.NODE_ENV = 'production';
    });

    it('refuses sign-in and the user list', async () => {
      const { server } = await startBackend({});
      const signIn = await request(server)
        .get('/api/auth/dev/refresh')
        .set('x-dev-user', 'user:default/alice');
      expect(signIn.status).toBe(403);
      expect(signIn.body.error.message).toContain(
        'Dev sign-in is only available in development',
      );
      expect(signIn.body.backstageIdentity).toBeUndefined();

      const users = await request(server).get('/api/auth/dev/users');
      expect(users.status).toBe(403);
      expect(users.body.error.message).toContain(
        'Dev sign-in is only available in development',
      );
    });

    it('works when dangerouslyAllowOutsideDevelopment is set', async () => {
      const { server } = await startBackend({
        dangerouslyAllowOutsideDevelopment: true,
      });
      const signIn = await request(server)
        .get('/api/auth/dev/refresh')
        .set('x-dev-user', 'user:default/pat');
      expect(signIn.status).toBe(200);
      expect(signIn.body.backstageIdentity.identity.userEntityRef).toBe(
        'user:default/pat',
      );
    });
  });
});
