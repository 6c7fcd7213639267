// Errors as the access client throws them, for the component tests.
import { ResponseError } from '@backstage/errors';

const ERROR_NAMES: Record<number, string> = {
  400: 'InputError',
  403: 'NotAllowedError',
  404: 'NotFoundError',
  409: 'ConflictError',
  500: 'Error',
};

/**
 * An error as the access client throws it: a real `ResponseError` built from the backend's
 * error body, with the backend's message as its message (as `AccessClient` does).
 */
export async function httpError(
  statusCode: number,
  message: string,
): Promise<ResponseError> {
  const body = {
    error: { name: ERROR_NAMES[statusCode] ?? 'Error', message },
    request: { method: 'POST', url: '/api/access/requests' },
    response: { statusCode },
  };
  const error = await ResponseError.fromResponse({
    headers: {
      get: (h: string) => (h === 'content-type' ? 'application/json' : null),
    } as unknown as Headers,
    ok: false,
    redirected: false,
    status: statusCode,
    statusText: 'Error',
    type: 'basic',
    url: 'http://localhost/api/access/requests',
    text: async () => JSON.stringify(body),
  });
  error.message = error.cause.message;
  return error;
}
