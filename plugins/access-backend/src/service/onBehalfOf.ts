import { NotAllowedError } from '@backstage/errors';

/** The config key that lists the services allowed to act on behalf of users. */
export const ON_BEHALF_OF_KEY = 'access.onBehalfOf.allowedServices';

/**
 * Refuses a service that files requests for users unless the config names it.
 *
 * Backstage's permission client allows every permission to a service token without an
 * explicit permission restriction, plugin-to-plugin tokens included, so the
 * `access.request.create.onbehalf` permission alone would let any installed backend plugin
 * file (even break-glass) requests for anyone. The allow-list is the adopter's explicit choice.
 *
 * @param subject - `credentials.principal.subject`: a static token's configured `subject`,
 *   `external:...` for JWKS tokens, `plugin:<pluginId>` for other backend plugins
 * @param allowedServices - `access.onBehalfOf.allowedServices`
 */
export function assertMayActOnBehalf(
  subject: string,
  allowedServices: readonly string[],
): void {
  if (allowedServices.includes(subject)) return;
  const why = subject.startsWith('plugin:')
    ? 'backend plugins never act for users unless listed there'
    : 'only the services listed there may';
  throw new NotAllowedError(
    `Service "${subject}" may not request access on behalf of users: ${why} (${ON_BEHALF_OF_KEY})`,
  );
}
