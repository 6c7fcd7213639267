import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  DEFAULT_PAGERDUTY_API_BASE_URL,
  PagerDutyClientOptions,
} from './PagerDutyClient';

/** Longer, and a kept on-call answer could approve someone long off call. */
const MAX_ANSWER_CACHE_TTL_MS = 5 * 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * The client's options from the root keys `pagerDuty.*`, for the first check of `type`.
 * Errors name the key.
 */
export function readPagerDutyClientOptions(
  config: Config,
  type: string,
): PagerDutyClientOptions {
  const apiToken = config.getOptionalString('pagerDuty.apiToken');
  if (!apiToken) {
    throw new Error(
      `type: ${type} checks need pagerDuty.apiToken (a PagerDuty REST API key) in the app config`,
    );
  }
  return {
    apiToken,
    apiBaseUrl:
      config.getOptionalString('pagerDuty.apiBaseUrl') ??
      DEFAULT_PAGERDUTY_API_BASE_URL,
    answerCacheTtlMs: readAnswerCacheTtlMs(config),
    maxResponseBytes: readMaxResponseBytes(config),
  };
}

function readAnswerCacheTtlMs(config: Config): number | undefined {
  const key = 'pagerDuty.answerCacheTtl';
  const value = config.getOptional(key);
  if (value === undefined) return undefined;
  const ms =
    typeof value === 'number'
      ? value * 1000
      : durationToMilliseconds(readDurationFromConfig(config, { key }));
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_ANSWER_CACHE_TTL_MS) {
    throw new Error(
      `${key} must be a duration from 0s (nothing kept) to 5m, e.g. 30s; not ${JSON.stringify(
        value,
      )}`,
    );
  }
  return ms;
}

function readMaxResponseBytes(config: Config): number {
  const key = 'pagerDuty.maxResponseBytes';
  const value = config.getOptional(key) ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1024) {
    throw new Error(
      `${key} must be a whole number of bytes, at least 1024 (default ${DEFAULT_MAX_RESPONSE_BYTES}); not ${JSON.stringify(
        value,
      )}`,
    );
  }
  return value;
}
