import { Config } from '@backstage/config';
import { LoggerService } from '@backstage/backend-plugin-api';

/**
 * Logs an error at start-up when Backstage's permission framework is off. Backstage then
 * allows every permission to everyone (`permission.enabled` missing counts as off), so
 * `access.admin` and `access.audit.read` hold for every signed-in user; nothing else
 * would say so.
 */
export function logIfPermissionsDisabled(
  config: Config,
  logger: LoggerService,
): void {
  if (config.getOptionalBoolean('permission.enabled') === true) return;
  logger.error(
    'access: permission.enabled is not true, so Backstage allows every permission: every signed-in user is an access admin (sees, decides and revokes every request, reads and exports the audit log). Set permission.enabled: true with a permission policy (docs/configuration.md#permissions).',
  );
}
