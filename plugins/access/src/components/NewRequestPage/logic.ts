import {
  AccessFlowSummary,
  AccessPreviewItem,
  MAX_DURATION_SECONDS,
} from '@jit-access/plugin-access-common';
import { formatSeconds, listPeople } from '../shared';

/** What a flow demands of a submission: limits for the duration, and the justification. */
export interface FlowLimit {
  flowId: string;
  flowTitle: string;
  defaultSeconds?: number;
  maxSeconds: number;
  justificationRequired: boolean;
}

/**
 * The limits of the flows that decide a selection: from the flow list for flows known
 * client-side, and from a preview for the rest (deep-linked refs, bundles).
 */
export function flowLimits(
  flowIds: Iterable<string>,
  flows: AccessFlowSummary[] | undefined,
  previewItems: AccessPreviewItem[] | undefined,
): FlowLimit[] {
  const byId = new Map<string, FlowLimit>();
  for (const id of flowIds) {
    const flow = flows?.find(f => f.id === id);
    if (!flow) continue;
    byId.set(id, {
      flowId: id,
      flowTitle: flow.title,
      defaultSeconds: flow.duration.defaultSeconds,
      maxSeconds: flow.duration.maxSeconds,
      // Break-glass always needs a reason, whatever the summary says.
      justificationRequired:
        flow.justification === 'required' ||
        flow.approval.type === 'breakglass',
    });
  }
  for (const item of previewItems ?? []) {
    if (byId.has(item.flowId)) continue;
    const flow = flows?.find(f => f.id === item.flowId);
    byId.set(item.flowId, {
      flowId: item.flowId,
      flowTitle: item.flowTitle,
      defaultSeconds: flow?.duration.defaultSeconds,
      maxSeconds: item.maxDurationSeconds,
      justificationRequired: item.justificationRequired,
    });
  }
  return [...byId.values()];
}

/** The tightest maximum among the limits (and which flow sets it). */
export function smallestMax(limits: FlowLimit[]): FlowLimit | undefined {
  return limits.reduce<FlowLimit | undefined>(
    (min, l) => (!min || l.maxSeconds < min.maxSeconds ? l : min),
    undefined,
  );
}

/**
 * Validates the duration field (hours). Empty means "each flow's default".
 * Returns the seconds to send, or the error to show.
 */
export function parseDurationHours(
  text: string,
  limits: FlowLimit[],
): { seconds?: number; error?: string } {
  const trimmed = text.trim();
  if (!trimmed) return {};
  const hours = Number(trimmed);
  if (!Number.isFinite(hours) || hours <= 0)
    return { error: 'Enter a number of hours greater than 0.' };
  const seconds = Math.round(hours * 3600);
  if (seconds < 1) return { error: 'Enter a number of hours greater than 0.' };
  const max = smallestMax(limits);
  if (max && seconds > max.maxSeconds)
    return {
      error: `At most ${formatSeconds(max.maxSeconds)}: flow "${
        max.flowTitle
      }" allows no longer.`,
    };
  if (seconds > MAX_DURATION_SECONDS)
    return { error: 'At most 366 days (8784 hours).' };
  return { seconds };
}

/** Quoted flow titles, `"A" and "B"`. */
export function flowTitles(limits: FlowLimit[]): string {
  const titles = [...new Set(limits.map(l => `"${l.flowTitle}"`))];
  if (titles.length <= 1) return titles.join('');
  return `${titles.slice(0, -1).join(', ')} and ${titles[titles.length - 1]}`;
}

function checkList(ids: string[]): string {
  const quoted = ids.map(id => `"${id}"`);
  return quoted.length === 1
    ? `check ${quoted[0]} passes`
    : `checks ${quoted.join(', ')} pass`;
}

/**
 * What will happen to a previewed item, in the words users see: granted at once, maybe
 * auto-approved by a check, or waiting for people. The flow (when known) tells required
 * checks from auto-approve checks; the preview only lists them together.
 */
export function describeApproval(
  item: Pick<
    AccessPreviewItem,
    | 'approvalType'
    | 'autoApproved'
    | 'checks'
    | 'approvers'
    | 'requiredApprovals'
  >,
  flow?: AccessFlowSummary,
): string {
  const required = flow?.approval.requiredChecks ?? [];
  const autoChecks = flow
    ? flow.approval.autoApproveChecks
    : item.checks.filter(c => !required.includes(c));
  if (item.autoApproved) {
    // Break-glass flows never run auto-approve checks; automatic ones need all checks.
    const gating =
      item.approvalType === 'breakglass'
        ? required
        : [...required, ...autoChecks];
    const base = gating.length
      ? `Granted at once if ${checkList(gating)}`
      : 'Granted at once';
    return item.approvalType === 'breakglass'
      ? `${base}; reviewed afterwards by ${listPeople(item.approvers)}`
      : base;
  }
  const n = item.requiredApprovals;
  const people = `needs ${n} approval${n === 1 ? '' : 's'} from ${listPeople(
    item.approvers,
  )}`;
  const parts: string[] = [];
  if (required.length)
    parts.push(
      `${required.length === 1 ? 'Check' : 'Checks'} ${required
        .map(c => `"${c}"`)
        .join(', ')} must pass`,
    );
  if (autoChecks.length)
    parts.push(
      `May be auto-approved if ${checkList(autoChecks)}`,
      `otherwise ${people}`,
    );
  else parts.push(parts.length ? `then ${people}` : people);
  const text = parts.join('; ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Preview items that become one request: same flow, same approvers. */
export interface PreviewGroup {
  key: string;
  flowId: string;
  flowTitle: string;
  items: AccessPreviewItem[];
}

/** Groups preview items the way the backend splits the submission into requests. */
export function groupPreview(items: AccessPreviewItem[]): PreviewGroup[] {
  const groups = new Map<string, PreviewGroup>();
  for (const item of items) {
    const key = `${item.flowId}|${[...item.approvers].sort().join(',')}`;
    const group = groups.get(key) ?? {
      key,
      flowId: item.flowId,
      flowTitle: item.flowTitle,
      items: [],
    };
    group.items.push(item);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Which form field an API error message is about. */
export type ErrorTarget =
  | { kind: 'duration' }
  | { kind: 'justification' }
  | { kind: 'item'; index: number }
  | { kind: 'general' };

/**
 * The backend names the field first (`durationSeconds: ...`, `resources[2].entityRef: ...`,
 * optionally after `Invalid body: `); this finds it so the message can sit next to it.
 */
export function errorTarget(message: string): ErrorTarget {
  const m = message.replace(/^Invalid (body|query): /, '');
  if (m.startsWith('durationSeconds')) return { kind: 'duration' };
  if (m.startsWith('justification')) return { kind: 'justification' };
  const item = /^(?:bundle \S+ )?resources\[(\d+)\]/.exec(m);
  if (item) return { kind: 'item', index: Number(item[1]) };
  return { kind: 'general' };
}
