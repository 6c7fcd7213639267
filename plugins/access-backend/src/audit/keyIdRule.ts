import { ChainHead, ChainRow } from '../database/AuditChainStore';
import { LegacyEndorsement } from './chainKeys';

/**
 * Entries without a key id (sealed before key ids) may only come first, up to the recorded
 * head, so that the key derived from the access details key cannot seal anything newer.
 */
export class KeyIdRule {
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
    if (!e)
      return 'was sealed without a key id, but the record of how far entries sealed before key ids went (access_settings row audit-chain-legacy) is missing';
    if (!this.endorsed)
      return 'was sealed without a key id, and the record of the entries sealed before key ids does not verify with a configured audit key';
    if (seq > e.seq)
      return `was sealed without a key id, but only entries up to ${e.seq} were sealed before key ids`;
    if (seq === e.seq && row.hash !== e.hash)
      return `does not have the seal recorded when key ids began (${e.hash})`;
    return undefined;
  }
}
