import { setupServer } from 'msw/node';
import { PROD_DATABASES } from './harness';

// Fixtures for the tests of access checks.

/**
 * An msw server for the outside services the checks call, listening for the whole test
 * file; requests it has no handler for go through.
 */
export function setupCheckServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'bypass' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/**
 * A flow for the harness's engineering group on production databases, with a permission of
 * its own (its id), so that a test picks the flow by the permission it asks. The approval
 * is merged over DBA approvers; the duration defaults to eight hours.
 */
export function prodDbFlow(
  id: string,
  approval: Record<string, unknown>,
  duration: Record<string, unknown> = { default: '8h', max: '8h' },
) {
  return {
    id,
    title: id,
    requesters: ['group:default/engineering'],
    resources: {
      filter: { ...PROD_DATABASES },
      permissions: [id],
    },
    approval: { approvers: ['group:default/dba'], ...approval },
    duration,
    justification: 'required',
  };
}
