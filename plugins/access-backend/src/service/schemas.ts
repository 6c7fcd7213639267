import {
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ACCESS_REQUEST_STATUSES,
  MAX_DURATION_SECONDS,
  MAX_REQUEST_ITEMS,
  MAX_TEXT_LENGTH,
} from '@jit-access/plugin-access-common';
import { z } from 'zod';

/** PostgreSQL text cannot hold U+0000: refused as input, not left to fail the insert (500). */
// eslint-disable-next-line no-control-regex
const NO_NUL = /^[^\u0000]*$/;
const NUL_MESSAGE = 'must not contain null characters (\\u0000)';
const text = (max: number) =>
  z.string().max(max, `at most ${max} characters`).regex(NO_NUL, NUL_MESSAGE);
const ref = () => z.string().min(1).max(400).regex(NO_NUL, NUL_MESSAGE);

const permission = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[a-z0-9][a-z0-9_.:-]*$/i,
    'permission names are letters, digits, _ . : -',
  );

export const submitBodySchema = z
  .object({
    resources: z
      .array(
        z
          .object({
            entityRef: ref(),
            permissions: z.array(permission).min(1).max(50),
          })
          .strict(),
      )
      .max(
        MAX_REQUEST_ITEMS,
        `at most ${MAX_REQUEST_ITEMS} items per submission`,
      )
      .optional(),
    bundleId: text(100).optional(),
    durationSeconds: z
      .number()
      .int('must be whole seconds')
      .positive()
      .max(MAX_DURATION_SECONDS)
      .optional(),
    justification: text(MAX_TEXT_LENGTH).optional(),
    requester: text(400).optional(),
  })
  .strict();

export const approveBodySchema = z
  .object({ comment: text(MAX_TEXT_LENGTH).optional() })
  .strict();
export const rejectBodySchema = z
  .object({
    reason: text(MAX_TEXT_LENGTH).trim().min(1, 'a reason is required'),
  })
  .strict();
export const revokeBodySchema = z
  .object({ reason: text(MAX_TEXT_LENGTH).optional() })
  .strict();
export const againBodySchema = z
  .object({ justification: text(MAX_TEXT_LENGTH).default('') })
  .strict();
export const extendBodySchema = z
  .object({
    durationSeconds: z
      .number()
      .int('must be whole seconds')
      .positive()
      .max(MAX_DURATION_SECONDS),
    justification: text(MAX_TEXT_LENGTH).default(''),
  })
  .strict();

const limit = z.coerce.number().int().min(1).max(200).default(50);
const statusList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const list = v
      .split(',')
      .map(s => s.trim())
      .filter(Boolean);
    const bad = list.filter(
      s => !(ACCESS_REQUEST_STATUSES as readonly string[]).includes(s),
    );
    if (bad.length) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `unknown status ${bad.join(
          ', ',
        )}; use ${ACCESS_REQUEST_STATUSES.join(', ')}`,
      });
      return z.NEVER;
    }
    return list as (typeof ACCESS_REQUEST_STATUSES)[number][];
  });

const refValidator = makeValidator();

/**
 * An entity ref in the form the store keeps refs in (`kind:namespace/name`, lower-cased as
 * `stringifyEntityRef` writes them), so that filters match whatever case the caller used
 * and the lookup stays an index equality. Undefined when it is not a well-formed ref.
 */
export function normalizeEntityRef(
  value: string,
  defaultKind?: string,
): string | undefined {
  try {
    const parsed = parseEntityRef(value.trim(), {
      defaultKind,
      defaultNamespace: 'default',
    });
    const kind = parsed.kind.toLocaleLowerCase('en-US');
    const namespace = parsed.namespace.toLocaleLowerCase('en-US');
    if (
      !refValidator.isValidKind(kind) ||
      !refValidator.isValidNamespace(namespace) ||
      !refValidator.isValidEntityName(parsed.name)
    )
      return undefined;
    return stringifyEntityRef({ kind, namespace, name: parsed.name });
  } catch {
    return undefined;
  }
}

