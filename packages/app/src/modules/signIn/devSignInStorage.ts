import type { IdentityApi, ProfileInfo } from '@backstage/frontend-plugin-api';

/** localStorage key remembering which example user the browser signed in as. */
export const DEV_SIGN_IN_STORAGE_KEY = 'jit-access:dev-sign-in:user';

export function getRememberedUser(): string | undefined {
  try {
    return window.localStorage.getItem(DEV_SIGN_IN_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function rememberUser(entityRef: string) {
  try {
    window.localStorage.setItem(DEV_SIGN_IN_STORAGE_KEY, entityRef);
  } catch {
    // Private mode or storage disabled: the choice is simply not remembered.
  }
}

export function forgetUser() {
  try {
    window.localStorage.removeItem(DEV_SIGN_IN_STORAGE_KEY);
  } catch {
    // ignore
  }
}

// The app's identity proxy still calls these deprecated methods for old plugins.
type CompatIdentityApi = IdentityApi & {
  getUserId?(): string;
  getIdToken?(): Promise<string | undefined>;
  getProfile?(): ProfileInfo;
};

/**
 * Wraps the identity from the proxied sign-in so that signing out also forgets
 * the remembered user: the app then reloads on the user picker (switch user).
 */
export function forgetUserOnSignOut(identity: IdentityApi): IdentityApi {
  const inner = identity as CompatIdentityApi;
  const wrapped: CompatIdentityApi = {
    getProfileInfo: () => inner.getProfileInfo(),
    getBackstageIdentity: () => inner.getBackstageIdentity(),
    getCredentials: () => inner.getCredentials(),
    async signOut() {
      forgetUser();
      await inner.signOut();
    },
  };
  if (inner.getUserId) {
    wrapped.getUserId = () => inner.getUserId!();
  }
  if (inner.getIdToken) {
    wrapped.getIdToken = () => inner.getIdToken!();
  }
  if (inner.getProfile) {
    wrapped.getProfile = () => inner.getProfile!();
  }
  return wrapped;
}
