// Reads and actions on the access backend for the components, so that they do not call
// the AccessApi themselves.
export { useRequest } from './useRequest';
export type { RequestState } from './useRequest';
export { useRequestActions } from './useRequestActions';
export type { RequestActions } from './useRequestActions';
export { useRequestList } from './useRequestList';
export type { RequestListQuery } from './useRequestList';
export { useFlows } from './useFlows';
