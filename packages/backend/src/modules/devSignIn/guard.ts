import { Config } from '@backstage/config';

/** The provider id of the dev sign-in provider (`auth.providers.dev`). */
export const DEV_PROVIDER_ID = 'dev';

/** The request header that names the catalog user to sign in as. */
export const DEV_USER_HEADER = 'x-dev-user';

/** The config key, relative to `auth.providers.dev`, that lifts the guard. */
export const DANGEROUSLY_ALLOW_KEY = 'dangerouslyAllowOutsideDevelopment';

/** Message used whenever the dev provider refuses to work. */
export const DEV_SIGN_IN_REFUSED_MESSAGE =
  `Dev sign-in is only available in development: the 'dev' auth provider ` +
  `lets anyone sign in as any catalog user, so it is refused unless ` +
  `NODE_ENV is 'development' or 'auth.providers.${DEV_PROVIDER_ID}.${DANGEROUSLY_ALLOW_KEY}' is set to true`;

/**
 * Whether the dev sign-in provider may be used. Mirrors the guard of
 * Backstage's guest provider: only when NODE_ENV is `development`, unless the
 * provider config explicitly sets `dangerouslyAllowOutsideDevelopment: true`.
 *
 * @param providerConfig - the `auth.providers.dev` config block, if any
 * @param nodeEnv - defaults to `process.env.NODE_ENV` (a parameter for tests)
 */
export function isDevSignInAllowed(
  providerConfig: Config | undefined,
  nodeEnv: string | undefined = process.env.NODE_ENV,
): boolean {
  if (nodeEnv === 'development') {
    return true;
  }
  return providerConfig?.getOptionalBoolean(DANGEROUSLY_ALLOW_KEY) === true;
}
