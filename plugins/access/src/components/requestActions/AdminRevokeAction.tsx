import Button from '@material-ui/core/Button';
import { AccessRequest } from '@jit-access/plugin-access-common';
import { useRequestActions } from '../../hooks';
import { describeResources, shortRef } from '../shared';
import { BatchActionDialog } from './BatchActionDialog';
import { can } from './can';
import { OnChanged } from './ConfirmedAction';
import { useDialog } from './DialogHost';

/**
 * Revoke someone else's access with a reason they are shown (admins, from the list of all
 * requests), when the backend allows it.
 */
export function AdminRevokeAction(props: {
  request: AccessRequest;
  onChanged: OnChanged;
}) {
  const { request: r, onChanged } = props;
  const actions = useRequestActions();
  const dialog = useDialog();
  if (!can(r, 'revoke')) return dialog.element;
  const who = shortRef(r.requester);
  return (
    <>
      <Button
        size="small"
        color="secondary"
        variant="outlined"
        aria-label={`Revoke: ${who}`}
        onClick={() =>
          dialog.open(close => (
            <BatchActionDialog
              open
              title="Revoke access"
              description={`Ends ${who}'s access to ${describeResources(
                r,
              )} now. The holder is notified with your reason.`}
              items={[{ id: r.id, label: `${who}: ${describeResources(r)}` }]}
              fieldLabel="Reason"
              textRequired
              helperText="Shown to the holder and kept in the audit log."
              confirmLabel="Revoke"
              doneLabel="Revoked"
              destructive
              perform={async (id, text) => {
                const after = await actions.revoke(id, text);
                // The backend answers 200 even when the provisioner failed; it retries then.
                return after.status === 'granted'
                  ? {
                      severity: 'warning',
                      message: `Revocation started but the provisioner failed; it is retried${
                        after.lastError ? ` (${after.lastError})` : ''
                      }`,
                    }
                  : undefined;
              }}
              onClose={changed => {
                close();
                if (changed) onChanged();
              }}
            />
          ))
        }
      >
        Revoke
      </Button>
      {dialog.element}
    </>
  );
}
