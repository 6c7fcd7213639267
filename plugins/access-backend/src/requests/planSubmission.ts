import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AccessResourceItem } from '@jit-access/plugin-access-common';
import { AccessBundleConfig, AccessFlow } from '../config/AccessConfig';
import { formatDuration } from '../config/duration';
import { CatalogDirectory, DirectoryUser } from '../flows/CatalogDirectory';
import { FlowResolver } from '../flows/FlowResolver';

/** One request to create: one flow, one approver set. */
export interface PlannedRequest {
  flow: AccessFlow;
  resources: AccessResourceItem[];
  approvers: string[];
  durationSeconds: number;
  justification: string;
}

/** The validated body of a submission or preview. */
export interface SubmissionInput {
  resources?: { entityRef: string; permissions: string[] }[];
  bundleId?: string;
  durationSeconds?: number;
  justification?: string;
}

/**
 * Turns a submission into the requests it becomes: each (entity, permission) goes to its
 * deciding flow; items are then grouped by flow and by who approves them, so that one
 * team's approval never covers another team's resource.
 *
 * Throws 400 for bad items (naming the field), 403 when no flow lets the requester ask.
 */
export async function planSubmission(options: {
  input: SubmissionInput;
  requester: DirectoryUser;
  resolver: FlowResolver;
  directory: CatalogDirectory;
  bundles: AccessBundleConfig[];
  /** For "request again": shorten the duration to the flow's max instead of refusing. */
  clampDuration?: boolean;
  /** A preview reports whether a justification is needed instead of demanding one. */
  preview?: boolean;
  maxItems?: number;
  /**
   * A user's own credentials: entities are read as they may read them, so one the catalog
   * hides from them is "not in the catalog" (no flow, approvers or existence leak).
   */
  onBehalfOf?: BackstageCredentials;
}): Promise<PlannedRequest[]> {
  const { input, requester, resolver, directory } = options;
  const maxItems = options.maxItems ?? 1000;

  let items: { entityRef: string; permissions: string[]; field: string }[] = (
    input.resources ?? []
  ).map((r, i) => ({
    ...r,
    field: `resources[${i}]`,
  }));

  if (input.bundleId !== undefined) {
    const bundle = options.bundles.find(b => b.id === input.bundleId);
    if (!bundle)
      throw new InputError(`bundleId: no bundle "${input.bundleId}"`);
    if (items.length === 0) {
      items = bundle.resources.map((r, i) => ({
        ...r,
        field: `bundle ${bundle.id} resources[${i}]`,
      }));
    } else {
      // A subset of the bundle: every picked item must be in it.
      items.forEach(item => {
        const inBundle = bundle.resources.find(b =>
          sameRef(b.entityRef, item.entityRef),
        );
        const extra = item.permissions.filter(
          p => !inBundle?.permissions.includes(p),
        );
        if (!inBundle || extra.length) {
          throw new InputError(
            `${item.field}: not part of bundle "${bundle.id}"${
              extra.length && inBundle
                ? ` (permission ${extra.join(', ')})`
                : ''
            }`,
          );
        }
      });
    }
  }
  if (items.length === 0)
    throw new InputError('resources: name at least one resource or a bundleId');
  if (items.length > maxItems)
    throw new InputError(
      `resources: at most ${maxItems} items per submission, got ${items.length}`,
    );

  // Normalise refs and merge duplicates.
  const merged = new Map<
    string,
    { entityRef: string; permissions: Set<string>; field: string }
  >();
  for (const item of items) {
    let ref: string;
    try {
      ref = stringifyEntityRef(
        parseEntityRef(item.entityRef, { defaultNamespace: 'default' }),
      );
    } catch {
      throw new InputError(
        `${item.field}.entityRef: "${item.entityRef}" is not an entity ref like resource:default/orders-db`,
      );
    }
    if (item.permissions.length === 0)
      throw new InputError(
        `${item.field}.permissions: name at least one permission`,
      );
    const m = merged.get(ref) ?? {
      entityRef: ref,
      permissions: new Set<string>(),
      field: item.field,
    };
    item.permissions.forEach(p => m.permissions.add(p));
    merged.set(ref, m);
  }
  const wanted = [...merged.values()];
  const entities = await directory.getEntities(
    wanted.map(w => w.entityRef),
    options.onBehalfOf,
  );

  // (flow, approvers) -> resources
  const groups = new Map<
    string,
    {
      flow: AccessFlow;
      entity: Entity;
      approvers: string[];
      resources: Map<string, Set<string>>;
    }
  >();
  const approverCache = new Map<string, Promise<string[]>>();
  for (let i = 0; i < wanted.length; i++) {
    const w = wanted[i];
    const entity = entities[i];
    if (!entity)
      throw new InputError(
        `${w.field}.entityRef: no entity "${w.entityRef}" in the catalog`,
      );
    for (const permission of w.permissions) {
      const flow = resolver.decide(requester, entity, permission);
      if (!flow) {
        throw new NotAllowedError(
          `${w.field}: no access flow lets ${requester.ref} request "${permission}" on ${w.entityRef}`,
        );
      }
      const key = `${flow.id}|${w.entityRef}`;
      let approvers = approverCache.get(key);
      if (!approvers) {
        approvers =
          flow.approval.type === 'automatic' &&
          flow.approval.approvers.length === 0
            ? Promise.resolve([])
            : resolver.resolveApprovers(flow, entity);
        approverCache.set(key, approvers);
      }
      const list = await approvers;
      const groupKey = `${flow.id}|${list.join(',')}`;
      const g = groups.get(groupKey) ?? {
        flow,
        entity,
        approvers: list,
        resources: new Map(),
      };
      const perms = g.resources.get(w.entityRef) ?? new Set<string>();
      perms.add(permission);
      g.resources.set(w.entityRef, perms);
      groups.set(groupKey, g);
    }
  }

  const justification = (input.justification ?? '').trim();
  return [...groups.values()].map(g => {
    const { flow } = g;
    let durationSeconds = input.durationSeconds ?? flow.duration.defaultSeconds;
    if (durationSeconds > flow.duration.maxSeconds) {
      if (!options.clampDuration) {
        throw new InputError(
          `durationSeconds: ${durationSeconds}s is longer than flow "${
            flow.id
          }" allows (max ${formatDuration(flow.duration.maxSeconds)} = ${
            flow.duration.maxSeconds
          }s)`,
        );
      }
      durationSeconds = flow.duration.maxSeconds;
    }
    if (
      flow.justification === 'required' &&
      !justification &&
      !options.preview
    ) {
      throw new InputError(
        `justification: flow "${flow.id}" (${flow.title}) requires a justification`,
      );
    }
    if (flow.approval.type !== 'automatic') {
      const eligible = g.approvers.filter(
        a => flow.approval.allowSelfApproval || a !== requester.ref,
      );
      const needed =
        flow.approval.type === 'breakglass' ? 1 : flow.approval.required;
      // With auto-approve checks a person may not be needed at all; if the checks do not
      // pass, the request is rejected then, naming the missing approvers.
      const checksMayDecide =
        flow.approval.type === 'manual' &&
        flow.approval.autoApproveChecks.length > 0;
      if (eligible.length < needed && !checksMayDecide) {
        throw new InputError(
          `resources: flow "${flow.id}" needs ${needed} approver(s) for ${[
            ...g.resources.keys(),
          ].join(', ')} but only ${
            eligible.length
          } can approve a request from ${
            requester.ref
          }; ask your platform team to fix the approvers`,
        );
      }
    }
    return {
      flow,
      approvers: g.approvers,
      resources: [...g.resources].map(([entityRef, perms]) => ({
        entityRef,
        permissions: [...perms].sort(),
      })),
      durationSeconds,
      justification,
    };
  });
}

function sameRef(a: string, b: string): boolean {
  try {
    return (
      stringifyEntityRef(parseEntityRef(a, { defaultNamespace: 'default' })) ===
      stringifyEntityRef(parseEntityRef(b, { defaultNamespace: 'default' }))
    );
  } catch {
    return false;
  }
}
