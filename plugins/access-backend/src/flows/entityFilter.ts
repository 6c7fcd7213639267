import { CatalogFilter } from '../config/AccessConfig';

// The matcher is shared with the frontend (which answers "does any flow cover this
// entity?" from the flows it fetched), so both sides match the same way.
export {
  flattenEntity,
  matchesAnyFilter,
  matchesFilter,
} from '@jit-access/plugin-access-common';

/**
 * Narrows a flow filter to one `spec.type`, for catalog queries. Returns undefined when
 * the filter can never match that type.
 */
export function narrowFilterToType(
  filter: CatalogFilter,
  type: string,
): CatalogFilter | undefined {
  const key = Object.keys(filter).find(
    k => k.toLocaleLowerCase('en-US') === 'spec.type',
  );
  if (!key) return { ...filter, 'spec.type': type };
  const values = Array.isArray(filter[key])
    ? (filter[key] as string[])
    : [filter[key] as string];
  if (
    !values.some(
      v => v.toLocaleLowerCase('en-US') === type.toLocaleLowerCase('en-US'),
    )
  ) {
    return undefined;
  }
  return { ...filter, [key]: type };
}
