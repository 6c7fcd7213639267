import { InputError } from '@backstage/errors';

/** Opaque keyset cursor for request listings. */
export function encodeCursor(c: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

/** The position a cursor from {@link encodeCursor} names; a 400 naming `cursor` otherwise. */
export function decodeCursor(cursor: string): {
  createdAt: number;
  id: string;
} {
  try {
    const [createdAt, id] = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    );
    // Only what encodeCursor writes: other numbers or ids would reach the SQL as they are.
    if (
      !Number.isSafeInteger(createdAt) ||
      typeof id !== 'string' ||
      !/^[0-9a-f-]{36}$/i.test(id)
    )
      throw new Error();
    return { createdAt, id };
  } catch {
    throw new InputError(
      'Invalid query: cursor: not a cursor this API returned',
    );
  }
}
