// The actions on a request, one per file, for every page that offers them: each is
// offered when the request's `allowedActions` (the backend's answer for the caller)
// lists it.
export { ActionDialog } from './ActionDialog';
export type { ActionDialogProps } from './ActionDialog';
export { AdminRevokeAction } from './AdminRevokeAction';
export { AgainAction } from './AgainAction';
export { ApproveAction } from './ApproveAction';
export { BatchActionDialog } from './BatchActionDialog';
export type {
  ActionItem,
  ActionOutcome,
  ActionResult,
  BatchActionDialogProps,
} from './BatchActionDialog';
export { can } from './can';
export { CancelAction } from './CancelAction';
export type { OnChanged } from './ConfirmedAction';
export { DecisionDialog } from './DecisionDialog';
export { DialogHost, useDialog } from './DialogHost';
export type { DecisionMode } from './DecisionDialog';
export { ExtendAction } from './ExtendAction';
export { FavoriteAction } from './FavoriteAction';
export { RejectAction } from './RejectAction';
export { RevokeAction } from './RevokeAction';
