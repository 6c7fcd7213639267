import {
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ACCESS_REQUEST_STATUSES,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';

// The rules of GET /requests that the OpenAPI spec cannot state (it has already checked
// types, lengths, patterns and unknown parameters): comma lists, refs and combinations.

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

const invalid = (field: string, message: string) =>
  new InputError(`Invalid query: ${field}: ${message}`);

/** `?status=granted,expired`; empty means no filter. */
export function statusFilter(
  value: string | undefined,
): AccessRequestStatus[] | undefined {
  const list = (value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
  if (!list.length) return undefined;
  const bad = list.filter(
    s => !(ACCESS_REQUEST_STATUSES as readonly string[]).includes(s),
  );
  if (bad.length) {
    throw invalid(
      'status',
      `unknown status ${bad.join(', ')}; use ${ACCESS_REQUEST_STATUSES.join(
        ', ',
      )}`,
    );
  }
  return list as AccessRequestStatus[];
}

function refFilter(
  field: string,
  value: string | undefined,
  opts: { defaultKind?: string; kind?: string; example: string; what: string },
): string | undefined {
  if (!value?.trim()) return undefined;
  const normalized = normalizeEntityRef(value, opts.defaultKind);
  if (!normalized || (opts.kind && !normalized.startsWith(`${opts.kind}:`))) {
    const shown = value.length > 100 ? `${value.slice(0, 100)}…` : value;
    throw invalid(field, `"${shown}" is not ${opts.what} like ${opts.example}`);
  }
  return normalized;
}

/** Filters of a request listing, applied on top of what the view shows. */
export const LIST_FILTERS = ['requester', 'entityRef', 'flowId'] as const;

/** The filters of `GET /requests`, normalised; undefined ones do not filter. */
export interface ListFilters {
  requester?: string;
  entityRef?: string;
  flowId?: string;
}

/**
 * Reads the filters of a listing. `requester` may be a bare name (`alice` stands for
 * `user:default/alice`); `entityRef` needs its kind. Favourites are a short list of one's
 * own stars, not a searchable listing: filters there are a 400.
 */
export function listFilters(
  view: string,
  query: Partial<Record<(typeof LIST_FILTERS)[number], string>>,
): ListFilters {
  const filters: ListFilters = {
    requester: refFilter('requester', query.requester, {
      defaultKind: 'user',
      kind: 'user',
      example: 'user:default/alice',
      what: 'a user entity ref',
    }),
    entityRef: refFilter('entityRef', query.entityRef, {
      example: 'resource:default/orders-db',
      what: 'an entity ref',
    }),
    flowId: query.flowId || undefined,
  };
  if (view === 'favorites') {
    const used = LIST_FILTERS.find(key => filters[key] !== undefined);
    if (used) throw invalid(used, 'filters do not apply to view=favorites');
  }
  return filters;
}
