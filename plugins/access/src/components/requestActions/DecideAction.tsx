import Button from '@material-ui/core/Button';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { awaitedDecision, decisionWording } from '../shared';
import { can } from './can';
import { OnChanged } from './ConfirmedAction';
import { useDialog } from './DialogHost';
import { DecisionDialog, DecisionMode } from './DecisionDialog';

/**
 * A button deciding what `request` waits for, offered when the backend allows the caller
 * to: Approve or Reject, Acknowledge or Revoke for a break-glass review. `name` tells
 * buttons apart for screen readers when there are several on a page.
 */
export function DecideAction(props: {
  mode: DecisionMode;
  request: AccessRequest;
  name: string;
  onChanged: OnChanged;
}) {
  const { mode, request: r, name, onChanged } = props;
  const dialog = useDialog();
  if (!can(r, mode)) return dialog.element;
  const label = decisionWording(r, awaitedDecision(r) ?? 'request')[mode];
  return (
    <>
      <Button
        size="small"
        color={mode === 'approve' ? 'primary' : 'secondary'}
        aria-label={`${label}: ${name}`}
        onClick={() =>
          dialog.open(close => (
            <DecisionDialog
              mode={mode}
              requests={[r]}
              onClose={changed => {
                close();
                if (changed) onChanged();
              }}
            />
          ))
        }
      >
        {label}
      </Button>
      {dialog.element}
    </>
  );
}
