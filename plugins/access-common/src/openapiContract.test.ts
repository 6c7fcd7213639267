/*
 * The API types of this package against the types generated from the backend's
 * openapi.yaml (src/generated/openapi.ts): each pair must be assignable in both directions
 * and name the same properties. Most are re-exports of the generated types, so these
 * checks guard the re-exports and what is still written by hand (AccessPage,
 * AccessApprovalKind, AccessRequestListFilters) and the answers that are not a named
 * schema. The checks are compile-time (`yarn tsc`); the one runtime expectation only lets
 * jest run the file.
 */
import type { components, operations } from './generated/openapi';
import type {
  AccessApproval,
  AccessApprovalKind,
  AccessApprovalType,
  AccessAuditEntry,
  AccessAuditVerification,
  AccessBundle,
  AccessCheckResult,
  AccessExtension,
  AccessFlowSummary,
  AccessPage,
  AccessPreviewItem,
  AccessPreviewResponse,
  AccessRequest,
  AccessRequestListFilters,
  AccessRequestStatus,
  AccessResourceItem,
  AccessReview,
  EntityAccessSummary,
  RequestableResource,
  SubmitAccessRequestBody,
  SubmitAccessRequestItem,
  SubmitAccessRequestResponse,
} from './types';

type Schemas = components['schemas'];
/** The JSON body of an operation's answer with the given status. */
type Answer<
  Op extends keyof operations,
  Status extends keyof operations[Op]['responses'],
> = operations[Op]['responses'][Status] extends {
  content: { 'application/json': infer Body };
}
  ? Body
  : never;
type Query<Op extends keyof operations> = NonNullable<
  operations[Op]['parameters']['query']
>;

/**
 * `true` when A and B are assignable to each other and have the same keys (mutual
 * assignability alone lets an optional property exist on one side only).
 */
type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
/** Compiles only when its argument is `true`. */
function same<T extends true>(_: T) {}

same<Same<AccessRequestStatus, Schemas['AccessRequestStatus']>>(true);
same<Same<AccessApprovalType, Schemas['AccessApprovalType']>>(true);
same<Same<AccessResourceItem, Schemas['AccessResourceItem']>>(true);
same<Same<AccessApproval, Schemas['AccessApproval']>>(true);
same<Same<AccessApprovalKind, AccessApproval['kind']>>(true);
same<Same<AccessCheckResult, Schemas['AccessCheckResult']>>(true);
same<Same<AccessExtension, Schemas['AccessExtension']>>(true);
same<Same<AccessReview, Schemas['AccessReview']>>(true);
same<Same<AccessRequest, Schemas['AccessRequest']>>(true);
same<Same<AccessPage<AccessRequest>, Schemas['AccessRequestPage']>>(true);
same<Same<SubmitAccessRequestItem, Schemas['SubmitAccessRequestItem']>>(true);
same<Same<SubmitAccessRequestBody, Schemas['SubmitAccessRequestBody']>>(true);
same<Same<SubmitAccessRequestResponse, Schemas['SubmitAccessRequestResponse']>>(
  true,
);
same<Same<AccessPreviewItem, Schemas['AccessPreviewItem']>>(true);
same<Same<AccessPreviewResponse, Schemas['AccessPreviewResponse']>>(true);
same<Same<AccessFlowSummary, Schemas['AccessFlowSummary']>>(true);
same<
  Same<AccessFlowSummary['approval'], Schemas['AccessFlowSummary']['approval']>
>(true);
same<
  Same<AccessFlowSummary['duration'], Schemas['AccessFlowSummary']['duration']>
>(true);
same<Same<AccessBundle, Schemas['AccessBundle']>>(true);
same<Same<RequestableResource, Schemas['RequestableResource']>>(true);
same<
  Same<
    RequestableResource['permissions'][number],
    Schemas['RequestableResource']['permissions'][number]
  >
>(true);
same<Same<EntityAccessSummary, Schemas['EntityAccessSummary']>>(true);
same<
  Same<
    EntityAccessSummary['permissions'][number],
    Schemas['EntityAccessSummary']['permissions'][number]
  >
>(true);
same<Same<AccessAuditEntry, Schemas['AccessAuditEntry']>>(true);

// Answers of the routes whose body is not a named schema, and of GET /audit/verify.
same<Same<{ items: AccessFlowSummary[] }, Answer<'listFlows', 200>>>(true);
same<Same<{ items: AccessBundle[] }, Answer<'listBundles', 200>>>(true);
same<
  Same<AccessPage<RequestableResource>, Answer<'listRequestableResources', 200>>
>(true);
same<Same<AccessPage<AccessAuditEntry>, Answer<'listAudit', 200>>>(true);
same<Same<AccessAuditVerification, Answer<'verifyAudit', 200>>>(true);

// The list filters are query parameters of GET /requests.
same<
  Same<
    AccessRequestListFilters,
    Pick<Query<'listAccessRequests'>, keyof AccessRequestListFilters>
  >
>(true);

describe('openapi.yaml and the hand-written API types', () => {
  it('agree (checked by the type-check; see the same<...> lines above)', () => {
    expect(same).toBeDefined();
  });
});
