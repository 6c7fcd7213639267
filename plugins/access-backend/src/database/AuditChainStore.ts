import { Knex } from 'knex';

/** An audit row as the chain sees it: the stored text, byte for byte. */
export interface ChainRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  requestId: string | null;
  severity: string;
  fromStatus: string | null;
  toStatus: string | null;
  details: string;
  seq: string | null;
  prevHash: string | null;
  hash: string | null;
  /** The audit key that sealed it; null when sealed before key ids. */
  keyId: string | null;
}

type Row = Record<string, any>;

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function toChainRow(r: Row): ChainRow {
  return {
    id: String(r.id),
    at: String(r.at),
    actor: r.actor,
    action: r.action,
    requestId: str(r.request_id),
    severity: r.severity,
    fromStatus: str(r.from_status),
    toStatus: str(r.to_status),
    details: String(r.details),
    seq: str(r.seq),
    prevHash: str(r.prev_hash),
    hash: str(r.hash),
    keyId: str(r.key_id),
  };
}

const TABLE = 'access_audit';
/** The `access_settings` row holding the highest head ever sealed. */
const MARK = 'audit-chain-mark';
/** The `access_settings` row recording how far the chain went before key ids. */
const LEGACY = 'audit-chain-legacy';

/** A place in the chain: an entry's `seq` and seal (`{ seq: 0, hash: '' }` before the first). */
export interface ChainHead {
  seq: number;
  hash: string;
}
/** Any constant: the advisory lock that lets one sealer run at a time on PostgreSQL. */
const SEAL_LOCK = 7_104_211;

/** Storage for the audit chain's seals (`seq`, `prev_hash`, `hash` on `access_audit`). */
export class AuditChainStore {
  constructor(private readonly db: Knex) {}

  private get isPg() {
    return this.db.client.config.client === 'pg';
  }

  /**
   * Runs fn with the seal lock held: one sealer at a time across replicas (SQLite has one
   * writer anyway).
   */
  async sealing<T>(fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(async tx => {
      if (this.isPg)
        await tx.raw('SELECT pg_advisory_xact_lock(?)', [SEAL_LOCK]);
      return fn(tx);
    });
  }

  /** The last sealed entry, and the key that sealed it (null before key ids). */
  async head(
    db: Knex | Knex.Transaction = this.db,
  ): Promise<ChainHead & { keyId: string | null }> {
    const row = await db(TABLE)
      .whereNotNull('seq')
      .orderBy('seq', 'desc')
      .first('seq', 'hash', 'key_id');
    return row
      ? { seq: Number(row.seq), hash: String(row.hash), keyId: str(row.key_id) }
      : { seq: 0, hash: '', keyId: null };
  }

  /** The seal of the entry at `seq`, if one is there. */
  async hashAt(
    seq: number,
    db: Knex | Knex.Transaction = this.db,
  ): Promise<string | undefined> {
    const row = await db(TABLE).where({ seq }).first('hash');
    return row ? str(row.hash) ?? undefined : undefined;
  }

