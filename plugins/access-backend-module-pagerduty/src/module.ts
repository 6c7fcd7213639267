import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { accessChecksExtensionPoint } from '@jit-access/plugin-access-node';
import { PagerDutyAccounts } from './client/PagerDutyAccounts';
import { readPagerDutyAccounts } from './client/readClientOptions';
import { createIncidentCheckFactory } from './checks/incidentCheck';
import { createOnCallCheckFactory } from './checks/onCallCheck';

/**
 * Adds the PagerDuty check types `pagerduty-oncall` and `pagerduty-incident` to JIT Access.
 *
 * Reads the keys of PagerDuty's own Backstage plugin: `pagerDuty.apiToken` or
 * `pagerDuty.oauth` (a Scoped OAuth app) with `pagerDuty.apiBaseUrl`, or
 * `pagerDuty.accounts[]` (an entity's `pagerduty.com/account` annotation picks one); and
 * `pagerDuty.answerCacheTtl` (default 30s) and `pagerDuty.maxResponseBytes` (default 1 MB).
 * They are only read, and credentials only required, once a PagerDuty check is configured.
 *
 * @public
 */
export const accessModulePagerDuty = createBackendModule({
  pluginId: 'access',
  moduleId: 'pagerduty',
  register(reg) {
    reg.registerInit({
      deps: {
        checks: accessChecksExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ checks, config, logger }) {
        let accounts: PagerDutyAccounts | undefined;
        // the accounts are read when the first PagerDuty check is configured, and their
        // clients (and caches) are shared by every PagerDuty check
        const getClient = (type: string) => (account?: string) => {
          accounts ??= new PagerDutyAccounts(
            readPagerDutyAccounts(config, type),
            logger,
          );
          return accounts.client(account);
        };
        checks.addCheckType(
          createOnCallCheckFactory({
            getClient: getClient('pagerduty-oncall'),
          }),
        );
        checks.addCheckType(
          createIncidentCheckFactory({
            getClient: getClient('pagerduty-incident'),
          }),
        );
      },
    });
  },
});
