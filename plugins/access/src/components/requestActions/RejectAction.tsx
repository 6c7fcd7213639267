import { AccessRequest } from '@jit-access/plugin-access-common';
import { OnChanged } from './ConfirmedAction';
import { DecideAction } from './DecideAction';

/** Reject what `request` waits for, with a reason (revoke on a break-glass review), if allowed. */
export function RejectAction(props: {
  request: AccessRequest;
  /** Tells the button apart from others on the page, for screen readers. */
  name: string;
  onChanged: OnChanged;
}) {
  return <DecideAction mode="reject" {...props} />;
}
