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
  };
}
