import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { accessChecksExtensionPoint } from '@jit-access/plugin-access-node';
import { PagerDutyClient } from './client/PagerDutyClient';
import { readPagerDutyClientOptions } from './client/readClientOptions';
import { createIncidentCheckFactory } from './checks/incidentCheck';
import { createOnCallCheckFactory } from './checks/onCallCheck';

/**
 * Adds the PagerDuty check types `pagerduty-oncall` and `pagerduty-incident` to JIT Access.
 *
 * Reads `pagerDuty.apiBaseUrl` (default `https://api.pagerduty.com`) and
 * `pagerDuty.apiToken`, the keys of PagerDuty's own Backstage plugin, and
 * `pagerDuty.answerCacheTtl` (default 30s) and `pagerDuty.maxResponseBytes` (default 1 MB).
 * They are only read, and the token only required, once a PagerDuty check is configured.
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
        let client: PagerDutyClient | undefined;
        // one client (and cache) for every PagerDuty check, made when the first is configured
        const getClient = (type: string) => () => {
          if (!client) {
            client = new PagerDutyClient({
              ...readPagerDutyClientOptions(config, type),
              logger,
            });
          }
          return client;
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
