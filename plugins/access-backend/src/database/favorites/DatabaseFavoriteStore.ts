import { Knex } from 'knex';
import { toRequestRecord } from '../rows';
import { RequestRecord } from '../types';
import { FavoriteStore } from './FavoriteStore';

/** {@link FavoriteStore} on SQLite or PostgreSQL through knex. */
export class DatabaseFavoriteStore implements FavoriteStore {
  constructor(private readonly db: Knex) {}

  async favoritesOf(user: string, requestIds: string[]): Promise<Set<string>> {
    if (!requestIds.length) return new Set();
    const rows = await this.db('access_favorites')
      .where('user_ref', user)
      .whereIn('request_id', requestIds);
    return new Set(rows.map(r => r.request_id));
  }

  async setFavorite(
    user: string,
    requestId: string,
    on: boolean,
    now: number,
  ): Promise<void> {
    if (on) {
      await this.db('access_favorites')
        .insert({ user_ref: user, request_id: requestId, created_at: now })
        .onConflict(['user_ref', 'request_id'])
        .ignore();
    } else {
      await this.db('access_favorites')
        .where({ user_ref: user, request_id: requestId })
        .delete();
    }
  }

  async listFavoriteRequests(
    user: string,
    limit: number,
  ): Promise<RequestRecord[]> {
    const rows = await this.db('access_requests as r')
      .join('access_favorites as f', 'f.request_id', 'r.id')
      .where('f.user_ref', user)
      .select('r.*')
      .orderBy('f.created_at', 'desc')
      .limit(limit);
    return rows.map(toRequestRecord);
  }
}
