import { AccessRequest } from '@jit-access/plugin-access-common';

/** The query parameter My Access reads to show what was just submitted. */
export const SUBMITTED_PARAM = 'submitted';

/** Submissions remembered, newest last; a handful is plenty for one browser tab. */
const MAX_REMEMBERED = 10;
const remembered = new Map<string, AccessRequest[]>();

/**
 * Keeps the requests a submission was split into (they share a group id) for My Access,
 * which shows them in a banner after New Request navigates there. In memory only: after a
 * reload My Access looks them up instead. Returns the group id.
 */
export function rememberSubmission(
  items: readonly AccessRequest[],
): string | undefined {
  const groupId = items[0]?.groupId;
  if (!groupId) return undefined;
  remembered.delete(groupId);
  remembered.set(groupId, [...items]);
  while (remembered.size > MAX_REMEMBERED)
    remembered.delete(remembered.keys().next().value as string);
  return groupId;
}

/** The requests of a remembered submission, if this tab made it. */
export function recallSubmission(groupId: string): AccessRequest[] | undefined {
  return remembered.get(groupId);
}
