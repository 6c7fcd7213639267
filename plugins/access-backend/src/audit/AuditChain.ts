import { LoggerService } from '@backstage/backend-plugin-api';
import { AccessAuditVerification } from '@jit-access/plugin-access-common';
import { createHmac } from 'crypto';
import { AuditChainStore, ChainRow } from '../database/AuditChainStore';

/** What `GET /audit/verify` answers. */
export type AuditVerification = AccessAuditVerification;

const BATCH = 1000;

/**
 * A tamper-evident audit trail. Entries are written with their change, then sealed in
 * commit order into one chain: each gets the next `seq`, the previous MAC, and an
 * HMAC-SHA256 (keyed from `access.encryption.key`) over both and its stored fields. Editing,
 * deleting or reordering a sealed entry breaks every MAC after it; without the key the
 * chain cannot be rebuilt. Sealing after commit keeps the write path free of a global lock.
 */
export class AuditChain {
  constructor(
    private readonly deps: {
      store: AuditChainStore;
      key: Buffer;
      logger: LoggerService;
    },
  ) {}

  private mac(prevHash: string, seq: number, row: ChainRow): string {
    return createHmac('sha256', this.deps.key)
      .update(
        JSON.stringify([
          prevHash,
          seq,
          row.id,
          row.at,
          row.actor,
          row.action,
          row.requestId,
          row.severity,
          row.fromStatus,
          row.toStatus,
          row.details,
        ]),
      )
      .digest('hex');
  }

  /** Seals every committed entry not sealed yet; returns how many. */
  async sealPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.deps.store.sealing(async tx => {
        let { seq, hash } = await this.deps.store.head(tx);
        const rows = await this.deps.store.unsealed(tx, BATCH);
        const seals = rows.map(row => {
          seq += 1;
          const sealed = { id: row.id, seq, prevHash: hash, hash: '' };
          sealed.hash = this.mac(hash, seq, row);
          hash = sealed.hash;
          return sealed;
        });
        await this.deps.store.seal(tx, seals);
        return seals.length;
      });
      total += n;
      if (n < BATCH) break;
    }
    if (total) {
      const head = await this.deps.store.head();
      this.deps.logger.info(
        `access: sealed ${total} audit entr${
          total === 1 ? 'y' : 'ies'
        }; chain head ${head.seq} ${head.hash}`,
      );
    }
    return total;
  }

  /** Recomputes the whole chain, in pages. */
  async verify(): Promise<AuditVerification> {
    let prev = { seq: 0, hash: '' };
    let checked = 0;
    let problem: AuditVerification['problem'];
    const check = (row: ChainRow, seq: number) => {
      if (seq !== prev.seq + 1)
        return `entries ${prev.seq + 1} to ${seq - 1} of the chain are missing`;
      if (row.prevHash !== prev.hash)
        return 'does not follow the entry before it';
      if (row.hash !== this.mac(prev.hash, seq, row))
        return 'was changed after it was sealed';
      return undefined;
    };
    for (;;) {
      const page = await this.deps.store.sealedPage(prev.seq, BATCH);
      for (const row of page) {
        const seq = Number(row.seq);
        const reason = check(row, seq);
        if (reason) {
          problem = { seq, id: row.id, reason };
          break;
        }
        prev = { seq, hash: row.hash! };
        checked++;
      }
      if (problem || page.length < BATCH) break;
    }
    return {
      ok: !problem,
      checked,
      pending: await this.deps.store.countUnsealed(),
      head: prev,
      problem,
    };
  }
}
