import {
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
  UserEntity,
} from '@backstage/catalog-model';
import {
  InputError,
  isError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  createProxyAuthenticator,
  SignInResolver,
} from '@backstage/plugin-auth-node';
import { Config } from '@backstage/config';
import {
  DEV_USER_HEADER,
  devSignInRefusal,
  devSignInRefusedMessage,
} from './guard';

/** What the dev authenticator hands to the profile transform and sign-in resolver. */
export type DevAuthResult = {
  /** Full, normalised user entity ref, e.g. `user:default/alice`. */
  userEntityRef: string;
};

type DevAuthenticatorContext = {
  /** Why sign-in is refused; undefined when it is allowed. */
  refusal?: string;
};

/**
 * Parses the value of the `x-dev-user` header into a full user entity ref.
 * Accepts `user:default/alice`, `default/alice` or `alice`.
 */
export function parseDevUserHeader(value: string | undefined): string {
  const raw = value?.trim();
  if (!raw) {
    throw new InputError(
      `Dev sign-in requires the '${DEV_USER_HEADER}' header, naming the catalog user to sign in as, for example 'user:default/alice'`,
    );
  }
  let ref;
  try {
    ref = parseEntityRef(raw, {
      defaultKind: 'user',
      defaultNamespace: DEFAULT_NAMESPACE,
    });
  } catch (e) {
    throw new InputError(
      `Invalid '${DEV_USER_HEADER}' header '${raw}': ${
        isError(e) ? e.message : String(e)
      }`,
    );
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'user') {
    throw new InputError(
      `Invalid '${DEV_USER_HEADER}' header '${raw}': it must reference a User entity, for example 'user:default/alice'`,
    );
  }
  return stringifyEntityRef(ref);
}

function notInCatalog(userEntityRef: string): NotFoundError {
  return new NotFoundError(
    `Dev sign-in failed: user '${userEntityRef}' is not in the catalog. ` +
      `Pick one of the users listed by GET /api/auth/dev/users.`,
  );
}

function isNotFound(e: unknown): boolean {
  return isError(e) && e.name === 'NotFoundError';
}

/**
 * Proxy authenticator for the dev provider: trusts the `x-dev-user` header.
 * Refuses every request unless dev sign-in is allowed (see {@link devSignInRefusal}); the
 * root config is needed for `auth.environment`, which the provider's own config lacks.
 */
export const createDevAuthenticator = (rootConfig: Config) =>
  createProxyAuthenticator<DevAuthenticatorContext, DevAuthResult, undefined>({
    async defaultProfileTransform(result, ctx) {
      try {
        const { entity } = await ctx.findCatalogUser({
          entityRef: result.userEntityRef,
        });
        return { profile: profileFromUserEntity(entity) };
      } catch (e) {
        if (isNotFound(e)) {
          throw notInCatalog(result.userEntityRef);
        }
        throw e;
      }
    },
    initialize() {
      return { refusal: devSignInRefusal(rootConfig) };
    },
    async authenticate({ req }, { refusal }) {
      if (refusal) {
        throw new NotAllowedError(devSignInRefusedMessage(refusal));
      }
      const userEntityRef = parseDevUserHeader(req.header(DEV_USER_HEADER));
      return { result: { userEntityRef } };
    },
  });

/** Profile shown in the frontend (settings page, sidebar avatar). */
export function profileFromUserEntity(entity: Entity) {
  const profile = (entity as UserEntity).spec?.profile;
  return {
    displayName: profile?.displayName ?? entity.metadata.name,
    email: profile?.email,
    picture: profile?.picture,
  };
}

/**
 * Signs in as the catalog user named by the header, with the usual ownership
 * refs (the user and the groups it is a member of).
 */
export const devSignInResolver: SignInResolver<DevAuthResult> = async (
  { result },
  ctx,
) => {
  try {
    return await ctx.signInWithCatalogUser({
      entityRef: result.userEntityRef,
    });
  } catch (e) {
    if (isNotFound(e)) {
      throw notInCatalog(result.userEntityRef);
    }
    throw e;
  }
};
