import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { accessPermissions } from '@jit-access/plugin-access-common';
import {
  AccessCheckFactory,
  accessChecksExtensionPoint,
  AccessProvisionerFactory,
  accessProvisionersExtensionPoint,
} from '@jit-access/plugin-access-node';
import { CheckRegistry } from './checks/CheckRegistry';
import { webhookCheckFactory } from './checks/webhookCheck';
import { accessClockServiceRef } from './clock';
import { AccessConfigError, readAccessConfig } from './config/readAccessConfig';
import { DetailsCipher } from './provisioning/DetailsCipher';
import { webhookProvisionerFactory } from './provisioning/webhookProvisioner';
import { AccessStore } from './database/AccessStore';
import { OutboxStore } from './database/OutboxStore';
import { AuditChainStore } from './database/AuditChainStore';
import { AuditChain } from './audit/AuditChain';
import { WebhookOutbox } from './webhooks/WebhookOutbox';
import { AccessEvents } from './events/AccessEvents';
import { CatalogDirectory } from './flows/CatalogDirectory';
import { FlowResolver } from './flows/FlowResolver';
import { warnAboutUntrustedFlows } from './flows/entityTrust';
import { ProvisionerRegistry } from './provisioning/ProvisionerRegistry';
import { AccessRequestService } from './requests/AccessRequestService';
import { createRouter } from './service/router';
import { scheduleTasks } from './tasks/scheduleTasks';
import { logIfPermissionsDisabled } from './config/permissionFramework';

/**
 * The JIT Access backend plugin: access flows, requests, approvals and expiry,
 * served under `/api/access`.
 *
 * @public
 */
export const accessPlugin = createBackendPlugin({
  pluginId: 'access',
  register(env) {
    const provisionerFactories: AccessProvisionerFactory[] = [
      webhookProvisionerFactory,
    ];
    env.registerExtensionPoint(accessProvisionersExtensionPoint, {
      addProvisionerType(factory) {
        if (
          factory.type === 'none' ||
          provisionerFactories.some(f => f.type === factory.type)
        ) {
          throw new Error(
            `Provisioner type "${factory.type}" is already registered`,
          );
        }
        provisionerFactories.push(factory);
      },
    });

    const checkFactories: AccessCheckFactory[] = [webhookCheckFactory];
    env.registerExtensionPoint(accessChecksExtensionPoint, {
      addCheckType(factory) {
        if (checkFactories.some(f => f.type === factory.type)) {
          throw new Error(`Check type "${factory.type}" is already registered`);
        }
        checkFactories.push(factory);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
        clock: accessClockServiceRef,
      },
      async init(deps) {
        const accessConfig = readAccessConfig(deps.config, {
          provisionerTypes: ['none', ...provisionerFactories.map(f => f.type)],
          checkTypes: checkFactories.map(f => f.type),
        });
        logIfPermissionsDisabled(deps.config, deps.logger);
        const store = await AccessStore.create(deps.database);
        const directory = new CatalogDirectory(deps.catalog, deps.auth, () =>
          deps.clock.now(),
        );
        const resolver = new FlowResolver(accessConfig.flows, directory);
        const provisioners = await ProvisionerRegistry.create({
          config: deps.config,
          provisioners: accessConfig.provisioners,
          factories: provisionerFactories,
          logger: deps.logger,
        });
        warnAboutUntrustedFlows(
          accessConfig.flows,
          provisioners.noopIds(),
          deps.logger,
        );
        const checks = await CheckRegistry.create({
          config: deps.config,
          checks: accessConfig.checks,
          factories: checkFactories,
          logger: deps.logger,
        });
        // Access details are encrypted at rest; without a configured key a development key is
        // generated once and kept in the database, which protects nothing.
        const configuredKey = deps.config.getOptionalString(
          'access.encryption.key',
        );
        if (!configuredKey) {
          deps.logger.warn(
            'access: access.encryption.key is not set; using a generated development key stored in the database. Set it (openssl rand -base64 32) in production.',
          );
        }
        let cipher: DetailsCipher;
        try {
          cipher = DetailsCipher.fromBase64(
            configuredKey ??
              (await store.getOrCreateSetting(
                'dev-details-key',
                DetailsCipher.generateKey,
              )),
          );
        } catch (e) {
          throw new AccessConfigError([
            `access.encryption.key: ${(e as Error).message}`,
          ]);
        }
        const outbox = new WebhookOutbox({
          store: new OutboxStore(store.db),
          webhooks: accessConfig.webhooks,
          clock: deps.clock,
          logger: deps.logger,
        });
        const auditChain = new AuditChain({
          store: new AuditChainStore(store.db),
          key: cipher.deriveKey('audit chain v1'),
          logger: deps.logger,
          auditor: deps.auditor,
          outbox,
          now: () => deps.clock.now(),
        });
        const events = new AccessEvents({
          logger: deps.logger,
          auditor: deps.auditor,
          notifications: deps.notifications,
          signals: deps.signals,
          outbox,
        });
        const service = new AccessRequestService({
          store,
          resolver,
          directory,
          provisioners,
          checks,
          cipher,
          events,
          clock: deps.clock,
          config: accessConfig,
          logger: deps.logger,
          outbox,
        });

        deps.permissionsRegistry.addPermissions(accessPermissions);
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            service,
            resolver,
            directory,
            store,
            config: accessConfig,
            auditChain,
          }),
        );
        await scheduleTasks({
          scheduler: deps.scheduler,
          service,
          config: accessConfig,
          logger: deps.logger,
          outbox,
          auditChain,
        });
        deps.logger.info(
          `access: ${accessConfig.flows.length} flow(s), ${accessConfig.bundles.length} bundle(s), ${accessConfig.webhooks.length} webhook(s), expiry every ${accessConfig.expiryFrequencySeconds}s`,
        );
      },
    });
  },
});
