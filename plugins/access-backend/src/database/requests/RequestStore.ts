import { AccessRequestStatus } from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import {
  Db,
  NewRequestRecord,
  PageCursor,
  RequestQuery,
  RequestRecord,
} from '../types';

/** Fields a state change may write. `null` clears a field. */
export type RequestPatch = Partial<{
  [K in keyof RequestRecord]: RequestRecord[K] | null;
}>;

/** Conditions a guarded update checks, so that only one of several racing writers wins. */
export interface UpdateGuard {
  status: AccessRequestStatus;
  awaiting?: RequestRecord['awaiting'] | null;
  /** Only if access has not run out yet (`expires_at > now`). */
  notExpiredAt?: number;
  /** Only if access has run out (`expires_at <= now`). */
  expiredAt?: number;
  /** Only if no revocation has been decided. */
  notEnding?: boolean;
  /** Only while a revocation or clean-up is still to be done. */
  ending?: boolean;
}

/**
 * Access requests (`access_requests`) with the rows that index them: the entities they
 * name and the approvers' queue. Times are epoch milliseconds.
 */
export interface RequestStore {
  /** Inserts a new request with its entity rows and, if it has approvers, their queue rows. */
  insertRequest(tx: Db, r: NewRequestRecord): Promise<void>;

  /** A request by id. */
  getRequest(id: string, db?: Db): Promise<RequestRecord | undefined>;

  /** Reads a request and, on PostgreSQL, locks its row until the transaction ends. */
  lockRequest(
    tx: Knex.Transaction,
    id: string,
  ): Promise<RequestRecord | undefined>;

  /** The requests of one submission, by id. */
  getRequestsByGroup(groupId: string, db?: Db): Promise<RequestRecord[]>;

  /**
   * Updates a request only while it is still in the state the caller saw, and keeps the
   * approvers' queue in step when the patch changes `awaiting`.
   *
   * @returns false when another writer got there first.
   * @throws when the patch names a field that a state change does not write.
   */
  updateRequest(
    tx: Db,
    id: string,
    guard: UpdateGuard,
    patch: RequestPatch,
    now: number,
  ): Promise<boolean>;

  /**
   * One page of requests, newest first, after `page.cursor`. The `approvals` view without
   * statuses is the approver's open queue: what waits for their decision.
   */
  listRequests(
    query: RequestQuery,
    page: { cursor?: PageCursor; limit: number },
  ): Promise<RequestRecord[]>;

  /** Requests left in `granting` since before the cut-off (the backend died mid-grant). */
  findStuckGranting(cutoff: number, limit: number): Promise<RequestRecord[]>;

  /**
   * Grants that must end now: run out, or revocation decided and due for a (re)try;
   * soonest expiry first.
   */
  findGrantsToEnd(now: number, limit: number): Promise<RequestRecord[]>;

  /**
   * Whether some access waits longer than it should to end: a grant that ran out before
   * `cutoff`, or a decided revocation or clean-up due since before `cutoff` that nobody
   * retried (the replica running the expiry task may have died).
   */
  hasOverdueEnds(cutoff: number): Promise<boolean>;

  /**
   * Ends, in one statement, up to `limit` grants that ran out and need no provisioner
   * call (their provisioner changes nothing outside Backstage), and drops their details:
   * the bulk path of expiry. Grants with a pending extension are left to the one-by-one
   * path. On PostgreSQL, rows another replica holds are skipped.
   *
   * @returns the ended requests as they are now.
   */
  expireWithoutProvisioner(
    tx: Knex.Transaction,
    opts: { now: number; provisioners: string[]; limit: number },
  ): Promise<RequestRecord[]>;

  /**
   * Active grants approved by one of these checks, in id order from `afterId` (up to
   * `untilId` included, when given), leaving out those that still stand on a person's
   * approval at `now` (`reverifyAfter` in the future).
   */
  findGrantsApprovedBy(
    checkIds: string[],
    afterId: string | undefined,
    limit: number,
    now: number,
    untilId?: string,
  ): Promise<RequestRecord[]>;

  /** Active grants ending before the cut-off whose holder was not yet told. */
  findExpiringUnnotified(
    cutoff: number,
    limit: number,
  ): Promise<RequestRecord[]>;

  /**
   * Marks the holder as told that access ending at `expiresAt` ends soon.
   *
   * @returns false when someone else did it first, or an extension moved the expiry.
   */
  markExpiryNotified(
    id: string,
    expiresAt: number,
    now: number,
  ): Promise<boolean>;

  /** Pending requests still waiting for their checks, created before the cut-off. */
  findUndecided(cutoff: number, limit: number): Promise<RequestRecord[]>;

  /** Failed grants whose partial work is still to be undone, due for a (re)try. */
  findFailedCleanup(now: number, limit: number): Promise<RequestRecord[]>;

  /** Active grants whose extension the target has not confirmed, due for a try. */
  findExtendsDue(now: number, limit: number): Promise<RequestRecord[]>;

  /** The target confirmed the extension to `expiresAt` (unless a later one moved it). */
  clearExtendPending(id: string, expiresAt: number): Promise<void>;

  /** Pending requests created before the cut-off. */
  findPendingBefore(cutoff: number, limit: number): Promise<RequestRecord[]>;
}
