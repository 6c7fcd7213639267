import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { AccessAuditVerification } from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import {
  AuditChainStore,
  ChainHead,
  ChainRow,
} from '../database/AuditChainStore';
import { NewEventRecord } from '../database/types';
import { Db } from '../database/AccessStore';
import { ChainKeys, LegacyEndorsement } from './chainKeys';
import { ChainPins, readChainState } from './chainState';
import { KeyIdRule } from './keyIdRule';
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
      /** Heads pinned in config: `access.audit.acceptHead`, `legacyHead`. */
      pins: ChainPins;
      logger: LoggerService;
      auditor?: AuditorService;
      /** Writes the `audit.sealed` event in the seal's transaction. */
      outbox?: {
        enqueue(tx: Db, entry: NewEventRecord): Promise<void>;
        kick(): void;
      };
      now?: () => number;
    },
  ) {
    this.tamper = new TamperReporter(deps);
  }

  /**
   * At start: on a fresh install (nothing recorded yet), stores the signed mark of the empty
   * chain, so that from then on a missing mark is tampering.
   */
  async start(): Promise<void> {
    const { store, keys } = this.deps;
    await store.sealing(async tx => {
      if ((await store.mark(tx)) || !(await store.empty(tx))) return;
      await store.addMark(tx, keys.signMark({ seq: 0, hash: '' }));
    });
  }

  /** Seals every committed entry not sealed yet; returns how many. */
  async sealPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.deps.store.sealing(async tx => {
        const head = await this.deps.store.head(tx);
        const state = await readChainState(this.deps, head, this.highest, tx);
        if (state.problem) {
          return { n: 0, broken: state.problem, mark: state.mark };
        }
        let { seq, hash } = head;
        const rows = await this.deps.store.unsealed(tx, BATCH);
        const legacyUpTo = state.endorse
          ? await this.endorseLegacy(tx, head)
          : undefined;
        const seals = rows.map(row => {
          seq += 1;
          const sealed = { id: row.id, seq, prevHash: hash, hash: '' };
          sealed.hash = this.deps.keys.seal(hash, seq, row);
          hash = sealed.hash;
          return sealed;
        });
        await this.deps.store.seal(tx, this.deps.keys.currentKeyId, seals);
        if (seals.length || state.writeMark) {
          await this.deps.store.setMark(
            tx,
            this.deps.keys.signMark({ seq, hash }),
          );
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
    head: ChainHead,
  ): Promise<ChainHead> {
    const endorsement = this.deps.keys.endorse(head);
    await this.deps.store.setLegacy(tx, endorsement);
    this.deps.logger.warn(
      `access: the ${head.seq} audit entries sealed before key ids (head ${head.seq} ${head.hash}) are now recorded with audit key "${endorsement.keyId}"; entries without a key id are accepted up to there only. This happens once, when the sealer first runs after the upgrade: seeing it again means someone made the database look older. Set access.audit.legacyHead: '${head.seq}:${head.hash}' so that it cannot happen again unnoticed.`,
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
    const state = await readChainState(
      this.deps,
      await this.deps.store.head(),
      this.highest,
    );
    const mark = state.mark;
    const legacy = await this.deps.store.legacy<LegacyEndorsement>();
    const keyIds = new KeyIdRule(
      legacy,
      !!legacy && this.deps.keys.endorsed(legacy),
      id => this.deps.keys.rank(id),
      this.deps.pins.legacyHead,
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
      const broken = state.problem ?? rollbackProblem(prev, mark, hashAtMark);
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
