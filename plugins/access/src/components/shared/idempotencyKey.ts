/**
 * A random key for `Idempotency-Key`: a retried or double-clicked submission then creates
 * its requests once. `crypto.randomUUID` is missing outside secure contexts (plain http on
 * a host other than localhost), hence the fallback.
 */
export function newIdempotencyKey(): string {
  const c: Crypto | undefined = (globalThis as { crypto?: Crypto }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof c?.getRandomValues === 'function') c.getRandomValues(bytes);
  else
    for (let i = 0; i < bytes.length; i++)
      bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}
