import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { AccessKeys } from './readKeys';
import { decodeKey, fingerprintOf } from './Keyring';

/** The development keys an installation generated while it ran without configured keys. */
const DEV_KEYS = [
  {
    setting: 'dev-details-key',
    path: 'access.encryption.keys',
    configured: (keys: AccessKeys, key: Buffer) =>
      !!keys.details.find(fingerprintOf(key)) ||
      keys.legacy.some(k => k.equals(key)),
  },
  {
    setting: 'dev-audit-key',
    path: 'access.audit.keys',
    configured: (keys: AccessKeys, key: Buffer) =>
      !!keys.audit.find(fingerprintOf(key)),
  },
];

/**
 * In production, a key generated earlier (when the installation ran without one) may still
 * sit in `access_settings`, in the database it is meant to protect. Once it is configured
 * (as a previous key) the copy in the database only helps whoever reads a dump, so it is
 * deleted; until then an error at every start names the way out.
 */
export async function retireDevKeys(deps: {
  db: Knex;
  keys: AccessKeys;
  logger: LoggerService;
}): Promise<void> {
  const { db, keys, logger } = deps;
  for (const { setting, path, configured } of DEV_KEYS) {
    const row = await db('access_settings').where({ key: setting }).first();
    if (!row) continue;
    let key: Buffer | undefined;
    try {
      key = decodeKey(String(row.value));
    } catch {
      key = undefined;
    }
    if (key && configured(keys, key)) {
      await db('access_settings')
        .where({ key: setting, value: row.value })
        .delete();
      logger.info(
        `access: deleted ${setting} from the database: the key is configured in ${path} now`,
      );
      continue;
    }
    logger.error(
      `access: the database holds ${setting}, a key generated while this installation ran without configured keys; what it protected is unreadable or unverifiable until you add it to ${path} as a previous key (SELECT value FROM access_settings WHERE key = '${setting}'), after which it is deleted from the database. See docs/provisioners.md#upgrading-from-generated-keys.`,
    );
  }
}
