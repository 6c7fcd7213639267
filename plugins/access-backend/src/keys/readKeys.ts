import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { randomBytes } from 'crypto';
import { AccessConfigError } from '../config/readAccessConfig';
import { decodeKey, fingerprintOf, Keyring, KEY_ID } from './Keyring';

/**
 * Whether the backend runs in production: `NODE_ENV=production` or
 * `auth.environment: production`. There, no key may come from the database.
 */
export function isProduction(
  config: Config,
  nodeEnv: string | undefined = process.env.NODE_ENV,
): boolean {
  return (
    nodeEnv === 'production' ||
    config.getOptionalString('auth.environment') === 'production'
  );
}

/** The keys of one purpose as configured (decoded), or nothing configured. */
type Configured = { id?: string; key: Buffer }[] | undefined;

const PURPOSES = {
  details: {
    path: 'access.encryption',
    devSetting: 'dev-details-key',
    what: 'encrypt access details',
  },
  audit: {
    path: 'access.audit',
    devSetting: 'dev-audit-key',
    what: 'seal the audit chain',
  },
} as const;

type Purpose = keyof typeof PURPOSES;

function readPurpose(
  config: Config,
  purpose: Purpose,
  problems: string[],
): Configured {
  const { path } = PURPOSES[purpose];
  const single = config.getOptionalString(`${path}.key`);
  const list = config.getOptionalConfigArray(`${path}.keys`);
  if (single !== undefined && list !== undefined) {
    problems.push(
      `${path}: set key (one key) or keys (current first, then previous), not both`,
    );
    return undefined;
  }
  const decode = (text: string, at: string) => {
    try {
      return decodeKey(text);
    } catch (e) {
      problems.push(`${at}: ${(e as Error).message}`);
      return undefined;
    }
  };
  if (single !== undefined) {
    const key = decode(single, `${path}.key`);
    return key ? [{ key }] : undefined;
  }
  if (!list) return undefined;
  const seen = new Set<string>();
  const keys = list.map((entry, i) => {
    const id = entry.getString('id');
    if (!KEY_ID.test(id)) {
      problems.push(
        `${path}.keys[${i}].id: "${id}" is not 1 to 64 letters, digits, _ or -`,
      );
    } else if (seen.has(id)) {
      problems.push(`${path}.keys[${i}].id: duplicate key id "${id}"`);
    }
    seen.add(id);
    return {
      id,
      key: decode(entry.getString('key'), `${path}.keys[${i}].key`),
    };
  });
  if (!keys.length) {
    problems.push(`${path}.keys: needs at least one key`);
    return undefined;
  }
  // Values sealed or encrypted under a key configured without an id carry its derived id:
  // another key named that way would be found for them instead.
  keys.forEach(({ id }, i) => {
    const j = keys.findIndex(
      (k, n) => n !== i && k.key && fingerprintOf(k.key) === id,
    );
    if (j >= 0) {
      problems.push(
        `${path}.keys[${i}].id: "${id}" is the id derived from ${path}.keys[${j}].key, which what it protected may carry; choose another id`,
      );
    }
  });
  return keys.every(k => k.key)
    ? keys.map(k => ({ id: k.id, key: k.key! }))
    : undefined;
}

/** The keys of the access details and of the audit chain, once resolved. */
export interface AccessKeys {
  details: Keyring;
  audit: Keyring;
  /**
   * `access.audit.legacyKeys`: retired access details keys, only for the entries sealed
   * before key ids (with the configured details keys).
   */
  legacy: Buffer[];
}

/** Reads `access.audit.legacyKeys`; none of them may be an audit key. */
function readLegacyKeys(
  config: Config,
  audit: Configured,
  problems: string[],
): Buffer[] {
  const legacy: Buffer[] = [];
  (config.getOptionalStringArray('access.audit.legacyKeys') ?? []).forEach(
    (text, i) => {
      try {
        legacy.push(decodeKey(text));
      } catch (e) {
        problems.push(`access.audit.legacyKeys[${i}]: ${(e as Error).message}`);
      }
    },
  );
  const retired = new Set(legacy.map(k => k.toString('hex')));
  const single = config.getOptionalString('access.audit.key') !== undefined;
  (audit ?? []).forEach(({ key }, i) => {
    if (retired.has(key.toString('hex'))) {
      problems.push(
        `access.audit.${
          single ? 'key' : `keys[${i}]`
        }: a key in access.audit.legacyKeys (a retired access details key) must not also be an audit key: it would seal new entries`,
      );
    }
  });
  return legacy;
}

/**
 * Reads `access.encryption` and `access.audit` at start-up, before the database is touched:
 * in production both must be configured, and they must differ. Call `resolve` once the
 * database is ready: outside production, a missing key is generated there, with a warning.
 */
export function readKeys(
  config: Config,
  logger: LoggerService,
  nodeEnv?: string,
): {
  resolve(
    devKey: (setting: string, make: () => string) => Promise<string>,
  ): Promise<AccessKeys>;
} {
  const problems: string[] = [];
  const configured = {
    details: readPurpose(config, 'details', problems),
    audit: readPurpose(config, 'audit', problems),
  };
  const legacy = readLegacyKeys(config, configured.audit, problems);
  const production = isProduction(config, nodeEnv);
  for (const purpose of ['details', 'audit'] as const) {
    const { path, what } = PURPOSES[purpose];
    if (
      production &&
      !configured[purpose] &&
      !problems.some(p => p.startsWith(path))
    ) {
      problems.push(
        `${path}.key: required in production (NODE_ENV=production or auth.environment: production); set it, or ${path}.keys, to 32 random bytes in base64 (openssl rand -base64 32) to ${what}. A generated key would be kept in the database it protects.`,
      );
    }
  }
  const detailsKeys = new Set(
    (configured.details ?? []).map(k => k.key.toString('hex')),
  );
  if (configured.audit?.some(k => detailsKeys.has(k.key.toString('hex')))) {
    problems.push(
      'access.audit: the audit chain key must differ from every access.encryption key, so that the key that decrypts access details cannot re-seal the audit trail',
    );
  }
  if (problems.length) throw new AccessConfigError(problems);

  return {
    async resolve(devKey) {
      const ring = async (purpose: Purpose) => {
        const given = configured[purpose];
        if (given) return new Keyring(given);
        const { path, devSetting } = PURPOSES[purpose];
        logger.warn(
          `access: ${path}.key is not set; using a generated development key stored in the database, which protects nothing. Set it (openssl rand -base64 32) in production.`,
        );
        const text = await devKey(devSetting, () =>
          randomBytes(32).toString('base64'),
        );
        return new Keyring([{ key: decodeKey(text) }]);
      };
      const keys = {
        details: await ring('details'),
        audit: await ring('audit'),
        legacy,
      };
      logger.info(
        `access: access details encrypted with key "${keys.details.current.id}" (${keys.details.all.length} configured), audit chain sealed with key "${keys.audit.current.id}" (${keys.audit.all.length} configured)`,
      );
      return keys;
    },
  };
}
