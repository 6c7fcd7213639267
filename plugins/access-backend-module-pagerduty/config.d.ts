import { HumanDuration } from '@backstage/types';

/** A PagerDuty Scoped OAuth app (client credentials). */
interface PagerDutyOAuthAppConfig {
  clientId: string;
  clientSecret: string;
  /** The account's subdomain: `acme` for acme.pagerduty.com. */
  subDomain: string;
  /** `us` (default) or `eu`; with `eu`, `apiBaseUrl` defaults to https://api.eu.pagerduty.com. */
  region?: string;
  /** PagerDuty's token endpoint, for a proxy or tests; default https://identity.pagerduty.com/oauth/token. */
  tokenUrl?: string;
}

export interface Config {
  /**
   * PagerDuty, as used by the JIT Access checks `pagerduty-oncall` and
   * `pagerduty-incident`. The same keys as PagerDuty's own Backstage plugin.
   */
  pagerDuty?: {
    /**
     * Base URL of the PagerDuty REST API v2, e.g. `https://api.eu.pagerduty.com`.
     * Defaults to `https://api.pagerduty.com`.
     */
    apiBaseUrl?: string;
    /**
     * A PagerDuty REST API key (read-only is enough). This, `oauth` or `accounts` is
     * required once a PagerDuty check is configured under `access.checks`.
     * @visibility secret
     */
    apiToken?: string;
    /**
     * A PagerDuty Scoped OAuth app (client credentials), instead of `apiToken`; its token is
     * fetched at first use and renewed before it expires. Scopes asked for: users.read,
     * oncalls.read, schedules.read, escalation_policies.read, services.read, incidents.read.
     * @deepVisibility secret
     */
    oauth?: PagerDutyOAuthAppConfig;
    /**
     * Several PagerDuty accounts, as PagerDuty's own plugin configures them; an entity's
     * `pagerduty.com/account` annotation names the one it is checked in, the default one
     * otherwise. When set, `apiToken` and `oauth` above are not used.
     * @deepVisibility secret
     */
    accounts?: Array<{
      id: string;
      /** The account of entities without a `pagerduty.com/account` annotation; needed with more than one account. */
      isDefault?: boolean;
      apiToken?: string;
      /** @deepVisibility secret */
      oauth?: PagerDutyOAuthAppConfig;
      apiBaseUrl?: string;
      /** Read by PagerDuty's own plugin; not used by the checks. */
      eventsBaseUrl?: string;
    }>;
    /**
     * How long an on-call or incident answer is reused for the same requester and
     * schedules, escalation policies or services, so that one submission of many resources
     * does not ask PagerDuty the same question many times. `30s` by default; `0s` keeps
     * nothing; at most `5m`. A number is seconds. Re-verification (`revokeWhenOffCall`)
     * always asks afresh; answers PagerDuty did not give (errors) are never kept.
     */
    answerCacheTtl?: string | number | HumanDuration;
    /**
     * The largest PagerDuty answer body read, in bytes (default 1048576, 1 MB; at least
     * 1024). A larger answer is an error: the check could not verify.
     */
    maxResponseBytes?: number;
  };
}
