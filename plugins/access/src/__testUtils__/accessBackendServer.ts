// The msw server the HTTP component tests serve the fake access backend from (not part of
// the plugin's exports).
import { registerMswTestHooks } from '@backstage/test-utils';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { AccessBackend, accessUrl } from './accessServer';

/**
 * An msw server for the test file, started and reset by Backstage's test hooks (call it at
 * the top of the file), and `serveBackend`, which has a fake access backend answer every
 * call to /api/access. A test fails when the page made a call its fake had no answer for.
 */
export function setupAccessBackendServer() {
  const server = setupServer();
  registerMswTestHooks(server);
  let served: AccessBackend[] = [];
  afterEach(() => {
    const unanswered = served.flatMap(b => b.unanswered);
    served = [];
    if (unanswered.length)
      throw new Error(`Unscripted calls: ${unanswered.join(', ')}`);
  });
  const serveBackend = (backend: AccessBackend) => {
    served.push(backend);
    server.use(
      http.all(accessUrl('/*'), ({ request }) => backend.handle(request)),
    );
  };
  return { server, serveBackend };
}
