import {
  createHash,
  createHmac,
  pbkdf2 as pbkdf2Callback,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2 = promisify(pbkdf2Callback);

/** PostgreSQL's default (`scram_iterations`). */
const SCRAM_ITERATIONS = 4096;

/** A random password of 32 URL-safe characters (192 bits). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802 / 7677), as
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
 *
 * Sending the verifier instead of the password keeps the password itself out of the
 * server's statement log, `pg_stat_statements` and `pg_stat_activity`: PostgreSQL stores a
 * pre-hashed password as it is, whatever `password_encryption` says. Only for ASCII
 * passwords (SASLprep leaves them unchanged), such as those of {@link generatePassword}.
 */
export async function scramSha256Verifier(
  password: string,
  salt: Buffer = randomBytes(16),
  iterations: number = SCRAM_ITERATIONS,
): Promise<string> {
  const salted = await pbkdf2(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString(
    'base64',
  )}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Whether `password` matches a stored SCRAM-SHA-256 verifier (for tests and checks). */
export async function scramVerifierMatches(
  verifier: string,
  password: string,
): Promise<boolean> {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const again = await scramSha256Verifier(
    password,
    Buffer.from(m[2], 'base64'),
    Number(m[1]),
  );
  return again === verifier;
}
