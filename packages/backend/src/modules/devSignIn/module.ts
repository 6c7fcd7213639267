import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createDevAuthenticator, devSignInResolver } from './authenticator';
import { DEV_PROVIDER_ID, devSignInRefusal } from './guard';
import { createDevUsersRouter, DEV_USERS_PATH } from './router';

/**
 * Dev-only sign-in: lets the demo sign in as any catalog user.
 *
 * - registers the auth provider `dev` (a proxy provider): `GET /api/auth/dev/refresh`
 *   with the header `x-dev-user: user:default/alice` signs in as that catalog user;
 * - adds `GET /api/auth/dev/users`, unauthenticated, listing the catalog's users
 *   for the sign-in page.
 *
 * Both refuse to work unless NODE_ENV is `development` and `auth.environment` is not
 * `production`, or `auth.providers.dev.dangerouslyAllowOutsideDevelopment: true` is set
 * (Backstage's guest provider looks at NODE_ENV only).
 */
export const authModuleDevSignIn = createBackendModule({
  pluginId: 'auth',
  moduleId: 'dev-sign-in',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({ providers, config, logger, httpRouter, auth, catalog }) {
        const providerConfig = config.getOptionalConfig(
          `auth.providers.${DEV_PROVIDER_ID}`,
        );
        if (providerConfig) {
          const refusal = devSignInRefusal(config);
          if (!refusal) {
            logger.warn(
              `Dev sign-in is enabled: anyone who can reach this backend can sign in as any catalog user. Never use it in production.`,
            );
          } else {
            logger.info(
              `Dev sign-in is configured but refused: ${refusal} and auth.providers.${DEV_PROVIDER_ID}.dangerouslyAllowOutsideDevelopment is not set`,
            );
          }
        }

        providers.registerProvider({
          providerId: DEV_PROVIDER_ID,
          factory: createProxyAuthProviderFactory({
            authenticator: createDevAuthenticator(config),
            signInResolver: devSignInResolver,
          }),
        });

        // This module belongs to the auth plugin, so this is the auth plugin's
        // router (/api/auth). Modules are initialised before their plugin, so
        // this route is matched before the auth router's `/dev/*` handlers.
        httpRouter.addAuthPolicy({
          path: DEV_USERS_PATH,
          allow: 'unauthenticated',
        });
        httpRouter.use(createDevUsersRouter({ config, catalog, auth, logger }));
      },
    });
  },
});
