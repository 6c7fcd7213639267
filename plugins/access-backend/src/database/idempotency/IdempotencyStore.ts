import { Db } from '../types';

/** What a submission's idempotency key stands for. */
export interface IdempotencyRecord {
  /** Hash of the body first sent with the key: a retry must send the same. */
  bodyHash: string;
  /** The request group that submission created. */
  groupId: string;
}

/** A principal's key, what it stands for and when it was first used. */
export interface IdempotencyEntry extends IdempotencyRecord {
  principal: string;
  key: string;
  createdAt: number;
}

/**
 * Idempotency keys of submissions (`access_idempotency`), so that a retried submission
 * returns the requests it created the first time instead of creating them again.
 */
export interface IdempotencyStore {
  /** What a principal's key stands for, if it was used. */
  getIdempotency(
    db: Db,
    principal: string,
    key: string,
  ): Promise<IdempotencyRecord | undefined>;

  /** Records a key with the submission it created; fails if the key is taken. */
  insertIdempotency(tx: Db, entry: IdempotencyEntry): Promise<void>;

  /**
   * Forgets keys older than the cut-off (retries come within minutes).
   *
   * @returns how many were deleted.
   */
  deleteIdempotencyBefore(cutoff: number): Promise<number>;
}
