/**
 * Keeping configured secrets (header values, signing secrets, URL tokens) out of text meant
 * for people: check details, error messages, logs. Shared by the webhook check and the
 * webhook provisioner.
 */

/** Shorter strings are not treated as secrets: replacing them would garble every text. */
const MIN_SECRET_CHARS = 4;

/**
 * The secrets in configured header values: each whole value and, for a value with an auth
 * scheme (`Bearer abc`, `Token token=abc`), its credentials part (`abc`, `token=abc` and
 * `abc`), which a receiver may echo on its own.
 */
export function headerSecrets(headers: Record<string, string>): string[] {
  const secrets: string[] = [];
  for (const value of Object.values(headers)) {
    secrets.push(value, value.trim());
    const credentials = /^\s*[A-Za-z][\w.+-]*\s+(.+)$/s.exec(value)?.[1];
    if (credentials) {
      secrets.push(credentials, credentials.trim());
      // `Token token=abc`: the value after `=` too
      const assigned = /^[\w-]+=(.+)$/s.exec(credentials.trim())?.[1];
      if (assigned) secrets.push(assigned);
    }
  }
  return secrets;
}

/** Replaces known secrets in texts. */
export class Redactor {
  private readonly secrets: string[];
  /** The length of the longest secret (to cut a truncated text before a partial one). */
  readonly longest: number;

  constructor(secrets: Iterable<string>) {
    // Longest first, so that a secret containing another is replaced whole.
    this.secrets = [...new Set(secrets)]
      .filter(s => s.length >= MIN_SECRET_CHARS)
      .sort((a, b) => b.length - a.length);
    this.longest = this.secrets[0]?.length ?? 0;
  }

  /** The text with every secret replaced by `***`. */
  redact(text: string): string {
    let s = text;
    for (const secret of this.secrets) s = s.split(secret).join('***');
    return s;
  }

  /** A one-line excerpt of the text, without secrets, at most `maxChars` long (then `…`). */
  excerpt(text: string, maxChars: number): string {
    const s = this.redact(text).replace(/\s+/g, ' ').trim();
    return s.length > maxChars ? `${s.slice(0, maxChars)}…` : s;
  }
}
