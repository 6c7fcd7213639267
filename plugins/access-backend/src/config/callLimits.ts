import { Config } from '@backstage/config';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../http/boundedFetch';

/** The largest answer cap config may set: 64 MiB. */
const MAX_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * Reads an optional whole number (a number, or a string of one: environment variables are
 * strings) between `min` and `max`; errors start with the key.
 */
export function readWholeNumber(
  config: Config,
  key: string,
  options: { min: number; max: number; default: number; unit?: string },
): number {
  if (!config.has(key)) return options.default;
  const value = config.get(key);
  const n = typeof value === 'string' ? Number(value) : value;
  if (
    typeof n !== 'number' ||
    !Number.isInteger(n) ||
    n < options.min ||
    n > options.max
  ) {
    throw new Error(
      `${key}: must be a whole number${
        options.unit ? ` of ${options.unit}` : ''
      } from ${options.min} to ${options.max}`,
    );
  }
  return n;
}

/**
 * Reads `maxResponseBytes` (a whole number of bytes) of a check's, provisioner's or
 * webhook's config; errors start with the key.
 */
export function readMaxResponseBytes(config: Config): number {
  return readWholeNumber(config, 'maxResponseBytes', {
    min: 1,
    max: MAX_MAX_RESPONSE_BYTES,
    default: DEFAULT_MAX_RESPONSE_BYTES,
    unit: 'bytes',
  });
}
