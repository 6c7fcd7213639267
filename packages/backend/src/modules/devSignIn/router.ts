import {
  AuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
  UserEntity,
} from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import Router from 'express-promise-router';
import express from 'express';
import {
  DEV_PROVIDER_ID,
  devSignInRefusal,
  devSignInRefusedMessage,
} from './guard';

/** Path of the user list, relative to the auth plugin's base URL (`/api/auth`). */
export const DEV_USERS_PATH = `/${DEV_PROVIDER_ID}/users`;

/** One entry of `GET /api/auth/dev/users`. */
export type DevUser = {
  entityRef: string;
  name: string;
  displayName: string;
  email?: string;
  description?: string;
  groups: string[];
};

function groupsOf(entity: Entity): string[] {
  const fromRelations = (entity.relations ?? [])
    .filter(
      r => r.type === RELATION_MEMBER_OF && r.targetRef.startsWith('group:'),
    )
    .map(r => r.targetRef);
  if (fromRelations.length > 0) {
    return Array.from(new Set(fromRelations)).sort();
  }
  // Before the catalog has stitched relations, fall back to spec.memberOf.
  const memberOf = ((entity as UserEntity).spec?.memberOf ?? []) as string[];
  return Array.from(
    new Set(
      memberOf.map(ref =>
        stringifyEntityRef(
          parseEntityRef(ref, {
            defaultKind: 'group',
            defaultNamespace: entity.metadata.namespace ?? DEFAULT_NAMESPACE,
          }),
        ),
      ),
    ),
  ).sort();
}

/** Maps a catalog User entity to the shape the sign-in page shows. */
export function toDevUser(entity: Entity): DevUser {
  const profile = (entity as UserEntity).spec?.profile;
  return {
    entityRef: stringifyEntityRef(entity),
    name: entity.metadata.name,
    displayName:
      profile?.displayName ?? entity.metadata.title ?? entity.metadata.name,
    email: profile?.email,
    description: entity.metadata.description,
    groups: groupsOf(entity),
  };
}

/**
 * The router for `GET /dev/users` (mounted on the auth plugin, so
 * `GET /api/auth/dev/users`): lists the catalog's users for the dev sign-in
 * page, before anyone is signed in. Same guard as the provider itself.
 */
export function createDevUsersRouter(options: {
  config: RootConfigService;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  /** For tests; defaults to process.env.NODE_ENV. */
  nodeEnv?: string;
}): express.Router {
  const { config, catalog, auth, logger } = options;
  const providerConfig = config.getOptionalConfig(
    `auth.providers.${DEV_PROVIDER_ID}`,
  );
  const refusal = devSignInRefusal(
    config,
    options.nodeEnv ?? process.env.NODE_ENV,
  );

  const router = Router();
  router.get(DEV_USERS_PATH, async (_req, res) => {
    if (!providerConfig) {
      throw new NotFoundError(
        `The '${DEV_PROVIDER_ID}' auth provider is not configured; add 'auth.providers.${DEV_PROVIDER_ID}: {}' to app-config.yaml to use dev sign-in`,
      );
    }
    if (refusal) {
      throw new NotAllowedError(devSignInRefusedMessage(refusal));
    }
    const { items } = await catalog.getEntities(
      {
        filter: { kind: 'User' },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'metadata.description',
          'spec.profile',
          'spec.memberOf',
          'relations',
        ],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const users = items
      .map(toDevUser)
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'en'));
    logger.debug(`Listed ${users.length} users for dev sign-in`);
    res.json({ items: users });
  });
  return router;
}