/**
 * A ref filter of a listing, normalised; empty means no filter (as for `status`).
 * `defaultKind` lets `alice` stand for `user:default/alice`.
 */
const refFilter = (opts: {
  defaultKind?: string;
  kind?: string;
  example: string;
  what: string;
}) =>
  text(400)
    .optional()
    .transform((v, ctx) => {
      if (!v?.trim()) return undefined;
      const normalized = normalizeEntityRef(v, opts.defaultKind);
      if (
        !normalized ||
        (opts.kind && !normalized.startsWith(`${opts.kind}:`))
      ) {
        const shown = v.length > 100 ? `${v.slice(0, 100)}…` : v;
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `"${shown}" is not ${opts.what} like ${opts.example}`,
        });
        return z.NEVER;
      }
      return normalized;
    });

/** `?requester=`: a user entity ref. */
const requesterFilter = refFilter({
  defaultKind: 'user',
  kind: 'user',
  example: 'user:default/alice',
  what: 'a user entity ref',
});
/** `?entityRef=`: a requested resource; the kind is required, the namespace defaults. */
const entityRefFilter = refFilter({
  example: 'resource:default/orders-db',
  what: 'an entity ref',
});

/** Flow ids are kebab-case (as the config requires); a flow no longer configured still matches. */
const flowIdFilter = text(100)
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(v)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'must be a flow id, like prod-db',
      });
      return z.NEVER;
    }
    return v;
  });

/** Filters of a request listing, applied on top of what the view shows. */
export const LIST_FILTERS = ['requester', 'entityRef', 'flowId'] as const;

export const listQuerySchema = z
  .object({
    view: z
      .enum(['mine', 'approvals', 'decided', 'all', 'favorites'])
      .default('mine'),
    status: statusList,
    requester: requesterFilter,
    entityRef: entityRefFilter,
    flowId: flowIdFilter,
    cursor: text(1000).optional(),
    limit,
  })
  .strict()
  .superRefine((q, ctx) => {
    // Favourites are a short list of one's own stars, not a searchable listing.
    if (q.view !== 'favorites') return;
    for (const key of LIST_FILTERS) {
      if (q[key] !== undefined)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [key],
          message: 'filters do not apply to view=favorites',
        });
    }
  });

export const resourcesQuerySchema = z
  .object({
    q: text(200).optional(),
    type: text(100).optional(),
    permission: permission.optional(),
    // Signed and checked by ResourcesCursors; never passed to the catalog.
    cursor: text(1000).optional(),
    limit,
  })
  .strict();

export const entityQuerySchema = z.object({ entityRef: ref() }).strict();

export const entityHistoryQuerySchema = z
  .object({
    entityRef: ref(),
    cursor: text(1000).optional(),
    limit,
  })
  .strict();

export const auditQuerySchema = z
  .object({
    cursor: z
      .string()
      .regex(/^\d{1,18}$/, 'invalid cursor')
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    format: z.enum(['json', 'csv']).default('json'),
    requestId: z.string().uuid().optional(),
  })
  .strict();

/** Request ids are UUIDs; the router answers any other `{id}` as an unknown one (404). */
export const requestIdSchema = z.string().uuid();

/** Parses input with a schema; on failure a 400 that names the offending field. */
export function parse<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
  where: 'body' | 'query' | 'path',
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5).map(i => {
    const path = i.path.reduce<string>((acc, p) => {
      if (typeof p === 'number') return `${acc}[${p}]`;
      return acc ? `${acc}.${p}` : String(p);
    }, '');
    const field = path || (i.code === 'unrecognized_keys' ? '' : where);
    return `${field ? `${field}: ` : ''}${i.message}`;
  });
  throw new InputError(`Invalid ${where}: ${issues.join('; ')}`);
}

/** Opaque keyset cursor for request listings. */
export function encodeCursor(c: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

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
