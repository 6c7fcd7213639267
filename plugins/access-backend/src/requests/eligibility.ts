import { NotAllowedError } from '@backstage/errors';
import { CatalogDirectory } from '../flows/CatalogDirectory';
import { FlowResolver } from '../flows/FlowResolver';
import { RequestRecord } from '../database/types';

// Approvers are resolved when a request is submitted and requesters when access is granted;
// both are checked again against the catalog as it is now before they act, so that leaving
// a group or handing over ownership takes effect on open requests too (within the
// directory's 30-second cache).

/**
 * Why `user`, a stored approver of `r`, may no longer decide on it: the flow's approvers
 * resolved from the catalog now must still include them for every resource. Undefined
 * when they may. A request whose flow was removed can still be rejected, not approved.
 */
export async function noLongerApprover(options: {
  resolver: FlowResolver;
  directory: CatalogDirectory;
  request: RequestRecord;
  user: string;
  decision: 'approve' | 'reject';
}): Promise<string | undefined> {
  const { resolver, directory, request: r, user } = options;
  const flow = resolver.getFlow(r.flowId);
  if (!flow) {
    return options.decision === 'reject'
      ? undefined
      : `flow "${r.flowId}" no longer exists; the request can only be rejected`;
  }
  const refs = r.resources.map(x => x.entityRef);
  const entities = await directory.getEntities(refs);
  for (let i = 0; i < refs.length; i++) {
    const entity = entities[i];
    if (!entity) return `${refs[i]} is no longer in the catalog`;
    if (!(await resolver.resolveApprovers(flow, entity)).includes(user))
      return `flow "${flow.id}" does not name you as an approver of ${refs[i]} any more`;
  }
  return undefined;
}

/**
 * Throws 403 when the holder of `r` is no longer among its flow's requesters by the
 * catalog now (say they left the group the flow lists), so their access is not extended.
 */
export async function assertStillRequester(options: {
  resolver: FlowResolver;
  directory: CatalogDirectory;
  request: RequestRecord;
}): Promise<void> {
  const { resolver, directory, request: r } = options;
  const flow = resolver.getFlow(r.flowId);
  // A removed flow is refused by the extension's own checks.
  if (!flow) return;
  const user = (await directory.findUser(r.requester)) ?? {
    ref: r.requester,
    groups: [],
  };
  if (!resolver.isRequester(flow, user)) {
    throw new NotAllowedError(
      `Flow "${flow.id}" no longer lets ${r.requester} request this access, so it cannot be extended; group membership changed since it was granted`,
    );
  }
}
