import { HumanDuration } from '@backstage/types';

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
     * A PagerDuty REST API key (read-only is enough). Required once a PagerDuty check is
     * configured under `access.checks`.
     * @visibility secret
     */
    apiToken?: string;
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
