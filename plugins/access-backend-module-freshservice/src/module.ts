import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { accessEventSinksExtensionPoint } from '@jit-access/plugin-access-node';
import { readFreshserviceSettings } from './config';
import { FreshserviceClient } from './FreshserviceClient';
import { createFreshserviceTicketSink } from './ticketSink';

/**
 * Writes access request status back to the Freshservice tickets that filed them: a note
 * on each decision, grant, extension and end, and the ticket resolved when access ends
 * (or will never start). Configured under `freshservice`; without it, does nothing.
 *
 * @public
 */
export const accessModuleFreshservice = createBackendModule({
  pluginId: 'access',
  moduleId: 'freshservice',
  register(reg) {
    reg.registerInit({
      deps: {
        sinks: accessEventSinksExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ sinks, config, logger }) {
        const settings = readFreshserviceSettings(config);
        if (!settings) {
          logger.warn(
            'access: the Freshservice module is installed but freshservice is not configured; no ticket is updated',
          );
          return;
        }
        sinks.addEventSink(
          createFreshserviceTicketSink({
            client: new FreshserviceClient({
              baseUrl: settings.baseUrl,
              apiKey: settings.apiKey,
              timeoutMs: settings.timeoutMs,
            }),
            services: settings.services,
            privateNotes: settings.privateNotes,
            resolvedStatus: settings.resolvedStatus,
            appBaseUrl: settings.appBaseUrl,
            logger,
            // two calls, each with its own timeout, and a few 429s waited out
            timeoutMs: settings.timeoutMs * 2 + 60_000,
          }),
        );
      },
    });
  },
});
