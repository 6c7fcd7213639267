export { StatusChip } from './StatusChip';
export { BreakGlassChip } from './BreakGlassChip';
export { ExpiryCountdown, formatRemaining } from './ExpiryCountdown';
export {
  formatSeconds,
  secondsToHours,
  listPeople,
  describeResources,
  permissionsOn,
  relativeTime,
  formatTime,
} from './format';
export { shortRef } from '../../lib/entityRefs';
export { errorMessage, errorStatus } from './errors';
export { MAX_TEXT_LENGTH } from '@jit-access/plugin-access-common';
export { newIdempotencyKey } from './idempotencyKey';
export {
  approvedBy,
  isBeingRevoked,
  missingApprovals,
  remainingApprovers,
} from './requestState';
export { useOptionalRouteRef } from './useOptionalRouteRef';
export { useRequestLink } from './useRequestLink';
export { PagedTable } from './PagedTable';
export { LoadError } from './LoadError';
export { LoadedList } from './LoadedList';
export { DialogDescription, TitledDialog } from './TitledDialog';
export { RequesterLink } from './RequesterLink';
export { RequestOverviewCells } from './RequestOverviewCells';
export { ResourceList } from './ResourceList';
export { CheckChip, CheckChips } from './CheckChips';
export { VisuallyHidden } from './VisuallyHidden';
export { RelativeTime } from './RelativeTime';
export {
  approvalsSoFar,
  AWAITED_LABELS,
  awaitedDecision,
  decisionWording,
  waitingSince,
} from './awaiting';
export type { AwaitedDecision } from './awaiting';
export { SearchParamTabs } from './SearchParamTabs';
export type { SearchParamTab } from './SearchParamTabs';
export { PermissionGate } from './PermissionGate';
