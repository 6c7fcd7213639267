import { assertAnswerFits, contractProblem, routeOf } from './accessContract';

// The fake backend leans on these checks; they must refuse what the real router refuses.
describe('the fake backend checks calls and answers against openapi.yaml', () => {
  const call = (method: string, path: string, query = '', body?: unknown) =>
    contractProblem({
      method,
      path,
      query: new URLSearchParams(query),
      body,
    });

  it('takes a call the spec describes', () => {
    expect(call('GET', '/requests', 'view=mine&limit=20&status=a,b')).toBe(
      undefined,
    );
    expect(
      call(
        'POST',
        '/requests/00000000-0000-4000-8000-000000000000/reject',
        '',
        {
          reason: 'no',
        },
      ),
    ).toBe(undefined);
  });

  it('refuses what the real router refuses', () => {
    expect(call('GET', '/nope')?.status).toBe(404);
    expect(call('HEAD', '/requests')?.status).toBe(404);
    expect(call('GET', '/requests', 'bogus=1')).toEqual({
      status: 400,
      message: 'Invalid query: bogus: unknown parameter',
    });
    expect(call('GET', '/requests', 'limit=500')?.status).toBe(400);
    expect(call('GET', '/requests', 'view=everyone')?.status).toBe(400);
    expect(call('GET', '/resources', 'permission=')?.status).toBe(400);
    expect(
      call('POST', '/requests', '', { resources: [], junk: 1 })?.status,
    ).toBe(400);
    expect(
      call('POST', '/requests/x/extend', '', { durationSeconds: 1.5 })?.status,
    ).toBe(400);
    expect(call('POST', '/requests/x/reject', '', undefined)?.status).toBe(400);
  });

  it("names a call's route, its parameters and its success status", () => {
    expect(routeOf('POST', '/requests/abc/again')).toEqual({
      template: '/requests/{id}/again',
      params: { id: 'abc' },
      status: 201,
    });
    expect(routeOf('POST', '/requests/preview')).toMatchObject({
      template: '/requests/preview',
      status: 200,
    });
    expect(routeOf('GET', '/nope')).toBe(undefined);
  });

  it('throws when an answer does not fit the spec', () => {
    expect(() =>
      assertAnswerFits({ method: 'GET', path: '/flows' }, 200, { items: [] }),
    ).not.toThrow();
    expect(() =>
      assertAnswerFits({ method: 'GET', path: '/flows' }, 200, {}),
    ).toThrow(/does not fit the spec/);
    expect(() =>
      assertAnswerFits({ method: 'GET', path: '/requests/x' }, 200, {
        id: 'x',
      }),
    ).toThrow(/does not fit the spec/);
    expect(() =>
      assertAnswerFits({ method: 'GET', path: '/flows' }, 201, { items: [] }),
    ).toThrow(/does not describe/);
  });
});
