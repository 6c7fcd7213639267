import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import { InputError } from '@backstage/errors';
import { z } from 'zod';

/** Where a `/resources` search stands: the search itself and the offset of the next page. */
export interface ResourcesPosition {
  q?: string;
  type?: string;
  permission?: string;
  offset: number;
}

const positionSchema = z
  .object({
    q: z.string().optional(),
    type: z.string().optional(),
    permission: z.string().optional(),
    offset: z.number().int().min(0),
  })
  .strict();

const REFUSED =
  'Invalid query: cursor: not a cursor this API returned to you; start again without a cursor';

/** The `access_settings` key of the cursor signing key. */
export const RESOURCES_CURSOR_KEY_SETTING = 'resources-cursor-key';

/** A new random signing key, base64. */
export function generateCursorKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * The `/resources` paging cursor: opaque to clients, signed with HMAC-SHA256 under a key of
 * its own and bound to the user it was issued to. It carries only the search and an offset:
 * the catalog query is rebuilt from the flows for every page, so nothing a client writes is
 * ever sent to the catalog as a query (the catalog's own cursors can name any filter and
 * sort field, and echo the last row's sort value back).
 */
export class ResourcesCursors {
  private key?: Promise<Buffer>;

  /** `loadKey` gives the base64 key, shared by every replica (e.g. from the database). */
  constructor(private readonly loadKey: () => Promise<string>) {}

  async issue(user: string, position: ResourcesPosition): Promise<string> {
    const body = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${body}.${(await this.mac(user, body)).toString('base64url')}`;
  }

  /** The position a cursor stands for; a 400 naming `cursor` unless we issued it to `user`. */
  async read(user: string, cursor: string): Promise<ResourcesPosition> {
    const [body, mac, ...rest] = cursor.split('.');
    if (!body || !mac || rest.length) throw new InputError(REFUSED);
    const given = Buffer.from(mac, 'base64url');
    const expected = await this.mac(user, body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new InputError(REFUSED);
    try {
      return positionSchema.parse(
        JSON.parse(Buffer.from(body, 'base64url').toString('utf8')),
      );
    } catch {
      throw new InputError(REFUSED);
    }
  }

  private async mac(user: string, body: string): Promise<Buffer> {
    return createHmac('sha256', await this.signingKey())
      .update(`jit-access resources cursor v1\n${user}\n${body}`)
      .digest();
  }

  private signingKey(): Promise<Buffer> {
    if (!this.key) {
      const key = this.loadKey().then(k => Buffer.from(k, 'base64'));
      // A failed load (database briefly away) is retried by the next call.
      key.catch(() => {
        if (this.key === key) this.key = undefined;
      });
      this.key = key;
    }
    return this.key;
  }
}
