import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

/**
 * Readers for a check's own keys under `access.checks.<id>`. Their errors start with the
 * key (relative to the check's config), which the core prefixes with `access.checks.<id>.`.
 */

/** Keys the core reads for every check type. */
const GENERIC_KEYS = ['type', 'maxDuration'];

export function readOptionalBoolean(
  config: Config,
  key: string,
): boolean | undefined {
  const value = config.getOptional(key);
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`${key} must be true or false`);
}

/**
 * A list of non-empty strings, or undefined when the key is absent.
 * An empty list is refused: leaving the key out is how one says "any".
 */
export function readOptionalStringList(
  config: Config,
  key: string,
  what: string,
): string[] | undefined {
  const value = config.getOptional(key);
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    !value.every(v => typeof v === 'string' && v.trim() !== '')
  ) {
    throw new Error(`${key} must be a list of ${what}`);
  }
  if (value.length === 0) {
    throw new Error(
      `${key} must list at least one of the ${what} (leave it out to accept any)`,
    );
  }
  return value as string[];
}

/** A list of whole numbers from 1, or undefined when the key is absent. */
export function readOptionalLevelList(
  config: Config,
  key: string,
): number[] | undefined {
  const value = config.getOptional(key);
  if (value === undefined) return undefined;
  const levels = Array.isArray(value)
    ? value.map(v => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v))
    : undefined;
  if (
    !levels ||
    levels.length === 0 ||
    !levels.every(v => typeof v === 'number' && Number.isInteger(v) && v >= 1)
  ) {
    throw new Error(
      `${key} must be a list of escalation levels (whole numbers from 1), e.g. [1, 2]`,
    );
  }
  return levels as number[];
}

/** Warns about keys that no reader knows (likely a typo, e.g. `schedule` for `schedules`). */
export function warnAboutUnknownKeys(
  config: Config,
  known: string[],
  type: string,
  logger: LoggerService,
) {
  for (const key of config.keys()) {
    if (!GENERIC_KEYS.includes(key) && !known.includes(key)) {
      logger.warn(
        `${key} is not a setting of ${type} checks and is ignored (known: ${known.join(
          ', ',
        )})`,
      );
    }
  }
}
