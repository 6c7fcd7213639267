import { AccessRequest } from '@jit-access/plugin-access-common';
import { OnChanged } from './ConfirmedAction';
import { DecideAction } from './DecideAction';

/** Approve what `request` waits for (acknowledge a break-glass review), if allowed. */
export function ApproveAction(props: {
  request: AccessRequest;
  /** Tells the button apart from others on the page, for screen readers. */
  name: string;
  onChanged: OnChanged;
}) {
  return <DecideAction mode="approve" {...props} />;
}
