import { NotificationPayload } from '@backstage/plugin-notifications-common';
import { RequestRecord } from '../database/types';
import { requesterText } from './noticeText';

/** An approver notice held back while its submission runs (see `AccessEvents.hold`). */
export interface HeldNotice {
  request: RequestRecord;
  /** The approvers are asked to act (else they are told of a decision). */
  asked: boolean;
  /** What happened, for a decision: `approved automatically`, `rejected by a check`. */
  outcome?: string;
  /** Who gets it (the requester already left out). */
  approvers: string[];
  /** The notice as it is sent on its own. */
  payload: NotificationPayload;
}

/** One `send` call: the same notice to a set of approvers. */
export interface NoticeToSend {
  approvers: string[];
  requester: string;
  payload: NotificationPayload;
}

/** The scope of an approver's one notice about a whole submission. */
export function submissionScope(groupId: string): string {
  return `access-submission:${groupId}:approvers`;
}

const plural = (n: number, one: string, many: string) =>
  `${n} ${n === 1 ? one : many}`;

/** `<flow>: <ref> (<permissions>); ...`, cut at 300 characters. */
function describeAll(requests: RequestRecord[]): string {
  const byFlow = new Map<string, string[]>();
  for (const r of requests) {
    const refs = byFlow.get(r.flowTitle) ?? [];
    refs.push(
      ...r.resources.map(x => `${x.entityRef} (${x.permissions.join(', ')})`),
    );
    byFlow.set(r.flowTitle, refs);
  }
  const text = [...byFlow]
    .map(([flow, refs]) => `${flow}: ${refs.join('; ')}`)
    .join('; ');
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

function summary(groupId: string, held: HeldNotice[]): NotificationPayload {
  const { requester, justification } = held[0].request;
  const asked = held.filter(n => n.asked);
  const decided = held.filter(n => !n.asked);
  const outcomes = new Map<string, number>();
  for (const n of decided) {
    const outcome = n.outcome ?? 'decided';
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const outcomeText = [...outcomes].map(([o, n]) => `${o}: ${n}`).join(', ');
  const common = {
    link: '/access/approvals',
    topic: 'access-approval',
    scope: submissionScope(groupId),
  };
  if (!asked.length) {
    return {
      ...common,
      title: `${plural(
        decided.length,
        'access request',
        'access requests',
      )} from ${requester} were decided`,
      description: `${outcomeText}. ${describeAll(
        decided.map(n => n.request),
      )}`,
      severity: 'low',
    };
  }
  const breakGlass = asked.filter(n => n.request.breakGlass).length;
  return {
    ...common,
    title:
      breakGlass === asked.length
        ? `Break-glass access used by ${requester}: please review ${plural(
            breakGlass,
            'request',
            'requests',
          )}`
        : `${plural(
            asked.length,
            'access request',
            'access requests',
          )} from ${requester} ${
            asked.length === 1 ? 'needs' : 'need'
          } your approval`,
    description: `${describeAll(asked.map(n => n.request))}.${
      decided.length ? ` Also decided: ${outcomeText}.` : ''
    } ${requesterText('Justification', justification)}`,
    severity: breakGlass ? 'high' : 'normal',
  };
}

/**
 * The approver notices of one submission, one per approver: who is concerned by a single
 * request gets that request's own notices (which its later decision updates in place);
 * who is concerned by several gets one notice about all of them, in their latest state.
 * Approvers who would get the same notice share one send.
 */
export function submissionNotices(
  groupId: string,
  held: HeldNotice[],
): NoticeToSend[] {
  if (!held.length) return [];
  const mine = new Map<string, number[]>();
  held.forEach((n, i) => {
    for (const a of n.approvers) {
      const list = mine.get(a) ?? [];
      list.push(i);
      mine.set(a, list);
    }
  });
  // Approvers with the same notices (by their positions in `held`) share one send.
  const shared = new Map<
    string,
    { approvers: string[]; notices: HeldNotice[] }
  >();
  for (const [approver, positions] of mine) {
    const key = positions.join(',');
    const notices = positions.map(i => held[i]);
    const group = shared.get(key) ?? { approvers: [], notices };
    group.approvers.push(approver);
    shared.set(key, group);
  }
  const requester = held[0].request.requester;
  return [...shared.values()].flatMap(({ approvers, notices }) => {
    const latest = new Map(notices.map(n => [n.request.id, n]));
    if (latest.size === 1)
      return notices.map(n => ({ approvers, requester, payload: n.payload }));
    return [
      { approvers, requester, payload: summary(groupId, [...latest.values()]) },
    ];
  });
}
