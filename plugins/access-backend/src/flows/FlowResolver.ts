import {
  Entity,
  getCompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { AccessFlow, CatalogFilter } from '../config/AccessConfig';
import { CatalogDirectory, DirectoryUser, ownersOf } from './CatalogDirectory';
import { FlatEntity } from '@jit-access/plugin-access-common';
import {
  flattenEntity,
  matchesAnyFilter,
  narrowFilterToType,
} from './entityFilter';
import { narrowFilterToNamespaces, trustsEntity } from './entityTrust';

/**
 * Decides which flow governs a (requester, entity, permission): the first flow in config
 * order whose requesters include the requester, whose filter matches the entity (within
 * the namespaces and catalog locations it trusts) and that offers the permission.
 */
export class FlowResolver {
  constructor(
    readonly flows: AccessFlow[],
    private readonly directory: CatalogDirectory,
  ) {}

  getFlow(id: string): AccessFlow | undefined {
    return this.flows.find(f => f.id === id);
  }

  /** True when the flow lets this user request. */
  isRequester(flow: AccessFlow, user: DirectoryUser): boolean {
    return flow.requesters.some(
      r => r === '*' || r === user.ref || user.groups.includes(r),
    );
  }

  /** The flows this user may request through, in config order. */
  flowsFor(user: DirectoryUser): AccessFlow[] {
    return this.flows.filter(f => this.isRequester(f, user));
  }

  /** The deciding flow for one permission on one entity, or undefined when none applies. */
  decide(
    user: DirectoryUser,
    entity: Entity,
    permission: string,
  ): AccessFlow | undefined {
    const flat = flattenEntity(entity);
    return this.flows.find(
      f =>
        f.permissions.includes(permission) &&
        this.isRequester(f, user) &&
        this.applies(f, entity, flat),
    );
  }

  /** For each permission some flow offers this user on the entity, the deciding flow. */
  permissionsFor(
    user: DirectoryUser,
    entity: Entity,
  ): { permission: string; flow: AccessFlow }[] {
    const flat = flattenEntity(entity);
    const result = new Map<string, AccessFlow>();
    for (const f of this.flows) {
      if (!this.isRequester(f, user) || !this.applies(f, entity, flat))
        continue;
      for (const p of f.permissions) if (!result.has(p)) result.set(p, f);
    }
    return [...result].map(([permission, flow]) => ({ permission, flow }));
  }

  /** True when any flow (for anyone) covers the entity. */
  coversEntity(entity: Entity): boolean {
    const flat = flattenEntity(entity);
    return this.flows.some(f => this.applies(f, entity, flat));
  }

  /** True when the flow's filters match the entity and the flow trusts where it is from. */
  private applies(flow: AccessFlow, entity: Entity, flat: FlatEntity): boolean {
    return (
      matchesAnyFilter(flat, flow.filters) && trustsEntity(flow.trust, entity)
    );
  }

  /**
   * A catalog filter (OR of alternatives) that returns the entities this user may request,
   * optionally narrowed to a type and a permission. Undefined means nothing can match.
   */
  catalogFilterFor(
    user: DirectoryUser,
    opts: { type?: string; permission?: string },
  ): CatalogFilter[] | undefined {
    const filters: CatalogFilter[] = [];
    for (const f of this.flowsFor(user)) {
      if (opts.permission && !f.permissions.includes(opts.permission)) continue;
      for (const filter of f.filters) {
        const trusted = narrowFilterToNamespaces(filter, f.trust?.namespaces);
        const narrowed =
          trusted && opts.type
            ? narrowFilterToType(trusted, opts.type)
            : trusted;
        if (narrowed) filters.push(narrowed);
      }
    }
    return filters.length ? filters : undefined;
  }

  /** The user entity refs who may approve a request for this entity under this flow. */
  async resolveApprovers(flow: AccessFlow, entity: Entity): Promise<string[]> {
    const refs = new Set<string>();
    for (const a of flow.approval.approvers) {
      const sources = a === 'owner' ? ownersOf(entity) : [a];
      for (const s of sources) {
        for (const u of await this.directory.expandToUsers(s)) refs.add(u);
      }
    }
    return [...refs].sort();
  }
}

/** The canonical ref of an entity. */
export function refOf(entity: Entity): string {
  return stringifyEntityRef(getCompoundEntityRef(entity));
}
