import { NotAllowedError } from '@backstage/errors';
import { CatalogDirectory } from '../flows/CatalogDirectory';
import { restrictsTrust, untrustedReason } from '../flows/entityTrust';
import { FlowResolver } from '../flows/FlowResolver';
import { RequestRecord } from '../database/types';

// Approvers and requesters are resolved when a request is submitted; both, and the flow's
// trust in the entities, are checked again against the catalog as it is now before access
// is approved or extended, so that leaving a group, handing over ownership or moving an
// entity takes effect on open requests too (within the directory's 30-second cache).

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
 * Why the flow of `r` would no longer give its requester this access, by the catalog now:
 * the requester was deleted from it or left the flow's requesters, or a resource now lies
 * outside the namespaces or catalog locations the flow trusts, or the flow no longer
 * decides its permissions on it (relabelled entity). Undefined when it still
 * would. A removed flow is refused by approve and extend themselves.
 */
export async function noLongerGrantable(options: {
  resolver: FlowResolver;
  directory: CatalogDirectory;
  request: RequestRecord;
}): Promise<string | undefined> {
  const { resolver, directory, request: r } = options;
  const flow = resolver.getFlow(r.flowId);
  if (!flow) return undefined;
  // Unlike at submission, a user unknown to the catalog is not taken as one without groups.
  const user = await directory.findUser(r.requester);
  if (!user) return `${r.requester} is no longer in the catalog`;
  if (!resolver.isRequester(flow, user))
    return `${r.requester} no longer matches the requesters of flow "${flow.id}" in the catalog`;
  const refs = r.resources.map(x => x.entityRef);
  const entities = await directory.getEntities(refs);
  for (let i = 0; i < refs.length; i++) {
    const entity = entities[i];
    const reason = restrictsTrust(flow.trust)
      ? untrustedReason(flow.trust, refs[i], entity, `flow "${flow.id}"`)
      : undefined;
    if (reason) return reason;
    if (!entity) return `${refs[i]} is no longer in the catalog`;
    // A relabelled entity (or a new flow ahead of this one) takes the access out of the flow.
    for (const permission of r.resources[i].permissions) {
      if (resolver.decide(user, entity, permission)?.id !== flow.id)
        return `flow "${flow.id}" no longer governs permission "${permission}" on ${refs[i]} in the catalog`;
    }
  }
  return undefined;
}

/**
 * Why `approver` may not approve `r` now ({@link noLongerGrantable}), as the 403 message,
 * whatever `r` awaits when loaded; the caller ignores it for a break-glass review. Only for
 * a stored approver (anyone else is refused anyway).
 */
export async function approvalRefused(options: {
  resolver: FlowResolver;
  directory: CatalogDirectory;
  request: RequestRecord;
  approver: string;
}): Promise<string | undefined> {
  // Not guarded by `awaiting`: the caller's load may predate the checks finishing, and
  // the transaction applies this verdict to whichever decision it then finds.
  const { id, approvers } = options.request;
  if (!approvers.includes(options.approver)) return undefined;
  const reason = await noLongerGrantable(options);
  return (
    reason &&
    `Access request ${id} cannot be approved: ${reason}; it can still be rejected`
  );
}

/** Throws 403 when {@link noLongerGrantable} says the access of `r` may not be extended. */
export async function assertExtendable(options: {
  resolver: FlowResolver;
  directory: CatalogDirectory;
  request: RequestRecord;
}): Promise<void> {
  const reason = await noLongerGrantable(options);
  if (reason)
    throw new NotAllowedError(`This access cannot be extended: ${reason}`);
}

/**
 * Why `requester` may not submit to `flows`: an approval checks the requester against the
 * catalog ({@link noLongerGrantable}), so a manual request from a user the catalog does not
 * know (such as the guest provider's `user:development/guest`) could never be approved.
 * Refused at once instead of waiting forever. Undefined when the user is in the catalog
 * (as resolved for the submission) or no flow needs a person's approval.
 */
export function unapprovableRequester(
  requester: { ref: string; inCatalog: boolean },
  flows: Array<{ id: string; approval: { type: string } }>,
): string | undefined {
  const manual = flows.find(f => f.approval.type === 'manual');
  if (!manual || requester.inCatalog) return undefined;
  return `${requester.ref} is not in the catalog, and an approval checks the requester against the catalog, so no one could approve a request of flow "${manual.id}"; sign in as a user of the catalog`;
}
