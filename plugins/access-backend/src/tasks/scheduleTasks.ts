import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { AccessConfig } from '../config/AccessConfig';
import { AccessRequestService } from '../requests/AccessRequestService';
import { WebhookOutbox } from '../webhooks/WebhookOutbox';
import { AuditChain } from '../audit/AuditChain';
import {
  DETAILS_REKEY_TASK_ID,
  rekeyDetails,
} from '../provisioning/rekeyDetails';

/**
 * Task ids, so tests and operators can trigger them. This one ends access that ran out or
 * was revoked, retries calls to the target that failed, and tells holders their access
 * ends soon.
 * @public
 */
export const EXPIRY_TASK_ID = 'access-expiry';
export const EXPIRY_WATCHDOG_TASK_ID = 'access-expiry-watchdog';
/**
 * The task that times out requests left pending too long; it also finishes grants and
 * checks a crash interrupted, forgets day-old idempotency keys and prunes delivered
 * outbound webhooks.
 * @public
 */
export const PENDING_TIMEOUT_TASK_ID = 'access-pending-timeout';
/** The task that re-verifies the checks of active access and revokes what fails. @public */
export const REVERIFY_TASK_ID = 'access-reverify';
export const WEBHOOKS_TASK_ID = 'access-webhooks';
export const AUDIT_SEAL_TASK_ID = 'access-audit-seal';

/** One periodic job: Backstage's task definition without the scope (see `local`). */
type AccessTask = Omit<
  Parameters<SchedulerService['scheduleTask']>[0],
  'scope'
> & {
  /** Runs on every replica instead of on one at a time. */
  local?: boolean;
};

/**
 * Registers the access plugin's periodic work on Backstage's scheduler. A global task's
 * timeout is also how long a replica that dies while running it keeps the others from
 * running it, so each is kept near what one run needs; every task is safe to overlap. Every
 * task but the expiry watchdog is global: with several backend replicas only one runs each
 * at a time.
 */
export async function scheduleTasks(options: {
  scheduler: SchedulerService;
  service: AccessRequestService;
  config: AccessConfig;
  logger: LoggerService;
  outbox: WebhookOutbox;
  auditChain: AuditChain;
  /** Moves access details onto the current key. */
  rekey: Parameters<typeof rekeyDetails>[0];
}) {
  for (const { local, ...task } of accessTasks(options)) {
    await options.scheduler.scheduleTask({
      ...task,
      scope: local ? 'local' : 'global',
    });
  }
}

function accessTasks(
  options: Omit<Parameters<typeof scheduleTasks>[0], 'scheduler'>,
): AccessTask[] {
  const { service, config, logger, outbox, auditChain, rekey } = options;
  // A replica that dies while running the global expiry task keeps its lock until the
  // task's timeout (10 minutes), and no grant would end meanwhile. So every replica looks
  // each period for access overdue by three periods (at least 10 s) and then ends it
  // itself. Safe with several replicas: every grant is claimed by a guarded update.
  const overdueMs = Math.max(3 * config.expiryFrequencySeconds, 10) * 1000;
  const tasks: AccessTask[] = [
    {
      id: DETAILS_REKEY_TASK_ID,
      frequency: { hours: 1 },
      timeout: { minutes: 10 },
      fn: async () => {
        await rekeyDetails(rekey);
      },
    },
    {
      id: AUDIT_SEAL_TASK_ID,
      frequency: { seconds: 5 },
      timeout: { minutes: 1 },
      fn: async () => {
        await auditChain.sealPending();
      },
    },
    {
      id: EXPIRY_TASK_ID,
      frequency: { seconds: config.expiryFrequencySeconds },
      timeout: { minutes: 10 },
      fn: async () => {
        const { ended, retried } =
          await service.expiry.endGrantsAndRetryTargetCalls();
        await service.expiringSoon.notifyExpiringSoon();
        if (ended || retried)
          logger.info(
            `access: ended ${ended} grant(s), ${retried} revocation(s) to retry`,
          );
      },
    },
    {
      id: EXPIRY_WATCHDOG_TASK_ID,
      local: true,
      frequency: { seconds: config.expiryFrequencySeconds },
      timeout: { minutes: 10 },
      fn: async () => {
        if (!(await service.expiry.hasOverdueEnds(overdueMs))) return;
        const { ended, retried } =
          await service.expiry.endGrantsAndRetryTargetCalls();
        logger.warn(
          `access: access overdue by more than ${
            overdueMs / 1000
          }s (is the replica running ${EXPIRY_TASK_ID} gone?); ended ${ended} grant(s) here, ${retried} revocation(s) to retry`,
        );
      },
    },
    {
      id: PENDING_TIMEOUT_TASK_ID,
      frequency: { minutes: 1 },
      timeout: { minutes: 2 },
      // The id says the first job only; it is kept because the scheduler stores it and the
      // package exports it. Crash recovery runs before the timeout, so that a request whose
      // checks never finished is decided rather than timed out.
      fn: async () => {
        await service.crashRecovery.regrantStuckGrants();
        await service.submissions.forgetOldIdempotencyKeys();
        await service.crashRecovery.rerunUnfinishedChecks();
        const n = await service.pendingTimeout.timeOutUndecidedRequests();
        if (n) logger.info(`access: ${n} pending request(s) timed out`);
        await outbox.prune();
      },
    },
    {
      id: REVERIFY_TASK_ID,
      frequency: { seconds: config.reverifyFrequencySeconds },
      timeout: { minutes: 5 },
      // The scheduler aborts the signal at the task's timeout (and on shutdown); the run
      // then stops between grants instead of going on unlocked.
      fn: async signal => {
        const { checked, revoked, errors, stopped } =
          await service.reverification.reverifyAndRevoke({ signal });
        if (revoked || errors || stopped) {
          logger.info(
            `access: re-verified ${checked} grant(s), revoked ${revoked}, ${errors} could not be verified${
              stopped
                ? '; stopped early (task timeout or shutdown), the next run goes on from there'
                : ''
            }`,
          );
        }
      },
    },
  ];
  if (outbox.enabled) {
    // Changes start a delivery at once on their replica; this catches retries and
    // events whose replica died before sending.
    tasks.push({
      id: WEBHOOKS_TASK_ID,
      frequency: { seconds: 2 },
      timeout: { minutes: 2 },
      fn: async () => {
        await outbox.deliverDue();
      },
    });
  }
  return tasks;
}
