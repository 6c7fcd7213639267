import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  DEFAULT_PAGERDUTY_API_BASE_URL,
  PagerDutyAuth,
  PagerDutyClientOptions,
} from './PagerDutyClient';

/** Longer, and a kept on-call answer could approve someone long off call. */
const MAX_ANSWER_CACHE_TTL_MS = 5 * 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** The accounts PagerDuty is reached with, by id, and the one entities use by default. */
export interface PagerDutyAccountOptions {
  accounts: Map<string, PagerDutyClientOptions>;
  defaultAccount: string;
  /** One account without `pagerDuty.accounts`: annotations naming an account are ignored. */
  single: boolean;
}

/** The id of the one account of `pagerDuty.apiToken` or `pagerDuty.oauth`. */
export const SINGLE_ACCOUNT = 'default';

const EU_API_BASE_URL = 'https://api.eu.pagerduty.com';

/**
 * The accounts from the root keys `pagerDuty.*`, as PagerDuty's own Backstage plugin
 * reads them: `pagerDuty.accounts[]`, or one account from `pagerDuty.apiToken` or
 * `pagerDuty.oauth`. Read for the first check of `type`; errors name the key.
 */
export function readPagerDutyAccounts(
  config: Config,
  type: string,
): PagerDutyAccountOptions {
  const shared = {
    answerCacheTtlMs: readAnswerCacheTtlMs(config),
    maxResponseBytes: readMaxResponseBytes(config),
  };
  const accounts = config.getOptionalConfigArray('pagerDuty.accounts');
  if (!accounts || accounts.length === 0) {
    const auth = readAuth(config.getOptionalConfig('pagerDuty'), 'pagerDuty');
    if (!auth) {
      throw new Error(
        `type: ${type} checks need pagerDuty.apiToken (a PagerDuty REST API key), pagerDuty.oauth (a Scoped OAuth app) or pagerDuty.accounts in the app config`,
      );
    }
    return {
      accounts: new Map([
        [
          SINGLE_ACCOUNT,
          {
            ...auth,
            ...shared,
            apiBaseUrl: apiBaseUrlOf(
              config.getConfig('pagerDuty'),
              auth,
              'pagerDuty',
            ),
          },
        ],
      ]),
      defaultAccount: SINGLE_ACCOUNT,
      single: true,
    };
  }
  const byId = new Map<string, PagerDutyClientOptions>();
  const defaults: string[] = [];
  accounts.forEach((account, i) => {
    const at = `pagerDuty.accounts[${i}]`;
    const id = account.getOptionalString('id')?.trim();
    if (!id) throw new Error(`${at}.id is required: the account's id`);
    if (byId.has(id)) {
      throw new Error(`${at}.id: "${id}" is used by an earlier account`);
    }
    const auth = readAuth(account, at);
    if (!auth) {
      throw new Error(`${at} needs apiToken or oauth`);
    }
    byId.set(id, {
      ...auth,
      ...shared,
      apiBaseUrl: apiBaseUrlOf(account, auth, at),
    });
    if (account.getOptionalBoolean('isDefault')) defaults.push(id);
  });
  if (defaults.length > 1) {
    throw new Error(
      `pagerDuty.accounts: only one account may be isDefault, not ${defaults.join(
        ', ',
      )}`,
    );
  }
  const defaultAccount =
    defaults[0] ?? (byId.size === 1 ? [...byId.keys()][0] : undefined);
  if (!defaultAccount) {
    throw new Error(
      'pagerDuty.accounts: mark one account isDefault: true, for entities without a pagerduty.com/account annotation',
    );
  }
  return { accounts: byId, defaultAccount, single: false };
}

/** An API key, or else a Scoped OAuth app with all of its keys. */
function readAuth(
  config: Config | undefined,
  at: string,
): PagerDutyAuth | undefined {
  const apiToken = config?.getOptionalString('apiToken');
  if (apiToken) return { apiToken };
  const oauth = config?.getOptionalConfig('oauth');
  if (!oauth) return undefined;
  const required = (key: string) => {
    const value = oauth.getOptionalString(key)?.trim();
    if (!value) {
      throw new Error(
        `${at}.oauth.${key} is required (the Scoped OAuth app's clientId, clientSecret and subDomain)`,
      );
    }
    return value;
  };
  const region =
    oauth.getOptionalString('region')?.trim().toLowerCase() ?? 'us';
  if (region !== 'us' && region !== 'eu') {
    throw new Error(`${at}.oauth.region must be us or eu, not "${region}"`);
  }
  const subDomain = required('subDomain');
  // it becomes part of the token's scope: nothing but a subdomain may slip in
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(subDomain)) {
    throw new Error(
      `${at}.oauth.subDomain must be the account's subdomain, like acme for acme.pagerduty.com`,
    );
  }
  return {
    oauth: {
      clientId: required('clientId'),
      clientSecret: required('clientSecret'),
      subDomain,
      region,
      tokenUrl: readUrl(oauth, 'tokenUrl', `${at}.oauth`),
    },
  };
}

/** An http(s) URL, or undefined when the key is absent; errors name the key. */
function readUrl(config: Config, key: string, at: string): string | undefined {
  const value = config.getOptionalString(key);
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['https:', 'http:'].includes(url.protocol)) {
    throw new Error(`${at}.${key} must be an http(s) URL, not "${value}"`);
  }
  return value;
}

/** The configured API base URL, else the one of the OAuth app's region. */
function apiBaseUrlOf(config: Config, auth: PagerDutyAuth, at: string): string {
  return (
    readUrl(config, 'apiBaseUrl', at) ??
    ('oauth' in auth && auth.oauth.region === 'eu'
      ? EU_API_BASE_URL
      : DEFAULT_PAGERDUTY_API_BASE_URL)
  );
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
