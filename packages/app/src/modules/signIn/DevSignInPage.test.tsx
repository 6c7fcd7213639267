import { fireEvent, screen, waitFor } from '@testing-library/react';
import { discoveryApiRef } from '@backstage/frontend-plugin-api';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { DevSignInPage } from './DevSignInPage';
import { DEV_SIGN_IN_STORAGE_KEY } from './devSignInStorage';

const users = [
  {
    entityRef: 'user:default/alice',
    name: 'alice',
    displayName: 'Alice Anderson',
    email: 'alice@acme.example',
    description: 'Developer in engineering; the requester in the demo',
    groups: ['group:default/engineering'],
  },
  {
    entityRef: 'user:default/pat',
    name: 'pat',
    displayName: 'Pat Park',
    email: 'pat@acme.example',
    description: 'Platform admin',
    groups: ['group:default/platform-admins'],
  },
];

function fakeJwt(payload: object) {
  const b64 = (o: object) =>
    Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none' })}.${b64(payload)}.sig`;
}

function jsonResponse(status: number, body: unknown): Response {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: status === 200 ? 'OK' : 'Error',
    headers: new Headers({ 'content-type': 'application/json' }),
    json: async () => body,
    text: async () => JSON.stringify(body),
  } as unknown as Response;
}

const apis = [
  [discoveryApiRef, mockApis.discovery({ baseUrl: 'http://backend' })],
] as const;

describe('DevSignInPage', () => {
  const fetchMock = jest.fn();
  const originalFetch = global.fetch;

  beforeEach(() => {
    window.localStorage.clear();
    fetchMock.mockReset();
    global.fetch = fetchMock as unknown as typeof fetch;
  });

  afterAll(() => {
    global.fetch = originalFetch;
  });

  it('lists the users, signs in as the chosen one and remembers it', async () => {
    fetchMock.mockImplementation(async (url: string, init?: RequestInit) => {
      if (url === 'http://backend/api/auth/dev/users') {
        return jsonResponse(200, { items: users });
      }
      if (url === 'http://backend/api/auth/dev/refresh') {
        const user = new Headers(init?.headers).get('x-dev-user');
        return jsonResponse(200, {
          profile: { displayName: 'Pat Park' },
          backstageIdentity: {
            token: fakeJwt({ sub: user, exp: Date.now() / 1000 + 3600 }),
            identity: {
              type: 'user',
              userEntityRef: user,
              ownershipEntityRefs: [user],
            },
          },
        });
      }
      return jsonResponse(404, { error: { message: 'nope' } });
    });
    const onSignInSuccess = jest.fn();

    await renderInTestApp(<DevSignInPage onSignInSuccess={onSignInSuccess} />, {
      apis,
    });

    expect(await screen.findByText('Alice Anderson')).toBeInTheDocument();
    expect(screen.getByText('Platform admin')).toBeInTheDocument();
    expect(screen.getByText('platform-admins')).toBeInTheDocument();

    fireEvent.click(screen.getByLabelText('Sign in as Pat Park'));

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(window.localStorage.getItem(DEV_SIGN_IN_STORAGE_KEY)).toBe(
      'user:default/pat',
    );
    const identity = onSignInSuccess.mock.calls[0][0];
    await expect(identity.getBackstageIdentity()).resolves.toMatchObject({
      userEntityRef: 'user:default/pat',
    });

    // Signing out forgets the choice, so the picker shows again.
    await identity.signOut();
    expect(window.localStorage.getItem(DEV_SIGN_IN_STORAGE_KEY)).toBeNull();
  });

  it('signs in directly as the remembered user', async () => {
    window.localStorage.setItem(DEV_SIGN_IN_STORAGE_KEY, 'user:default/alice');
    fetchMock.mockImplementation(async (_url: string, init?: RequestInit) =>
      jsonResponse(200, {
        profile: {},
        backstageIdentity: {
          token: fakeJwt({ exp: Date.now() / 1000 + 3600 }),
          identity: {
            type: 'user',
            userEntityRef: new Headers(init?.headers).get('x-dev-user'),
            ownershipEntityRefs: [],
          },
        },
      }),
    );
    const onSignInSuccess = jest.fn();

    await renderInTestApp(<DevSignInPage onSignInSuccess={onSignInSuccess} />, {
      apis,
    });

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0][0]).toBe(
      'http://backend/api/auth/dev/refresh',
    );
  });

  it('explains when dev sign-in is refused by the backend', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(403, {
        error: {
          name: 'NotAllowedError',
          message: 'Dev sign-in is only available in development: ...',
        },
      }),
    );

    await renderInTestApp(<DevSignInPage onSignInSuccess={jest.fn()} />, {
      apis,
    });

    expect(
      await screen.findAllByText(
        /Dev sign-in is only available in development/,
      ),
    ).not.toHaveLength(0);
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });
});
