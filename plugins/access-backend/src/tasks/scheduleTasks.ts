import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { AccessConfig } from '../config/AccessConfig';
import { AccessRequestService } from '../requests/AccessRequestService';

/** Task ids, so tests and operators can trigger them. */
export const EXPIRY_TASK_ID = 'access-expiry';
export const PENDING_TIMEOUT_TASK_ID = 'access-pending-timeout';
export const REVERIFY_TASK_ID = 'access-reverify';

/**
 * Registers the access plugin's periodic work on Backstage's scheduler. Every task is
 * global: with several backend replicas only one runs each at a time.
 */
export async function scheduleTasks(options: {
  scheduler: SchedulerService;
  service: AccessRequestService;
  config: AccessConfig;
  logger: LoggerService;
}) {
  const { scheduler, service, config, logger } = options;
  await scheduler.scheduleTask({
    id: EXPIRY_TASK_ID,
    scope: 'global',
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
}
