import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AccessRequest,
  EntityAccessSummary,
} from '@jit-access/plugin-access-common';
import { PageCursor } from '../database/types';
import { ownersOf } from '../flows/CatalogDirectory';
import { Caller, RequestDeps } from './RequestDeps';
import { RequestViews } from './RequestViews';
import { resolveRequester } from './resolveRequester';

/** The entity page: whether an entity is covered, what one may request, who holds it. */
export class EntityAccess {
  constructor(
    private readonly deps: RequestDeps,
    private readonly views: RequestViews,
  ) {}

  /** The entity as `onBehalfOf` may read it: one they may not read is "not in the catalog". */
  private async entityFor(
    entityRef: string,
    onBehalfOf?: BackstageCredentials,
  ) {
    let ref: string;
    try {
      ref = stringifyEntityRef(
        parseEntityRef(entityRef, { defaultNamespace: 'default' }),
      );
    } catch {
      throw new InputError(
        `entityRef: "${entityRef}" is not an entity ref like resource:default/orders-db`,
      );
    }
    const entity = await this.deps.directory.getEntity(ref, onBehalfOf);
    if (!entity) throw new NotFoundError(`No entity ${ref} in the catalog`);
    return { ref, entity };
  }

  /** Owners of the entity and access admins see who holds access to it. */
  private async canSeeHolders(
    caller: Caller,
    entity: Entity,
  ): Promise<boolean> {
    if (caller.isAdmin) return true;
    if (caller.type !== 'user') return false;
    const user = await resolveRequester(this.deps.directory, caller);
    const owners = ownersOf(entity);
    return (
      owners.includes(user.ref) || user.groups.some(g => owners.includes(g))
    );
  }

  /** The entity page's view: is it covered, what may I request, what do I hold, who holds it. */
  async entityAccess(
    caller: Caller,
    entityRef: string,
    onBehalfOf?: BackstageCredentials,
  ): Promise<EntityAccessSummary> {
    const { ref, entity } = await this.entityFor(entityRef, onBehalfOf);
    const user =
      caller.type === 'user'
        ? await resolveRequester(this.deps.directory, caller)
        : undefined;
    const canSeeHolders = await this.canSeeHolders(caller, entity);
    const [mine, holders] = await Promise.all([
      user
        ? this.deps.store.requests.listRequests(
            {
              view: 'entity',
              entityRef: ref,
              requester: user.ref,
              statuses: ['pending', 'granting', 'granted'],
            },
            { limit: 50 },
          )
        : [],
      canSeeHolders
        ? this.deps.store.requests.listRequests(
            { view: 'entity', entityRef: ref, statuses: ['granted'] },
            { limit: 200 },
          )
        : undefined,
    ]);
    return {
      entityRef: ref,
      covered: this.deps.resolver.coversEntity(entity),
      permissions: user
        ? this.deps.resolver.permissionsFor(user, entity).map(p => ({
            permission: p.permission,
            flowId: p.flow.id,
            flowTitle: p.flow.title,
          }))
        : [],
      mine: await this.views.render(mine, caller),
      canSeeHolders,
      holders: holders ? await this.views.render(holders, caller) : undefined,
    };
  }

  /** Every request made for an entity, newest first: owners and admins only. */
  async entityHistory(
    caller: Caller,
    entityRef: string,
    page: { cursor?: PageCursor; limit: number },
    onBehalfOf?: BackstageCredentials,
  ): Promise<{ items: AccessRequest[]; nextCursor?: PageCursor }> {
    const { ref, entity } = await this.entityFor(entityRef, onBehalfOf);
    if (!(await this.canSeeHolders(caller, entity))) {
      throw new NotAllowedError(
        `Only owners of ${ref} and access admins may see its access history`,
      );
    }
    return this.views.list(caller, { view: 'entity', entityRef: ref }, page);
  }
}
