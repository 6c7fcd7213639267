import {
  ACCESS_BASE_URL,
  AccessBackend,
  ALICE,
  errorResponse,
} from './accessServer';
import { makeClosed, makeRequest } from './sampleRequests';

// The thin fake answers fixtures and scripts, and refuses what the contract refuses.
describe('AccessBackend', () => {
  const call = (
    backend: AccessBackend,
    method: string,
    path: string,
    body?: unknown,
    caller: string | undefined = ALICE,
  ) =>
    backend.handle(
      new Request(`${ACCESS_BASE_URL}${path}`, {
        method,
        headers: {
          ...(caller ? { Authorization: `Bearer ${caller}` } : {}),
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      }),
    );

  const pending = makeRequest({ allowedActions: ['cancel', 'favorite'] });
  const closed = makeClosed('expired', { allowedActions: ['again'] });

  it("lists a view's fixtures, narrowed by status, and reads one by id", async () => {
    const backend = new AccessBackend({ lists: { mine: [pending, closed] } });
    const open = await call(
      backend,
      'GET',
      '/requests?view=mine&status=pending',
    );
    expect((await open.json()).items).toEqual([pending]);
    const one = await call(backend, 'GET', `/requests/${closed.id}`);
    expect(await one.json()).toEqual(closed);
    const none = await call(backend, 'GET', '/requests?view=approvals');
    expect((await none.json()).items).toEqual([]);
  });

  it('answers an action with what the test scripted, with the status of the spec', async () => {
    const backend = new AccessBackend({ lists: { mine: [closed] } });
    backend.on('post', '/requests/{id}/again', ({ params, body }) => ({
      items: [makeRequest({ againOf: params.id, ...body })],
    }));
    const res = await call(backend, 'POST', `/requests/${closed.id}/again`, {
      justification: 'again',
    });
    expect(res.status).toBe(201);
    expect((await res.json()).items[0]).toMatchObject({
      againOf: closed.id,
      justification: 'again',
    });
  });

  it('records what no fixture or script answers, and answers it with a 500', async () => {
    const backend = new AccessBackend();
    const res = await call(backend, 'POST', `/requests/${pending.id}/cancel`);
    expect(res.status).toBe(500);
    expect(backend.unanswered).toEqual([`POST /requests/${pending.id}/cancel`]);
  });

  it('refuses calls the contract refuses, and a call without credentials', async () => {
    const backend = new AccessBackend();
    const bad = await call(backend, 'GET', '/requests?bogus=1');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe(
      'Invalid query: bogus: unknown parameter',
    );
    const anonymous = await call(backend, 'GET', '/flows', undefined, '');
    expect(anonymous.status).toBe(401);
  });

  it('fails only calls the router lets through, with statuses the route lists or a 500', async () => {
    const backend = new AccessBackend({ lists: { mine: [pending] } });
    expect(() =>
      backend.failNext('GET', '/requests', 503, 'database down'),
    ).toThrow('The spec lists no 503 for GET /requests');
    backend.failAlways('GET', '/requests', 500, 'database down');
    const anonymous = await call(backend, 'GET', '/requests', undefined, '');
    expect(anonymous.status).toBe(401);
    const bad = await call(backend, 'GET', '/requests?bogus=1');
    expect(bad.status).toBe(400);
    const failed = await call(backend, 'GET', '/requests');
    expect(failed.status).toBe(500);
    expect((await failed.json()).error.message).toBe('database down');
  });

  it("counts a handler's Response with a status its route does not list as unanswered", async () => {
    const backend = new AccessBackend();
    backend.on('post', '/requests/{id}/cancel', ({ params }) =>
      params.id === pending.id
        ? errorResponse(409, 'not pending')
        : errorResponse(500, 'no answer for this one'),
    );
    const refused = await call(
      backend,
      'POST',
      `/requests/${pending.id}/cancel`,
    );
    expect(refused.status).toBe(409);
    expect(backend.unanswered).toEqual([]);
    await call(backend, 'POST', `/requests/${closed.id}/cancel`);
    expect(backend.unanswered).toEqual([
      `POST /requests/${closed.id}/cancel (answered 500)`,
    ]);
  });

  it('throws on a scripted answer that does not fit the spec', async () => {
    const backend = new AccessBackend();
    backend.on('post', '/requests/{id}/cancel', () => ({ id: 'x' } as any));
    await expect(
      call(backend, 'POST', `/requests/${pending.id}/cancel`),
    ).rejects.toThrow(/does not fit the spec/);
  });
});
