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
import { readAccessConfig } from './config/readAccessConfig';
import { DetailsCipher } from './provisioning/DetailsCipher';
import { webhookProvisionerFactory } from './provisioning/webhookProvisioner';
import { AccessStore } from './database/AccessStore';
import { OutboxStore } from './database/OutboxStore';
import { AuditChainStore } from './database/AuditChainStore';
import { AuditChain } from './audit/AuditChain';
import { ChainKeys, legacyChainKey } from './audit/chainKeys';
import { readChainPins } from './audit/chainState';
import { isProduction, readKeys } from './keys/readKeys';
import { retireDevKeys } from './keys/devKeysLeft';
import { DetailsRekeyStore } from './database/details/DetailsRekeyStore';
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
        const keyConfig = readKeys(deps.config, deps.logger);
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
        // Outside production a missing key is generated and kept in the database (which
        // protects nothing); in production readKeys refused to start without it.
        const keys = await keyConfig.resolve((name, make) =>
          store.settings.getOrCreateSetting(name, make),
        );
        if (isProduction(deps.config)) {
          await retireDevKeys({ db: store.db, keys, logger: deps.logger });
        }
        const cipher = new DetailsCipher(keys.details);
        const outbox = new WebhookOutbox({
          store: new OutboxStore(store.db),
          webhooks: accessConfig.webhooks,
          clock: deps.clock,
          logger: deps.logger,
        });
        const auditChain = new AuditChain({
          store: new AuditChainStore(store.db),
          keys: new ChainKeys(
            keys.audit,
            // Entries sealed before key ids: keyed from a details key of that time, still
            // configured or retired to access.audit.legacyKeys; never from an audit key.
            [...keys.details.all.map(k => k.key), ...keys.legacy].map(
              legacyChainKey,
            ),
          ),
          pins: readChainPins(deps.config, deps.logger),
          logger: deps.logger,
          auditor: deps.auditor,
          outbox,
          now: () => deps.clock.now(),
        });
        await auditChain.start();
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
          rekey: {
            store: new DetailsRekeyStore(store.db),
            cipher,
            logger: deps.logger,
          },
        });
        deps.logger.info(
          `access: ${accessConfig.flows.length} flow(s), ${accessConfig.bundles.length} bundle(s), ${accessConfig.webhooks.length} webhook(s), expiry every ${accessConfig.expiryFrequencySeconds}s`,
        );
      },
    });
  },
});
