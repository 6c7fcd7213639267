import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { AccessAuditVerification } from '@jit-access/plugin-access-common';
import { createHmac } from 'crypto';
import {
  AuditChainStore,
  ChainHead,
  ChainRow,
} from '../database/AuditChainStore';
import { NewAuditRecord } from '../database/types';
import { Db } from '../database/AccessStore';
import {
  ChainProblem,
  higher,
  rollbackProblem,
  TamperReporter,
} from './chainTampering';

/** What `GET /audit/verify` answers. */
export type AuditVerification = AccessAuditVerification;

const BATCH = 1000;

/**
 * A tamper-evident audit trail. Entries are written with their change, then sealed in
 * commit order into one chain: each gets the next `seq`, the previous MAC, and an
 * HMAC-SHA256 (keyed from `access.encryption.key`) over both and its stored fields. Editing,
 * deleting or reordering a sealed entry breaks every MAC after it; without the key the
 * chain cannot be rebuilt. Sealing after commit keeps the write path free of a global lock.
 *
 * The highest head ever sealed is kept (in `access_settings`, in memory, and sent out as an
 * `audit.sealed` webhook event and a log line): the sealer never seals again below it, so
 * unsealing entries to have an edited chain re-sealed is reported, not repaired.
 */
export class AuditChain {
  /** The highest head this process sealed or verified: survives a rewind of the database. */
  private highest?: ChainHead;
  private readonly tamper: TamperReporter;

  constructor(
    private readonly deps: {
      store: AuditChainStore;
      key: Buffer;
      logger: LoggerService;
      auditor?: AuditorService;
      /** Writes the `audit.sealed` event in the seal's transaction. */
      outbox?: {
        enqueue(tx: Db, entry: NewAuditRecord): Promise<void>;
        kick(): void;
      };
      now?: () => number;
    },
  ) {
    this.tamper = new TamperReporter(deps);
  }

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
    let first = 0;
    for (;;) {
      const result = await this.deps.store.sealing(async tx => {
        const head = await this.deps.store.head(tx);
        const stored = await this.deps.store.mark(tx);
        const mark = higher(stored, this.highest);
        const broken = rollbackProblem(
          head,
          mark,
          mark && (await this.deps.store.hashAt(mark.seq, tx)),
        );
        if (broken) return { broken, mark };
        if (!stored && head.seq > 0) {
          this.deps.logger.warn(
            `access: no audit chain mark was stored; taking the current head ${head.seq} ${head.hash} as the mark`,
          );
        }
        let { seq, hash } = head;
        const rows = await this.deps.store.unsealed(tx, BATCH);
        const seals = rows.map(row => {
          seq += 1;
          const sealed = { id: row.id, seq, prevHash: hash, hash: '' };
          sealed.hash = this.mac(hash, seq, row);
          hash = sealed.hash;
          return sealed;
        });
        await this.deps.store.seal(tx, seals);
        if (seals.length || !stored) {
          await this.deps.store.setMark(tx, { seq, hash });
        }
        if (seals.length) await this.exportHead(tx, seals.length, seq, hash);
        return { n: seals.length, head: { seq, hash } };
      });
      if ('broken' in result) {
        const { broken, mark } = result;
        await this.tamper.report(
          {
            ...broken,
            id: await this.idNear(broken.seq),
          },
          mark,
          ' New entries are not sealed until this is resolved.',
        );
        break;
      }
      this.highest = higher(this.highest, result.head);
      if (!first && result.n) first = result.head.seq - result.n + 1;
      total += result.n;
      if (result.n < BATCH) break;
    }
    if (total) {
      const head = this.highest!;
      this.deps.logger.info(
        `access: sealed ${total} audit entr${
          total === 1 ? 'y' : 'ies'
        }; chain head ${head.seq} ${head.hash}`,
      );
      this.deps.outbox?.kick();
    }
    return total;
  }

  /** The head after a seal batch, as a webhook event written with the seals. */
  private async exportHead(tx: Db, count: number, seq: number, hash: string) {
    await this.deps.outbox?.enqueue(tx, {
      at: this.deps.now?.() ?? Date.now(),
      actor: 'system',
      action: 'audit-sealed',
      severity: 'low',
      details: { seq, hash, firstSeq: seq - count + 1, count },
    });
  }

  /** The entry most likely behind a missing `seq`: the first unsealed one after the last intact. */
  private async idNear(seq: number): Promise<string> {
    const before = seq > 1 ? await this.deps.store.sealedPage(seq - 2, 1) : [];
    return (
      (await this.deps.store.firstUnsealedAfter(before[0]?.id ?? '0')) ?? ''
    );
  }

  /** Recomputes the whole chain, in pages, and checks it still reaches the mark. */
  async verify(): Promise<AuditVerification> {
    const mark = higher(await this.deps.store.mark(), this.highest);
    let prev = { seq: 0, hash: '' };
    let checked = 0;
    let hashAtMark: string | undefined;
    let problem: ChainProblem | undefined;
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
        if (seq === mark?.seq) hashAtMark = row.hash!;
        checked++;
      }
      if (problem || page.length < BATCH) break;
    }
    if (!problem) {
      const broken = rollbackProblem(prev, mark, hashAtMark);
      if (broken) problem = { ...broken, id: await this.idNear(broken.seq) };
    }
    if (problem) await this.tamper.report(problem, mark);
    else {
      this.tamper.clear();
      this.highest = higher(this.highest, prev);
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
