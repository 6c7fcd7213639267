// Reads and actions on the access backend for the components, so that they do not call
// the AccessApi themselves.
export { useRequest } from './useRequest';
export type { RequestState } from './useRequest';
export { useRequestActions } from './useRequestActions';
export type { RequestActions } from './useRequestActions';
export { useRequestList } from './useRequestList';
export type { RequestListQuery } from './useRequestList';
export { useFlows } from './useFlows';
export { useBundles } from './useBundles';
export { useEntityAccess } from './useEntityAccess';
export { useRequestSubmission } from './useRequestSubmission';
export { useSubmission } from './useSubmission';
export { useAuditTools, useAuditTrail } from './useAuditTrail';
export { useEntityHistory } from './useEntityHistory';
export type { EntityHistory } from './useEntityHistory';
export { useResourceSearch, RESOURCE_PAGE_SIZE } from './useResourceSearch';
export type { ResourceQuery, ResourceSearchState } from './useResourceSearch';
export { useResourceLookup } from './useResourceLookup';
export type { LinkedResource, ResourceLookup } from './useResourceLookup';
export { useCursorPages } from './useCursorPages';
export type { CursorPages } from './useCursorPages';
export { useLiveRefresh } from './useLiveRefresh';
export {
  rememberSubmission,
  recallSubmission,
  SUBMITTED_PARAM,
} from './submissions';
export { useAsyncTask } from './useAsyncTask';
