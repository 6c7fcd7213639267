import {
  MAX_REQUEST_ITEMS,
  RequestableResource,
} from '@jit-access/plugin-access-common';
import { shortRef } from './entityRefs';

/** The backend refuses submissions with more items than this. */
export const MAX_SELECTED = MAX_REQUEST_ITEMS;

/** One entity picked for the request, with the permissions asked for on it. */
export interface SelectedItem {
  entityRef: string;
  /** Absent for deep-linked refs whose details could not be loaded. */
  resource?: RequestableResource;
  permissions: string[];
}

/** The name to show for a selected or listed entity. */
export function displayName(item: {
  entityRef: string;
  resource?: Pick<RequestableResource, 'title' | 'name'>;
}): string {
  return (
    item.resource?.title || item.resource?.name || shortRef(item.entityRef)
  );
}
