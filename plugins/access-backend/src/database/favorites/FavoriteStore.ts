import { RequestRecord } from '../types';

/** The requests each user starred (`access_favorites`). */
export interface FavoriteStore {
  /** Which of these requests the user starred. */
  favoritesOf(user: string, requestIds: string[]): Promise<Set<string>>;

  /** Stars or unstars a request; doing either twice changes nothing. */
  setFavorite(
    user: string,
    requestId: string,
    on: boolean,
    now: number,
  ): Promise<void>;

  /** Up to `limit` of the requests the user starred, most recently starred first. */
  listFavoriteRequests(user: string, limit: number): Promise<RequestRecord[]>;
}
