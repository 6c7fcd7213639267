import {
  describeNetworkError,
  errorMessageOf,
  isRedirect,
} from './httpHelpers';
import { readTextWithin } from './responseBody';
import { PagerDutyError } from './types';

/**
 * How to sign in to PagerDuty's REST API: a REST API key, or a Scoped OAuth app
 * (client credentials), as PagerDuty's own Backstage plugin configures them.
 * @public
 */
export type PagerDutyAuth =
  | { apiToken: string }
  | {
      oauth: {
        clientId: string;
        clientSecret: string;
        /** The account's subdomain: `acme` for acme.pagerduty.com. */
        subDomain: string;
        /** `us` (default) or `eu`. */
        region?: string;
        /** Defaults to `https://identity.pagerduty.com/oauth/token`. */
        tokenUrl?: string;
      };
    };

/** PagerDuty's OAuth token endpoint. */
export const DEFAULT_PAGERDUTY_TOKEN_URL =
  'https://identity.pagerduty.com/oauth/token';

/** What the checks read; nothing more is asked for. */
const OAUTH_SCOPES = [
  'users.read',
  'oncalls.read',
  'schedules.read',
  'escalation_policies.read',
  'services.read',
  'incidents.read',
];

/** A token is renewed this long before PagerDuty says it expires. */
const RENEW_BEFORE_MS = 5 * 60_000;

/** The `Authorization` header of PagerDuty calls, and the secrets never to show. */
export interface PagerDutyCredentials {
  authorization(): Promise<string>;
  /** Forgets a token PagerDuty refused (401), so the next call gets a new one. */
  refused(): boolean;
  /** Replaces every secret in a text with `***`. */
  redact(text: string): string;
}

const redactAll = (text: string, secrets: string[]) =>
  secrets
    .filter(s => s.length > 0)
    .reduce((t, s) => t.split(s).join('***'), text);

/**
 * A Scoped OAuth app's access token (client credentials grant), fetched once for all
 * concurrent callers and renewed five minutes before it expires.
 */
class OAuthCredentials implements PagerDutyCredentials {
  private token?: { value: string; renewAt: number };
  /** Every token this app was given, so that none shows up in a message. */
  private readonly issued: string[] = [];
  private pending?: Promise<string>;
  private readonly now: () => number;

  constructor(
    private readonly oauth: Extract<PagerDutyAuth, { oauth: unknown }>['oauth'],
    private readonly options: {
      fetch: typeof fetch;
      requestTimeoutMs: number;
      maxResponseBytes: number;
      now?: () => number;
    },
  ) {
    this.now = options.now ?? Date.now;
  }

  async authorization(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) {
      return `Bearer ${this.token.value}`;
    }
    // one token request (bounded by its own timeout) for everyone asking at once
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    const value = await this.pending;
    return `Bearer ${value}`;
  }

  refused(): boolean {
    // calls refused together all retry; the first renewal is shared (see authorization)
    this.token = undefined;
    return true;
  }

  redact(text: string): string {
    return redactAll(text, [
      this.oauth.clientSecret,
      encodeURIComponent(this.oauth.clientSecret),
      ...this.issued,
    ]);
  }

  private async fetchToken(): Promise<string> {
    const { clientId, clientSecret, subDomain } = this.oauth;
    const region = this.oauth.region ?? 'us';
    const url = this.oauth.tokenUrl ?? DEFAULT_PAGERDUTY_TOKEN_URL;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: [`as_account-${region}.${subDomain}`, ...OAUTH_SCOPES].join(' '),
    });
    let res: Response;
    let text: string | undefined;
    try {
      res = await this.options.fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      if (isRedirect(res)) {
        await res.body?.cancel().catch(() => {});
        throw new PagerDutyError(
          `PagerDuty's OAuth token endpoint answered with a redirect (${res.status}), which is not followed`,
          res.status,
        );
      }
      text = await readTextWithin(res, this.options.maxResponseBytes);
    } catch (e) {
      if (e instanceof PagerDutyError) throw e;
      throw new PagerDutyError(
        this.redact(
          `PagerDuty's OAuth token endpoint could not be reached: ${describeNetworkError(
            e,
          )}`,
        ),
      );
    }
    if (text === undefined) {
      throw new PagerDutyError(
        `PagerDuty's OAuth token endpoint sent more than ${this.options.maxResponseBytes} bytes`,
        res.status,
      );
    }
    let answer: any;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (!res.ok) {
      const message =
        typeof answer?.error_description === 'string'
          ? answer.error_description.slice(0, 200)
          : errorMessageOf(text) ?? answer?.error;
      throw new PagerDutyError(
        this.redact(
          `PagerDuty refused the OAuth app's credentials (${res.status}${
            typeof message === 'string' ? `: ${message}` : ''
          }); check pagerDuty.oauth`,
        ),
        res.status,
      );
    }
    const value = answer?.access_token;
    const expiresIn = Number(answer?.expires_in);
    if (typeof value !== 'string' || value === '' || !(expiresIn > 0)) {
      throw new PagerDutyError(
        "PagerDuty's OAuth token endpoint sent no access_token with a positive expires_in",
        res.status,
      );
    }
    this.issued.push(value);
    if (this.issued.length > 10) this.issued.shift();
    const lifetimeMs = expiresIn * 1000;
    this.token = {
      value,
      // a short-lived token is renewed at half its life, a long one five minutes early
      renewAt:
        this.now() + Math.max(lifetimeMs / 2, lifetimeMs - RENEW_BEFORE_MS),
    };
    return value;
  }
}

/** Credentials for `auth`; OAuth tokens are fetched on first use and renewed early. */
export function pagerDutyCredentials(
  auth: PagerDutyAuth,
  options: {
    fetch: typeof fetch;
    requestTimeoutMs: number;
    maxResponseBytes: number;
    now?: () => number;
  },
): PagerDutyCredentials {
  if ('apiToken' in auth) {
    return {
      authorization: async () => `Token token=${auth.apiToken}`,
      refused: () => false,
      redact: text => redactAll(text, [auth.apiToken]),
    };
  }
  return new OAuthCredentials(auth.oauth, options);
}
