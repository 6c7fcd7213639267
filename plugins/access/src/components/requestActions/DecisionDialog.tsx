import { AccessRequest } from '@jit-access/plugin-access-common';
import { useRequestActions } from '../../hooks';
import { awaitedDecision } from '../shared';
import { BatchActionDialog } from './BatchActionDialog';
import {
  decisionResult,
  singleDecisionText,
  toActionItem,
} from './decisionText';

/** Approving or rejecting what requests wait for. */
export type DecisionMode = 'approve' | 'reject';

/** The wording of deciding several requests at once. */
function batchText(requests: AccessRequest[], mode: DecisionMode) {
  const reject = mode === 'reject';
  const reviews = requests.filter(r => awaitedDecision(r) === 'review').length;
  const reviewNote = reject
    ? ` ${reviews} break-glass review(s) among them: active access is revoked.`
    : ` ${reviews} break-glass review(s) among them are acknowledged.`;
  return {
    title: reject
      ? `Reject ${requests.length} selected`
      : `Approve ${requests.length} selected`,
    description: `Each one is decided on its own, one after the other; if one fails the others still go ahead.${
      reviews ? reviewNote : ''
    }${reject ? ' The same reason is sent for all.' : ''}`,
    confirmLabel: reject ? 'Reject all' : 'Approve all',
    doneLabel: reject ? 'Rejected' : 'Approved',
  };
}

/**
 * Approves or rejects (with a reason) one request or several, each on its own: a break-glass
 * review is acknowledged or revoked, an extension decided as such.
 */
export function DecisionDialog(props: {
  mode: DecisionMode;
  requests: AccessRequest[];
  /** `changed`: at least one request was decided on, so lists should reload. */
  onClose(changed: boolean): void;
}) {
  const { mode, requests, onClose } = props;
  const actions = useRequestActions();
  const reject = mode === 'reject';
  let text;
  if (requests.length === 1) {
    const r = requests[0];
    const t = singleDecisionText(r, awaitedDecision(r) ?? 'request', mode);
    text = {
      title: t.title,
      description: t.description,
      confirmLabel: t.confirm,
      doneLabel: t.done,
    };
  } else {
    text = batchText(requests, mode);
  }
  return (
    <BatchActionDialog
      open
      {...text}
      items={requests.map(toActionItem)}
      fieldLabel={reject ? 'Reason' : 'Comment (optional)'}
      textRequired={reject}
      helperText={
        reject
          ? 'The requester sees this reason; it is also kept in the audit log.'
          : 'Shown to the requester and kept in the audit log.'
      }
      destructive={reject}
      perform={async (id: string, comment?: string) => {
        const before = requests.find(r => r.id === id)!;
        const after = reject
          ? await actions.reject(id, comment ?? '')
          : await actions.approve(id, comment);
        return decisionResult(before, after, mode);
      }}
      onClose={onClose}
    />
  );
}
