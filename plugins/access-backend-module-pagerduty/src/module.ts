import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { accessChecksExtensionPoint } from '@jit-access/plugin-access-node';
import {
  DEFAULT_PAGERDUTY_API_BASE_URL,
  PagerDutyClient,
} from './client/PagerDutyClient';
import { createIncidentCheckFactory } from './checks/incidentCheck';
import { createOnCallCheckFactory } from './checks/onCallCheck';

/**
 * Adds the PagerDuty check types `pagerduty-oncall` and `pagerduty-incident` to JIT Access.
 *
 * Reads `pagerDuty.apiBaseUrl` (default `https://api.pagerduty.com`) and
 * `pagerDuty.apiToken`, the keys of PagerDuty's own Backstage plugin. The token is only
 * required once a PagerDuty check is configured.
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
            const apiToken = config.getOptionalString('pagerDuty.apiToken');
            if (!apiToken) {
              throw new Error(
                `type: ${type} checks need pagerDuty.apiToken (a PagerDuty REST API key) in the app config`,
              );
            }
            client = new PagerDutyClient({
              apiToken,
              apiBaseUrl:
                config.getOptionalString('pagerDuty.apiBaseUrl') ??
                DEFAULT_PAGERDUTY_API_BASE_URL,
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
