import { useApi } from '@backstage/core-plugin-api';
import { SubmitAccessRequestBody } from '@jit-access/plugin-access-common';
import { useMemo } from 'react';
import { accessApiRef } from '../api';

/**
 * Asking for access: `preview` says which flows and approvers a submission would get,
 * `submit` makes the requests (with an idempotency key, a retry creates nothing twice).
 * Both throw with the backend's message.
 */
export function useRequestSubmission() {
  const api = useApi(accessApiRef);
  return useMemo(
    () => ({
      preview: (body: SubmitAccessRequestBody) => api.previewRequest(body),
      submit: (
        body: SubmitAccessRequestBody,
        options?: { idempotencyKey?: string },
      ) => api.submitRequest(body, options),
    }),
    [api],
  );
}
