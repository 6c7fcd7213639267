import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { AccessConfig } from '../config/AccessConfig';
import { AccessRequestService } from '../requests/AccessRequestService';
import { WebhookOutbox } from '../webhooks/WebhookOutbox';
import { AuditChain } from '../audit/AuditChain';

/** Task ids, so tests and operators can trigger them. */
export const EXPIRY_TASK_ID = 'access-expiry';
export const PENDING_TIMEOUT_TASK_ID = 'access-pending-timeout';
export const REVERIFY_TASK_ID = 'access-reverify';
export const WEBHOOKS_TASK_ID = 'access-webhooks';
export const AUDIT_SEAL_TASK_ID = 'access-audit-seal';

/**
 * Registers the access plugin's periodic work on Backstage's scheduler. Every task but the
 * expiry is global: with several backend replicas only one runs each at a time.
 */
export async function scheduleTasks(options: {
  scheduler: SchedulerService;
  service: AccessRequestService;
  config: AccessConfig;
  logger: LoggerService;
  outbox: WebhookOutbox;
  auditChain: AuditChain;
}) {
  const { scheduler, service, config, logger, outbox, auditChain } = options;
  await scheduler.scheduleTask({
    id: AUDIT_SEAL_TASK_ID,
    scope: 'global',
    frequency: { seconds: 5 },
    timeout: { minutes: 10 },
    fn: async () => {
      await auditChain.sealPending();
    },
  });
  await scheduler.scheduleTask({
    id: EXPIRY_TASK_ID,
    // Local, on every replica: a global task's lock stays with a replica that dies while
    // running it until the lock times out (10 minutes), and no grant would end meanwhile.
    // Running it on every replica is safe: each grant is claimed by a guarded update.
    scope: 'local',
    frequency: { seconds: config.expiryFrequencySeconds },
    timeout: { minutes: 10 },
    fn: async () => {
      const { ended, retried } = await service.runExpiry();
      await service.notifyExpiringSoon();
      if (ended || retried)
        logger.info(
          `access: ended ${ended} grant(s), ${retried} revocation(s) to retry`,
        );
    },
  });
  await scheduler.scheduleTask({
    id: PENDING_TIMEOUT_TASK_ID,
    scope: 'global',
    frequency: { minutes: 1 },
    timeout: { minutes: 10 },
    fn: async () => {
      const n = await service.runPendingTimeout();
      if (n) logger.info(`access: ${n} pending request(s) timed out`);
      await outbox.prune();
    },
  });
  await scheduler.scheduleTask({
    id: REVERIFY_TASK_ID,
    scope: 'global',
    frequency: { seconds: config.reverifyFrequencySeconds },
    timeout: { minutes: 10 },
    fn: async () => {
      const { checked, revoked, errors } = await service.runReverification();
      if (revoked || errors) {
        logger.info(
          `access: re-verified ${checked} grant(s), revoked ${revoked}, ${errors} could not be verified`,
        );
      }
    },
  });
  if (outbox.enabled) {
    // Changes start a delivery at once on their replica; this catches retries and
    // events whose replica died before sending.
    await scheduler.scheduleTask({
      id: WEBHOOKS_TASK_ID,
      scope: 'global',
      frequency: { seconds: 2 },
      timeout: { minutes: 5 },
      fn: async () => {
        await outbox.deliverDue();
      },
    });
  }
}
