import { AccessRequest } from '@jit-access/plugin-access-common';
import { useRequestActions } from '../../hooks';
import { summarizeResources } from '../MyAccessPage/common';
import { ConfirmedAction, OnChanged } from './ConfirmedAction';
import { whyNoCancel } from './unavailable';
import { can } from './can';

/**
 * Cancel a pending request, or the pending extension of active access. Offered when the
 * backend allows it; with `explain`, otherwise shown disabled with the reason.
 */
export function CancelAction(props: {
  request: AccessRequest;
  onChanged: OnChanged;
  /** `extension`: cancel the waiting extension, not the access. */
  what?: 'request' | 'extension';
  explain?: boolean;
}) {
  const { request, onChanged, what = 'request', explain } = props;
  const actions = useRequestActions();
  const allowed = can(request, 'cancel');
  if (!allowed && !explain) return null;
  return (
    <ConfirmedAction
      label={`Cancel ${what}`}
      disabledReason={allowed ? undefined : whyNoCancel(request)}
      onChanged={onChanged}
      title={`Cancel this ${what}?`}
      description={
        what === 'request'
          ? `Your request for ${summarizeResources(
              request,
            )} will be withdrawn; approvers will no longer see it.`
          : 'The extension will be withdrawn; your access keeps its current end.'
      }
      confirmLabel={`Cancel ${what}`}
      cancelLabel={`Keep ${what}`}
      destructive
      perform={async () => {
        await actions.cancel(request.id);
        return {
          message:
            what === 'request' ? 'Request cancelled' : 'Extension cancelled',
          severity: 'success',
          display: 'transient',
        };
      }}
    />
  );
}
