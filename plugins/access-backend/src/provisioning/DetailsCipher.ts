import {
  createCipheriv,
  createDecipheriv,
  hkdfSync,
  randomBytes,
} from 'crypto';

const VERSION = 'v1';

/**
 * Encrypts access details at rest with AES-256-GCM (a fresh 96-bit IV per value, the
 * authentication tag checked on decryption, the request id bound as associated data so a
 * row copied onto another request does not decrypt).
 */
export class DetailsCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32)
      throw new Error('the access details key must be 32 bytes');
    this.key = key;
  }

  /** Reads a base64 (or base64url) 32-byte key, as written by `openssl rand -base64 32`. */
  static fromBase64(text: string): DetailsCipher {
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== 32) {
      throw new Error(
        `must be 32 bytes in base64 (openssl rand -base64 32); got ${key.length} bytes`,
      );
    }
    return new DetailsCipher(key);
  }

  /** A separate 32-byte key for another purpose (HKDF-SHA256), so one secret serves both. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(
      hkdfSync(
        'sha256',
        this.key,
        Buffer.alloc(0),
        `jit-access ${purpose}`,
        32,
      ),
    );
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  encrypt(requestId: string, details: Record<string, string>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(requestId));
    const ct = Buffer.concat([
      cipher.update(JSON.stringify(details), 'utf8'),
      cipher.final(),
    ]);
    return [
      VERSION,
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      ct.toString('base64'),
    ].join('.');
  }

  decrypt(requestId: string, text: string): Record<string, string> {
    const [version, iv, tag, ct] = text.split('.');
    if (version !== VERSION || !iv || !tag || !ct)
      throw new Error('not an encrypted access details value');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.key,
      Buffer.from(iv, 'base64'),
    );
    decipher.setAAD(Buffer.from(requestId));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(ct, 'base64')),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8'));
  }
}
