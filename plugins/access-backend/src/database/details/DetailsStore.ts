import { Db } from '../types';

/**
 * The access details a provisioner returned with a grant (`access_details`), sealed by the
 * details cipher before they are stored; one per request, gone when the grant ends.
 */
export interface DetailsStore {
  /** Stores a request's sealed details, replacing any it had. */
  putDetails(
    tx: Db,
    requestId: string,
    ciphertext: string,
    now: number,
  ): Promise<void>;

  /** Forgets a request's details. */
  deleteDetails(tx: Db, requestId: string): Promise<void>;

  /** The sealed details of those of these requests that have any, by request id. */
  getDetails(requestIds: string[]): Promise<Map<string, string>>;
}
