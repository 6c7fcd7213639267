import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import { Keyring, NamedKey } from '../keys/Keyring';

/** Before key ids: `v1.<iv>.<tag>.<ciphertext>`, under whichever key was configured. */
const LEGACY = 'v1';
/** `v2.<key id>.<iv>.<tag>.<ciphertext>`; the key id is bound as associated data too. */
const VERSION = 'v2';

/** Access details that cannot be decrypted, with a message for the grantee and one for the log. */
export class DetailsKeyError extends Error {
  constructor(readonly forGrantee: string, forOperators: string) {
    super(forOperators);
    this.name = 'DetailsKeyError';
  }
}

/**
 * Encrypts access details at rest with AES-256-GCM (a fresh 96-bit IV per value, the
 * authentication tag checked on decryption, the request id bound as associated data so a
 * row copied onto another request does not decrypt). Each value names the key that
 * encrypted it, so previous keys keep decrypting after a rotation.
 */
export class DetailsCipher {
  constructor(private readonly keys: Keyring) {}

  /** The id of the key new values are encrypted with. */
  get currentKeyId(): string {
    return this.keys.current.id;
  }

  encrypt(requestId: string, details: Record<string, string>): string {
    const { id, key } = this.keys.current;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`${requestId}\n${id}`));
    const ct = Buffer.concat([
      cipher.update(JSON.stringify(details), 'utf8'),
      cipher.final(),
    ]);
    return [
      VERSION,
      id,
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      ct.toString('base64'),
    ].join('.');
  }

  /** Whether a stored value was encrypted with the current key. */
  isCurrent(text: string): boolean {
    const parts = text.split('.');
    return (
      parts[0] === VERSION && this.keys.find(parts[1]) === this.keys.current
    );
  }

  /** @throws DetailsKeyError when no configured key decrypts it */
  decrypt(requestId: string, text: string): Record<string, string> {
    const parts = text.split('.');
    if (parts[0] === LEGACY && parts.length === 4) {
      // No key id: any configured key may have encrypted it; GCM tells which.
      for (const k of this.keys.all) {
        const plain = this.open(k, requestId, parts.slice(1));
        if (plain) return plain;
      }
      throw new DetailsKeyError(
        'Your access details cannot be shown: they were encrypted with a key that is no longer configured. The access itself is not affected; ask an access admin.',
        `was encrypted before key ids with a key that is not among the ${this.keys.all.length} configured (access.encryption.keys)`,
      );
    }
    if (parts[0] !== VERSION || parts.length !== 5)
      throw new DetailsKeyError(
        'Your access details cannot be shown: they are damaged.',
        'is not an encrypted access details value',
      );
    const key = this.keys.find(parts[1]);
    if (!key) {
      throw new DetailsKeyError(
        `Your access details cannot be shown: they were encrypted with key "${parts[1]}", which is no longer configured. The access itself is not affected; ask an access admin.`,
        `was encrypted with key "${parts[1]}", which is not configured (add it to access.encryption.keys as a previous key to read it)`,
      );
    }
    const plain = this.open(key, requestId, parts.slice(2), parts[1]);
    if (!plain) {
      throw new DetailsKeyError(
        'Your access details cannot be shown: they are damaged.',
        `does not decrypt with key "${parts[1]}": it was altered, or that id names another key now`,
      );
    }
    return plain;
  }

  private open(
    k: NamedKey,
    requestId: string,
    [iv, tag, ct]: string[],
    keyId?: string,
  ): Record<string, string> | undefined {
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        k.key,
        Buffer.from(iv, 'base64'),
      );
      decipher.setAAD(
        Buffer.from(keyId === undefined ? requestId : `${requestId}\n${keyId}`),
      );
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(ct, 'base64')),
        decipher.final(),
      ]);
      return JSON.parse(plain.toString('utf8'));
    } catch {
      return undefined;
    }
  }
}