  /**
   * The highest head ever sealed (the high-water mark), if one was stored, with the audit
   * key's signature (`keyId`, `mac`) when it has one.
   */
  async mark(
    db: Knex | Knex.Transaction = this.db,
  ): Promise<(ChainHead & { keyId?: string; mac?: string }) | undefined> {
    const row = await db('access_settings').where({ key: MARK }).first();
    if (!row) return undefined;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(row.value) ?? {};
    } catch {
      v = {};
    }
    return {
      seq: Number(v.seq),
      hash: String(v.hash),
      keyId: typeof v.keyId === 'string' ? v.keyId : undefined,
      mac: typeof v.mac === 'string' ? v.mac : undefined,
    };
  }

  async setMark(
    tx: Knex.Transaction,
    mark: ChainHead & { keyId: string; mac: string },
  ): Promise<void> {
    const { seq, hash, keyId, mac } = mark;
    await this.put(tx, MARK, { seq, hash, keyId, mac });
  }

  /** Writes the first mark unless one is there (two replicas may start at once). */
  async addMark(
    tx: Knex.Transaction,
    mark: ChainHead & { keyId: string; mac: string },
  ): Promise<void> {
    const { seq, hash, keyId, mac } = mark;
    await tx('access_settings')
      .insert({ key: MARK, value: JSON.stringify({ seq, hash, keyId, mac }) })
      .onConflict('key')
      .ignore();
  }

  /** Whether nothing was ever recorded: no audit entries and no access requests. */
  async empty(db: Knex | Knex.Transaction = this.db): Promise<boolean> {
    return (
      !(await db(TABLE).first('id')) &&
      !(await db('access_requests').first('id'))
    );
  }

  /** Whether any entry was sealed with a key id (by this version, not before key ids). */
  async anyKeyed(db: Knex | Knex.Transaction = this.db): Promise<boolean> {
    return !!(await db(TABLE).whereNotNull('key_id').first('id'));
  }

  /** The endorsement of the entries sealed before key ids, if one was made. */
  async legacy<T>(
    db: Knex | Knex.Transaction = this.db,
  ): Promise<T | undefined> {
    const row = await db('access_settings').where({ key: LEGACY }).first();
    return row ? JSON.parse(row.value) : undefined;
  }

  async setLegacy(tx: Knex.Transaction, value: object): Promise<void> {
    await this.put(tx, LEGACY, value);
  }

  private async put(tx: Knex.Transaction, key: string, value: object) {
    await tx('access_settings')
      .insert({ key, value: JSON.stringify(value) })
      .onConflict('key')
      .merge();
  }

  /** The first entry not sealed with an id above `afterId` (where a lost seal starts). */
  async firstUnsealedAfter(afterId: string): Promise<string | undefined> {
    const row = await this.db(TABLE)
      .whereNull('seq')
      .where('id', '>', afterId)
      .orderBy('id')
      .first('id');
    return row ? String(row.id) : undefined;
  }

  /** Committed entries not sealed yet, oldest first. */
  async unsealed(tx: Knex.Transaction, limit: number): Promise<ChainRow[]> {
    const rows = await tx(TABLE).whereNull('seq').orderBy('id').limit(limit);
    return rows.map(toChainRow);
  }

  async seal(
    tx: Knex.Transaction,
    keyId: string,
    seals: { id: string; seq: number; prevHash: string; hash: string }[],
  ): Promise<void> {
    if (!seals.length) return;
    if (this.isPg) {
      // One statement per batch: sealing a burst of 100,000 expiries stays quick.
      await tx.raw(
        `UPDATE ${TABLE} AS a SET seq = v.seq::bigint, prev_hash = v.prev, hash = v.hash, key_id = ?
           FROM (VALUES ${seals.map(() => '(?, ?, ?, ?)').join(', ')})
             AS v(id, seq, prev, hash)
          WHERE a.id = v.id::bigint AND a.seq IS NULL`,
        [
          keyId,
          ...seals.flatMap(x => [x.id, String(x.seq), x.prevHash, x.hash]),
        ],
      );
      return;
    }
    for (const x of seals) {
      await tx(TABLE).where({ id: x.id }).whereNull('seq').update({
        seq: x.seq,
        prev_hash: x.prevHash,
        hash: x.hash,
        key_id: keyId,
      });
    }
  }

  /** Sealed entries in chain order, after `afterSeq`. */
  async sealedPage(afterSeq: number, limit: number): Promise<ChainRow[]> {
    const rows = await this.db(TABLE)
      .whereNotNull('seq')
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit);
    return rows.map(toChainRow);
  }

  async countUnsealed(): Promise<number> {
    const [row] = await this.db(TABLE).whereNull('seq').count({ n: '*' });
    return Number((row as Row).n);
  }
}
