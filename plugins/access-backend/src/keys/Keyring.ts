import { createHmac } from 'crypto';

/** What a key id may look like: it is written next to what the key protects. */
export const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A 32-byte key and the id stored with what it encrypts or seals. */
export interface NamedKey {
  id: string;
  key: Buffer;
  /** A stable id derived from the key itself, as used for a key configured without an id. */
  fingerprint: string;
}

/** Reads a base64 (or base64url) 32-byte key, as written by `openssl rand -base64 32`. */
export function decodeKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) {
    throw new Error(
      `must be 32 bytes in base64 (openssl rand -base64 32); got ${key.length} bytes`,
    );
  }
  return key;
}

/**
 * The id of a key configured without one (`access.encryption.key`): derived from the key,
 * so it stays the same across restarts and when the key moves into a `keys` list.
 * An HMAC under the key, so it tells nothing about the key.
 */
export function fingerprintOf(key: Buffer): string {
  return `key-${createHmac('sha256', key)
    .update('jit-access key id')
    .digest('hex')
    .slice(0, 16)}`;
}

/**
 * Keys for one purpose: the first is current (encrypts or seals anything new), the rest
 * are previous keys, kept so that what they protected still decrypts or verifies.
 */
export class Keyring {
  readonly all: NamedKey[];

  constructor(keys: { id?: string; key: Buffer }[]) {
    if (!keys.length) throw new Error('a keyring needs at least one key');
    this.all = keys.map(k => {
      if (k.key.length !== 32) throw new Error('keys must be 32 bytes');
      const fingerprint = fingerprintOf(k.key);
      return { id: k.id ?? fingerprint, key: k.key, fingerprint };
    });
  }

  get current(): NamedKey {
    return this.all[0];
  }

  /** The key with this id, by its configured id or the id derived from it. */
  find(id: string): NamedKey | undefined {
    return (
      this.all.find(k => k.id === id) ??
      this.all.find(k => k.fingerprint === id)
    );
  }
}
