import { AccessClient } from './AccessClient';

function client(
  respond: (
    url: string,
    init: RequestInit,
  ) => { status: number; body: unknown },
) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchApi = {
    fetch: async (url: string, init: RequestInit = {}) => {
      calls.push({ url, init });
      const { status, body } = respond(url, init);
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    },
  };
  const discoveryApi = {
    getBaseUrl: async (id: string) => `http://backend/api/${id}`,
  };
  return {
    api: new AccessClient({ discoveryApi, fetchApi: fetchApi as any }),
    calls,
  };
}

describe('AccessClient', () => {
  it('submits with JSON and an idempotency key', async () => {
    const { api, calls } = client(() => ({
      status: 201,
      body: { items: [{ id: 'r1' }] },
    }));
    const res = await api.submitRequest(
      {
        resources: [
          { entityRef: 'resource:default/orders-db', permissions: ['read'] },
        ],
        justification: 'x',
      },
      { idempotencyKey: 'k1' },
    );
    expect(res.items[0].id).toBe('r1');
    expect(calls[0].url).toBe('http://backend/api/access/requests');
    expect(calls[0].init.method).toBe('POST');
    expect((calls[0].init.headers as any)['Idempotency-Key']).toBe('k1');
    expect(JSON.parse(String(calls[0].init.body)).justification).toBe('x');
  });

  it('builds list queries and skips empty parameters', async () => {
    const { api, calls } = client(() => ({ status: 200, body: { items: [] } }));
    await api.listRequests({
      view: 'approvals',
      status: ['pending', 'granted'],
      limit: 20,
    });
    await api.getResources({ q: '', type: 'database' });
    expect(calls[0].url).toBe(
      'http://backend/api/access/requests?view=approvals&status=pending%2Cgranted&limit=20',
    );
    expect(calls[1].url).toBe(
      'http://backend/api/access/resources?type=database',
    );
  });

  it('sends the list filters, encoded, and skips empty ones', async () => {
    const { api, calls } = client(() => ({ status: 200, body: { items: [] } }));
    await api.listRequests({
      view: 'all',
      status: ['granted'],
      requester: 'user:default/alice',
      entityRef: 'resource:default/orders-db',
      flowId: 'prod-db',
      cursor: 'c1',
    });
    await api.listRequests({
      view: 'all',
      requester: '',
      entityRef: undefined,
      flowId: '',
    });
    expect(calls[0].url).toBe(
      'http://backend/api/access/requests?view=all&status=granted&requester=user%3Adefault%2Falice&entityRef=resource%3Adefault%2Forders-db&flowId=prod-db&cursor=c1',
    );
    expect(calls[1].url).toBe('http://backend/api/access/requests?view=all');
  });

  it('surfaces the backend error message, naming the field', async () => {
    const { api } = client(() => ({
      status: 400,
      body: {
        error: {
          name: 'InputError',
          message: 'Invalid body: durationSeconds: must be whole seconds',
        },
        request: { method: 'POST', url: '/api/access/requests/r1/extend' },
        response: { statusCode: 400 },
      },
    }));
    await expect(api.extend('r1', 1.5, 'x')).rejects.toThrow(
      /durationSeconds: must be whole seconds/,
    );
  });

  it('stars with PUT and unstars with DELETE', async () => {
    const { api, calls } = client(() => ({
      status: 200,
      body: { id: 'r1', favorite: true },
    }));
    await api.setFavorite('r1', true);
    await api.setFavorite('r1', false);
    expect(calls.map(c => c.init.method)).toEqual(['PUT', 'DELETE']);
  });
});
