import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { AccessAuditVerification } from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import {
  AuditChainStore,
  ChainHead,
  ChainRow,
} from '../database/AuditChainStore';
import { NewAuditRecord } from '../database/types';
import { Db } from '../database/AccessStore';
import { ChainKeys, LegacyEndorsement } from './chainKeys';
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
 * HMAC-SHA256 (with the audit key, `access.audit.keys`, named in `key_id`) over both and its
 * stored fields. Editing, deleting or reordering a sealed entry breaks every MAC after it;
 * without the key the chain cannot be rebuilt. Sealing after commit keeps the write path
 * free of a global lock.
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
      keys: ChainKeys;
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

  /** Seals every committed entry not sealed yet; returns how many. */
  async sealPending(): Promise<number> {
    let total = 0;
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
        if (broken) return { n: 0, broken, mark };
        if (!stored && head.seq > 0) {
          this.deps.logger.warn(
            `access: no audit chain mark was stored; taking the current head ${head.seq} ${head.hash} as the mark`,
          );
        }
        let { seq, hash } = head;
        const rows = await this.deps.store.unsealed(tx, BATCH);
        const legacyUpTo = await this.endorseLegacy(tx, head);
        const seals = rows.map(row => {
          seq += 1;
          const sealed = { id: row.id, seq, prevHash: hash, hash: '' };
          sealed.hash = this.deps.keys.seal(hash, seq, row);
          hash = sealed.hash;
          return sealed;
        });
        await this.deps.store.seal(tx, this.deps.keys.currentKeyId, seals);
        if (seals.length || !stored) {
          await this.deps.store.setMark(tx, { seq, hash });
        }
        if (seals.length || legacyUpTo) {
          await this.exportHead(tx, { seq, hash }, seals.length, legacyUpTo);
        }
        return { n: seals.length, head: { seq, hash } as ChainHead };
      });
      const { broken, mark, head } = result;
      if (broken || !head) {
        await this.tamper.report(
          {
            ...broken!,
            id: await this.idNear(broken!.seq),
          },
          mark,
          ' New entries are not sealed until this is resolved.',
        );
        break;
      }
      this.highest = higher(this.highest, head);
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
  private async exportHead(
    tx: Db,
    { seq, hash }: ChainHead,
    count: number,
    legacyUpTo?: ChainHead,
  ) {
    await this.deps.outbox?.enqueue(tx, {
      at: this.deps.now?.() ?? Date.now(),
      actor: 'system',
      action: 'audit-sealed',
      severity: 'low',
      details: {
        seq,
        hash,
        firstSeq: seq - count + 1,
        count,
        ...(legacyUpTo ? { legacyUpTo } : {}),
      },
    });
  }

  /**
   * Before the first entry sealed with a key id, records (sealed with the audit key) how far
   * the chain went before key ids: entries without one are accepted up to there only.
   */
  private async endorseLegacy(
    tx: Knex.Transaction,
    head: ChainHead & { keyId: string | null },
  ): Promise<ChainHead | undefined> {
    if (head.seq === 0 || head.keyId !== null) return undefined;
    if (await this.deps.store.legacy(tx)) return undefined;
    const endorsement = this.deps.keys.endorse(head);
    await this.deps.store.setLegacy(tx, endorsement);
    this.deps.logger.warn(
      `access: the ${head.seq} audit entries sealed before key ids (head ${head.seq} ${head.hash}) are now recorded with audit key "${endorsement.keyId}"; entries without a key id are accepted up to there only. This happens once, when the sealer first runs after the upgrade: seeing it again means someone made the database look older.`,
    );
    return { seq: head.seq, hash: head.hash };
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
    const legacy = await this.deps.store.legacy<LegacyEndorsement>();
    const keyIds = new KeyIdRule(
      legacy,
      !!legacy && this.deps.keys.endorsed(legacy),
    );
    let prev = { seq: 0, hash: '' };
    let checked = 0;
    let hashAtMark: string | undefined;
    let problem: ChainProblem | undefined;
    const check = (row: ChainRow, seq: number) => {
      if (seq !== prev.seq + 1)
        return `entries ${prev.seq + 1} to ${seq - 1} of the chain are missing`;
      if (row.prevHash !== prev.hash)
        return 'does not follow the entry before it';
      return (
        keyIds.check(row, seq, prev) ??
        this.deps.keys.check(prev.hash, seq, row)
      );
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

/**
 * Entries without a key id (sealed before key ids) may only come first, up to the recorded
 * head, so that the key derived from the access details key cannot seal anything newer.
 */
class KeyIdRule {
  private keyedSeen = false;

  constructor(
    private readonly legacy: LegacyEndorsement | undefined,
    private readonly endorsed: boolean,
  ) {}

  check(row: ChainRow, seq: number, prev: ChainHead): string | undefined {
    const e = this.legacy;
    if (row.keyId !== null) {
      const first = !this.keyedSeen && prev.seq > 0;
      this.keyedSeen = true;
      if (first && !(e && this.endorsed && e.seq === prev.seq))
        return 'follows entries sealed before key ids, but the record of how far they went is missing or does not match';
      return undefined;
    }
    if (this.keyedSeen)
      return 'was sealed without a key id after entries sealed with one';
    if (!e) return undefined;
    if (!this.endorsed)
      return 'was sealed without a key id, and the record of the entries sealed before key ids does not verify with a configured audit key';
    if (seq > e.seq)
      return `was sealed without a key id, but only entries up to ${e.seq} were sealed before key ids`;
    if (seq === e.seq && row.hash !== e.hash)
      return `does not have the seal recorded when key ids began (${e.hash})`;
    return undefined;
  }
}
