import { Config } from '@backstage/config';

/** The provider id of the dev sign-in provider (`auth.providers.dev`). */
export const DEV_PROVIDER_ID = 'dev';

/** The request header that names the catalog user to sign in as. */
export const DEV_USER_HEADER = 'x-dev-user';

/** The config key, relative to `auth.providers.dev`, that lifts the guard. */
export const DANGEROUSLY_ALLOW_KEY = 'dangerouslyAllowOutsideDevelopment';

/** The message of every refusal, with the reason from {@link devSignInRefusal}. */
export function devSignInRefusedMessage(reason: string): string {
  return (
    `Dev sign-in is only available in development: the '${DEV_PROVIDER_ID}' auth provider ` +
    `lets anyone sign in as any catalog user, so it is refused when NODE_ENV is not ` +
    `'development' or auth.environment is 'production', unless ` +
    `'auth.providers.${DEV_PROVIDER_ID}.${DANGEROUSLY_ALLOW_KEY}' is set to true (here: ${reason})`
  );
}

/**
 * Why the dev sign-in provider must not work, or `undefined` when it may. It may only in
 * development: NODE_ENV is `development` (as Backstage's guest provider) and
 * `auth.environment` is not `production` (a production config started with `yarn start`
 * still has NODE_ENV `development`). `auth.providers.dev.dangerouslyAllowOutsideDevelopment:
 * true` lifts both.
 *
 * @param rootConfig - the whole config
 * @param nodeEnv - defaults to `process.env.NODE_ENV` (a parameter for tests)
 */
export function devSignInRefusal(
  rootConfig: Config,
  nodeEnv: string | undefined = process.env.NODE_ENV,
): string | undefined {
  const providerConfig = rootConfig.getOptionalConfig(
    `auth.providers.${DEV_PROVIDER_ID}`,
  );
  if (providerConfig?.getOptionalBoolean(DANGEROUSLY_ALLOW_KEY) === true) {
    return undefined;
  }
  if (nodeEnv !== 'development') {
    return `NODE_ENV is ${nodeEnv === undefined ? 'not set' : `'${nodeEnv}'`}`;
  }
  if (rootConfig.getOptionalString('auth.environment') === 'production') {
    return `auth.environment is 'production'`;
  }
  return undefined;
}

/** Whether the dev sign-in provider may be used; see {@link devSignInRefusal}. */
export function isDevSignInAllowed(
  rootConfig: Config,
  nodeEnv: string | undefined = process.env.NODE_ENV,
): boolean {
  return devSignInRefusal(rootConfig, nodeEnv) === undefined;
}
