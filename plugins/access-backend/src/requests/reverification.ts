import { AccessCheckResult } from '@jit-access/plugin-access-common';
import { CheckRegistry } from '../checks/CheckRegistry';
import { RequestRecord } from '../database/types';
import { CatalogDirectory } from '../flows/CatalogDirectory';
import { RequestReadStore } from './RequestDeps';

/** The `access_settings` key holding the last grant the re-verification task checked. */
export const REVERIFY_CURSOR_KEY = 'reverify-cursor';

/**
 * The grants to re-verify, in id order from just after the last one any run checked,
 * wrapping around to the first once, so that a run the scheduler stops (timeout,
 * shutdown) is continued by the next instead of starting over: with slow checks the
 * grants at the end would otherwise never be reached. The position is kept in the
 * database, not in memory, because the scheduler runs the task on whichever replica is
 * free; it is saved after each grant, so a replica that dies costs at most one.
 */
export async function* grantsInTurn(options: {
  store: RequestReadStore;
  checkIds: string[];
  now: () => number;
  stopped: () => boolean;
}): AsyncGenerator<RequestRecord> {
  const { store, checkIds, now, stopped } = options;
  if (!checkIds.length) return;
  const start = await store.settings.getSetting(REVERIFY_CURSOR_KEY);
  // First from the cursor to the end, then from the start up to the cursor.
  for (const lap of start ? [start, undefined] : [undefined]) {
    let afterId = lap;
    for (;;) {
      if (stopped()) return;
      const batch = await store.requests.findGrantsApprovedBy(
        checkIds,
        afterId,
        100,
        now(),
        lap === undefined ? start : undefined,
      );
      if (!batch.length) break;
      for (const r of batch) {
        if (stopped()) return;
        yield r;
        await store.settings.putSetting(REVERIFY_CURSOR_KEY, r.id);
      }
      afterId = batch[batch.length - 1].id;
    }
  }
}

/**
 * A `failed` result when the catalog answered that the grant's requester no longer
 * exists: a deleted user keeps no access (an outage, where it could not tell, is not this).
 */
export async function requesterGone(options: {
  directory: CatalogDirectory;
  checks: CheckRegistry;
  checkId: string;
  requester: string;
  now: number;
}): Promise<AccessCheckResult | undefined> {
  const { directory, requester } = options;
  const user = await directory.findUser(requester).then(
    u => u ?? null,
    () => undefined,
  );
  if (user !== null) return undefined;
  return {
    ...options.checks.unverified(
      options.checkId,
      `the requester ${requester} is no longer in the catalog`,
      options.now,
    ),
    outcome: 'failed',
  };
}
