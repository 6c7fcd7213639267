import { ChainHead, ChainRow } from '../database/AuditChainStore';
import { LegacyEndorsement } from './chainKeys';

/**
 * Entries without a key id (sealed before key ids) may only come first, up to the recorded
 * head, so that the key derived from the access details key cannot seal anything newer.
 * Along the chain keys only get newer: once the current key (or one after the key before
 * it) sealed an entry, a previous key may not seal a later one, so that rotating the audit
 * key takes the power to seal from the old one.
 */
export class KeyIdRule {
  private keyedSeen = false;
  /** The newest key seen so far: its place in access.audit.keys (0 is current). */
  private newest?: { rank: number; id: string };

  constructor(
    private readonly legacy: LegacyEndorsement | undefined,
    private readonly endorsed: boolean,
    /** The place of a key in access.audit.keys, undefined when not configured. */
    private readonly rank: (keyId: string) => number | undefined,
    /** `access.audit.legacyHead`: what the record must say. */
    private readonly pin?: ChainHead,
  ) {}

  check(row: ChainRow, seq: number, prev: ChainHead): string | undefined {
    const e = this.legacy;
    if (row.keyId !== null) {
      const first = !this.keyedSeen && prev.seq > 0;
      this.keyedSeen = true;
      if (first && !(e && this.endorsed && e.seq === prev.seq))
        return 'follows entries sealed before key ids, but the record of how far they went is missing or does not match';
      return this.order(row.keyId);
    }
    if (this.keyedSeen)
      return 'was sealed without a key id after entries sealed with one';
    if (!e)
      return 'was sealed without a key id, but the record of how far entries sealed before key ids went (access_settings row audit-chain-legacy) is missing';
    if (!this.endorsed)
      return 'was sealed without a key id, and the record of the entries sealed before key ids does not verify with a configured audit key';
    if (seq > e.seq)
      return `was sealed without a key id, but only entries up to ${e.seq} were sealed before key ids`;
    if (seq === e.seq && row.hash !== e.hash)
      return `does not have the seal recorded when key ids began (${e.hash})`;
    const pin = this.pin;
    if (seq === e.seq && pin && (pin.seq !== e.seq || pin.hash !== e.hash))
      return `is recorded as the last entry sealed before key ids, but access.audit.legacyHead names ${pin.seq}:${pin.hash}`;
    return undefined;
  }

  private order(keyId: string): string | undefined {
    const rank = this.rank(keyId);
    if (rank === undefined) return undefined; // ChainKeys names the missing key
    if (this.newest && rank > this.newest.rank)
      return `was sealed with key "${keyId}" after entries sealed with the newer key "${this.newest.id}": a previous audit key only verifies what it sealed before`;
    if (!this.newest || rank < this.newest.rank)
      this.newest = { rank, id: keyId };
    return undefined;
  }
}
