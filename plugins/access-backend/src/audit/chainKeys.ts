import { createHmac, hkdfSync, timingSafeEqual } from 'crypto';
import { ChainHead, ChainRow } from '../database/AuditChainStore';
import { Keyring } from '../keys/Keyring';

/**
 * The key entries were sealed with before key ids: derived from the access details key,
 * so it is accepted only for those entries (see {@link ChainKeys.check}).
 */
export function legacyChainKey(detailsKey: Buffer): Buffer {
  return Buffer.from(
    hkdfSync(
      'sha256',
      detailsKey,
      Buffer.alloc(0),
      'jit-access audit chain v1',
      32,
    ),
  );
}

/** A chain head signed with an audit key (named by `keyId`). */
export interface SignedHead extends ChainHead {
  keyId: string;
  mac: string;
}

/**
 * A record, sealed with the audit key, of how far the chain went before key ids: entries
 * without a key id are accepted up to there only.
 */
export type LegacyEndorsement = SignedHead;

const fields = (row: ChainRow) => [
  row.id,
  row.at,
  row.actor,
  row.action,
  row.requestId,
  row.severity,
  row.fromStatus,
  row.toStatus,
  row.details,
];

function hmac(key: Buffer, value: unknown): string {
  return createHmac('sha256', key).update(JSON.stringify(value)).digest('hex');
}

/** What the mark's MAC covers: the key id too, so that it cannot be swapped. */
const markValue = (m: Partial<SignedHead> & ChainHead) => [
  'audit-chain-mark',
  m.keyId,
  m.seq,
  m.hash,
];

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The audit chain's keys: the current one seals, previous ones verify. */
export class ChainKeys {
  constructor(
    private readonly keys: Keyring,
    /** {@link legacyChainKey} of every configured access details (and audit) key. */
    private readonly legacy: Buffer[],
  ) {}

  get currentKeyId(): string {
    return this.keys.current.id;
  }

  /** The place of a key in access.audit.keys (0 is current), if it is configured. */
  rank(keyId: string): number | undefined {
    const key = this.keys.find(keyId);
    return key ? this.keys.all.indexOf(key) : undefined;
  }

  /** The seal of a new entry, with the current key. */
  seal(prevHash: string, seq: number, row: ChainRow): string {
    const { id, key } = this.keys.current;
    return hmac(key, ['v2', id, prevHash, seq, ...fields(row)]);
  }

  /** Why the entry's seal is wrong, or undefined when it is right. */
  check(prevHash: string, seq: number, row: ChainRow): string | undefined {
    const hash = row.hash ?? '';
    if (row.keyId === null) {
      const value = [prevHash, seq, ...fields(row)];
      return this.legacy.some(k => same(hmac(k, value), hash))
        ? undefined
        : 'was changed after it was sealed';
    }
    const key = this.keys.find(row.keyId);
    if (!key) {
      return `was sealed with key "${row.keyId}", which is not configured (keep it in access.audit.keys as a previous key)`;
    }
    return same(
      hmac(key.key, ['v2', row.keyId, prevHash, seq, ...fields(row)]),
      hash,
    )
      ? undefined
      : 'was changed after it was sealed';
  }

  endorse(head: ChainHead): SignedHead {
    return this.sign('legacy-chain', head);
  }

  /** Whether the endorsement was made with a configured audit key. */
  endorsed(e: SignedHead): boolean {
    return this.signed('legacy-chain', e);
  }

  /**
   * The highest head sealed, signed with the current key (its id included) so that no one
   * else can set it.
   */
  signMark(head: ChainHead): SignedHead {
    const { id, key } = this.keys.current;
    const mark = { seq: head.seq, hash: head.hash, keyId: id };
    return { ...mark, mac: hmac(key, markValue(mark)) };
  }

  /**
   * Whether the stored mark was signed with a configured audit key: `'v1'` when in the form
   * without the key id (written before), to be signed again.
   */
  markSigned(mark: Partial<SignedHead> & ChainHead): boolean | 'v1' {
    const key = typeof mark.keyId === 'string' && this.keys.find(mark.keyId);
    if (!key || typeof mark.mac !== 'string') return false;
    if (same(hmac(key.key, markValue(mark)), mark.mac)) return true;
    return this.signed('audit-chain-mark', mark) && 'v1';
  }

  private sign(purpose: string, { seq, hash }: ChainHead): SignedHead {
    const { id, key } = this.keys.current;
    return { seq, hash, keyId: id, mac: hmac(key, [purpose, seq, hash]) };
  }

  private signed(purpose: string, v: Partial<SignedHead> & ChainHead): boolean {
    const key = typeof v.keyId === 'string' && this.keys.find(v.keyId);
    return (
      !!key &&
      typeof v.mac === 'string' &&
      same(hmac(key.key, [purpose, v.seq, v.hash]), v.mac)
    );
  }
}
