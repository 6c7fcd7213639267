import { LoggerService } from '@backstage/backend-plugin-api';
import { PagerDutyClient, PagerDutyError } from './PagerDutyClient';
import { PagerDutyAccountOptions } from './readClientOptions';

/**
 * An entity names an account that is not configured: a fact of the config, not an outage,
 * so the check does not pass (and re-verification revokes) rather than reporting an error.
 */
export class UnknownPagerDutyAccountError extends PagerDutyError {}

/**
 * One client (and cache) per configured PagerDuty account, made on first use; an entity's
 * `pagerduty.com/account` annotation picks its account.
 */
export class PagerDutyAccounts {
  private readonly clients = new Map<string, PagerDutyClient>();

  constructor(
    private readonly options: PagerDutyAccountOptions,
    private readonly logger?: LoggerService,
  ) {}

  /**
   * The client of `account`, or of the default account when none is named (or when only
   * `pagerDuty.apiToken` or `pagerDuty.oauth` is configured, as PagerDuty's plugin does).
   */
  client(account?: string): PagerDutyClient {
    const id = (!this.options.single && account) || this.options.defaultAccount;
    let client = this.clients.get(id);
    if (!client) {
      const options = this.options.accounts.get(id);
      if (!options) {
        throw new UnknownPagerDutyAccountError(
          `no PagerDuty account "${id}" in pagerDuty.accounts (named by a pagerduty.com/account annotation)`,
        );
      }
      client = new PagerDutyClient({ ...options, logger: this.logger });
      this.clients.set(id, client);
    }
    return client;
  }
}
