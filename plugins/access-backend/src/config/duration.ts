import { Config } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { Duration } from 'luxon';

const SHORT = /^(\d+)\s*(s|m|h|d|w)$/;
const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};
const HUMAN_KEYS = [
  'years',
  'months',
  'weeks',
  'days',
  'hours',
  'minutes',
  'seconds',
  'milliseconds',
];

/**
 * Reads a duration written as `30m` / `1h` / `7d`, ISO 8601 (`PT1H`) or a Backstage
 * `{ hours: 1 }` object, and returns whole seconds. Throws a message without the key;
 * the caller adds it.
 */
export function parseDurationSeconds(value: unknown): number {
  const seconds = Math.round(parseDurationMs(value) / 1000);
  if (seconds < 1) throw new Error('must be at least 1s');
  return seconds;
}

/** Like {@link parseDurationSeconds}, in milliseconds and without rounding (for timeouts). */
export function parseDurationMs(value: unknown): number {
  let seconds: number;
  if (typeof value === 'string') {
    const text = value.trim();
    const short = SHORT.exec(text);
    if (short) {
      seconds = Number(short[1]) * UNIT_SECONDS[short[2]];
    } else if (/^P/i.test(text)) {
      const d = Duration.fromISO(text.toUpperCase());
      if (!d.isValid)
        throw new Error(`"${value}" is not a valid ISO 8601 duration`);
      seconds = d.as('seconds');
    } else {
      throw new Error(
        `"${value}" is not a duration; use 30m, 1h, 7d, PT1H or { hours: 1 }`,
      );
    }
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    // Plain numbers are read as seconds, the unit the API uses.
    seconds = value;
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const unknown = keys.filter(k => !HUMAN_KEYS.includes(k));
    if (keys.length === 0 || unknown.length) {
      throw new Error(
        `duration object must use only ${HUMAN_KEYS.join(', ')}${
          unknown.length ? `; got ${unknown.join(', ')}` : ''
        }`,
      );
    }
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new Error(`duration field "${k}" must be a non-negative number`);
      }
    }
    seconds = durationToMilliseconds(value as HumanDuration) / 1000;
  } else {
    throw new Error(
      'must be a duration such as 30m, 1h, 7d, PT1H or { hours: 1 }',
    );
  }
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error('must be a positive duration');
  }
  return seconds * 1000;
}

/** Reads an optional duration key (a timeout) in milliseconds; errors start with the key. */
export function readDurationMs(
  config: Config,
  key: string,
  defaultMs: number,
): number {
  if (!config.has(key)) return defaultMs;
  try {
    return parseDurationMs(config.get(key));
  } catch (e) {
    throw new Error(`${key}: ${(e as Error).message}`);
  }
}

/** Formats seconds for messages: `8h`, `90m`, `45s`. */
export function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
