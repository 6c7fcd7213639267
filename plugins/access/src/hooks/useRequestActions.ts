import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useMemo } from 'react';
import { accessApiRef } from '../api';

/**
 * The actions on a request, each one call to the backend. They throw with the backend's
 * message, for the dialog that asked to show it, except `favorite`, which has no dialog
 * and says what went wrong in an alert.
 */
export function useRequestActions() {
  const api = useApi(accessApiRef);
  const alertApi = useApi(alertApiRef);
  return useMemo(
    () => ({
      approve: (id: string, comment?: string) => api.approve(id, comment),
      reject: (id: string, reason: string) => api.reject(id, reason),
      cancel: (id: string) => api.cancel(id),
      revoke: (id: string, reason?: string) => api.revoke(id, reason),
      extend: (id: string, durationSeconds: number, justification: string) =>
        api.extend(id, durationSeconds, justification),
      again: (
        id: string,
        justification: string,
        options?: { idempotencyKey?: string },
      ) => api.requestAgain(id, justification, options),
      /** Stars or unstars `request`; false when the backend refused (said in an alert). */
      favorite: async (request: AccessRequest, favorite: boolean) => {
        try {
          await api.setFavorite(request.id, favorite);
          return true;
        } catch (e) {
          alertApi.post({
            message: `Could not ${favorite ? 'star' : 'unstar'} the request: ${
              (e as Error).message
            }`,
            severity: 'error',
          });
          return false;
        }
      },
    }),
    [api, alertApi],
  );
}

/** What {@link useRequestActions} returns. */
export type RequestActions = ReturnType<typeof useRequestActions>;
