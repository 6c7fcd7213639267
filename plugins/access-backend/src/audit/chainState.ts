import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Knex } from 'knex';
import { AuditChainStore, ChainHead } from '../database/AuditChainStore';
import { ChainKeys } from './chainKeys';
import { higher, rollbackProblem } from './chainTampering';

/** Heads an operator pinned in config (`<seq>:<hash>`), checked against the exported heads. */
export interface ChainPins {
  /** `access.audit.acceptHead`: go on from this head after a reported break. */
  acceptHead?: ChainHead;
  /** `access.audit.legacyHead`: where the entries sealed before key ids end. */
  legacyHead?: ChainHead;
}

/** What the sealer and the verifier hold the chain to. */
export interface ChainState {
  /** The highest head ever sealed, as far as anyone can tell. */
  mark?: ChainHead;
  /** Why nothing may be sealed: the stored state was tampered with. */
  problem?: { seq: number; reason: string };
  /** The mark must be (re)written, even without new seals. */
  writeMark: boolean;
  /** The entries sealed before key ids end at the head and are to be endorsed now. */
  endorse: boolean;
}

const sameHead = (a: ChainHead, b: ChainHead) =>
  a.seq === b.seq && a.hash === b.hash;

/**
 * Reads the stored mark and checks the head against it. The mark is signed with the audit
 * key, so a missing or unsigned mark once the chain has been sealed by this version means
 * someone deleted or rewrote it (perhaps together with the tail of the chain). Only an
 * operator naming the head in `access.audit.acceptHead` lets sealing go on from there.
 */
export async function readChainState(
  deps: { store: AuditChainStore; keys: ChainKeys; pins: ChainPins },
  head: ChainHead & { keyId: string | null },
  highest: ChainHead | undefined,
  db?: Knex.Transaction,
): Promise<ChainState> {
  const { store, keys, pins } = deps;
  const stored = await store.mark(db);
  const legacy = await store.legacy(db);
  const accepted = !!pins.acceptHead && sameHead(head, pins.acceptHead);
  const legacyHead = head.seq > 0 && head.keyId === null && !legacy;
  const state = (problem?: { seq: number; reason: string }) => ({
    writeMark: false,
    endorse: false,
    problem,
  });
  let mark: ChainHead | undefined;
  /** A mark signed with a previous key, or without its key id, is signed again. */
  let resign = false;
  if (accepted) {
    mark = pins.acceptHead;
  } else if (stored) {
    if (stored.keyId && keys.rank(stored.keyId) === undefined) {
      return state({
        seq: head.seq + 1,
        reason: `cannot be checked: the stored head (access_settings row audit-chain-mark) was signed with key "${stored.keyId}", which is not configured (keep it in access.audit.keys as a previous key)`,
      });
    }
    const signed = keys.markSigned(stored);
    if (!signed) {
      return state({
        seq: head.seq + 1,
        reason: `may have lost its seal or been deleted: the stored head (access_settings row audit-chain-mark, ${stored.seq} ${stored.hash}) does not verify with a configured audit key, so it was written by someone else`,
      });
    }
    const markRank = keys.rank(stored.keyId!)!;
    const headRank = head.keyId === null ? undefined : keys.rank(head.keyId);
    if (headRank !== undefined && markRank > headRank) {
      return state({
        seq: head.seq + 1,
        reason: `may have lost its seal or been deleted: the stored head (access_settings row audit-chain-mark) was signed with key "${stored.keyId}", older than the key "${head.keyId}" that sealed the last entry`,
      });
    }
    resign = markRank > 0 || signed === 'v1';
    mark = higher({ seq: stored.seq, hash: stored.hash }, highest);
  } else if (head.keyId !== null || legacy || (await store.anyKeyed(db))) {
    return state({
      seq: head.seq + 1,
      reason: `may have lost its seal or been deleted: the stored head (access_settings row audit-chain-mark) is missing, though the chain was sealed with an audit key; the chain may have been cut back`,
    });
  } else if (head.seq === 0 && !(await store.empty(db))) {
    // A fresh install stores its mark at start, before anything is recorded.
    return state({
      seq: 1,
      reason: `may have lost its seal or been deleted: the stored head (access_settings row audit-chain-mark) is missing, though audit entries or access requests exist and none is sealed; the chain may have been unsealed or deleted (if it never was sealed, set access.audit.acceptHead: '0:')`,
    });
  } else {
    // Entries sealed before key ids (the upgrade), or a fresh install.
    mark = highest;
  }
  const broken = rollbackProblem(
    head,
    mark,
    mark && (await store.hashAt(mark.seq, db)),
  );
  if (broken && !accepted) return { ...state(broken), mark };
  if (legacyHead && !accepted && stored) {
    return {
      ...state({
        seq: head.seq,
        reason:
          'was sealed without a key id, but the record of how far entries sealed before key ids went (access_settings row audit-chain-legacy) is missing',
      }),
      mark,
    };
  }
  if (legacyHead && pins.legacyHead) {
    // The pin is copied from the record made at the upgrade: it cannot be made again.
    return {
      ...state({
        seq: head.seq,
        reason: `was sealed without a key id, but the record of how far entries sealed before key ids went (access_settings row audit-chain-legacy) is missing, though access.audit.legacyHead (${pins.legacyHead.seq}:${pins.legacyHead.hash}) says it was made`,
      }),
      mark,
    };
  }
  return {
    mark,
    writeMark: accepted || !stored || resign,
    endorse: legacyHead,
  };
}

const parseHead = (text: string | undefined): ChainHead | undefined => {
  if (!text) return undefined;
  const [seq, hash] = text.split(':');
  return { seq: Number(seq), hash };
};

/**
 * `access.audit.acceptHead` and `legacyHead` (their form is checked by readAccessConfig).
 * acceptHead is logged as an error at every start: left set, it would let someone who cuts
 * the chain back to that head again have it sealed on.
 */
export function readChainPins(
  config: Config,
  logger: LoggerService,
): ChainPins {
  const accept = config.getOptionalString('access.audit.acceptHead');
  if (accept) {
    logger.error(
      `access: access.audit.acceptHead is set (${accept}): the audit chain is sealed on from that head even though the stored head says otherwise. Check it against the heads you exported (audit.sealed events, log lines), and remove it once the sealer has run (access: sealed ... chain head ...); see docs/concepts.md#audit-trail.`,
    );
  }
  return {
    acceptHead: parseHead(accept),
    legacyHead: parseHead(config.getOptionalString('access.audit.legacyHead')),
  };
}
