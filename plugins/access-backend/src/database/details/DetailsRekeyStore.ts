import { Knex } from 'knex';

const TABLE = 'access_details';

/** The encrypted access details, as the re-encryption task walks them. */
export class DetailsRekeyStore {
  constructor(private readonly db: Knex) {}

  /** Up to `limit` rows after `afterId`, by request id. */
  async page(
    afterId: string,
    limit: number,
  ): Promise<{ requestId: string; ciphertext: string }[]> {
    const rows = await this.db(TABLE)
      .where('request_id', '>', afterId)
      .orderBy('request_id')
      .limit(limit)
      .select('request_id', 'ciphertext');
    return rows.map(r => ({
      requestId: String(r.request_id),
      ciphertext: String(r.ciphertext),
    }));
  }

  /** Replaces a value unless it changed meanwhile (a new grant, another replica). */
  async replace(requestId: string, was: string, now: string): Promise<boolean> {
    const n = await this.db(TABLE)
      .where({ request_id: requestId, ciphertext: was })
      .update({ ciphertext: now });
    return n === 1;
  }
}
