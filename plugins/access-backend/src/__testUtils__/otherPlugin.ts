import {
  AuthService,
  coreServices,
  createBackendPlugin,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { generateKeyPairSync } from 'crypto';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Another backend plugin installed next to access, holding nothing but Backstage's own
 * plugin-to-plugin auth: what any installed plugin could do with the access API.
 */
export function createOtherPlugin(pluginId: string) {
  let deps: { auth: AuthService; discovery: DiscoveryService } | undefined;
  const plugin = createBackendPlugin({
    pluginId,
    register(env) {
      env.registerInit({
        deps: {
          auth: coreServices.auth,
          discovery: coreServices.discovery,
          // Serves the plugin's JWKS, so that access can verify its tokens.
          httpRouter: coreServices.httpRouter,
        },
        async init({ auth, discovery }) {
          deps = { auth, discovery };
        },
      });
    },
  });
  const started = () => {
    if (!deps) throw new Error(`plugin ${pluginId} has not started`);
    return deps;
  };
  /** A token of this plugin for the access plugin. */
  const token = async () => {
    const { auth } = started();
    const { token: t } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'access',
    });
    return t;
  };
  /** Posts `body` to the access API at `path`, as this plugin would. */
  const post = async (path: string, body: object) => {
    const res = await fetch(
      `${await started().discovery.getBaseUrl('access')}${path}`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${await token()}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      },
    );
    return { status: res.status, body: await res.json() };
  };
  return { plugin, token, post };
}

/**
 * `backend.auth.pluginKeyStore` with a fresh static key pair. The default database key store
 * would have every plugin migrate the same tables of the one test database at once.
 */
export function staticPluginKeyStore() {
  const dir = mkdtempSync(join(tmpdir(), 'access-plugin-keys-'));
  const { publicKey, privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
  });
  const publicKeyFile = join(dir, 'public.pem');
  const privateKeyFile = join(dir, 'private.pem');
  writeFileSync(
    publicKeyFile,
    publicKey.export({ type: 'spki', format: 'pem' }),
  );
  writeFileSync(
    privateKeyFile,
    privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
  return {
    type: 'static',
    static: { keys: [{ publicKeyFile, privateKeyFile, keyId: 'test-key' }] },
  };
}
