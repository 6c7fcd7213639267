import { AccessCheckResult } from '@jit-access/plugin-access-common';
import { AccessFlow } from '../config/AccessConfig';

/** What the checks of a flow decided. */
export type CheckDecision =
  | { kind: 'reject'; reason: string }
  | { kind: 'approve'; checkId?: string; maxDurationSeconds?: number }
  | { kind: 'ask-approvers' };

/** True when the flow runs any check before a decision. */
export function flowHasChecks(flow: AccessFlow): boolean {
  return (
    flow.approval.requiredChecks.length > 0 ||
    (flow.approval.type !== 'breakglass' &&
      flow.approval.autoApproveChecks.length > 0)
  );
}

/**
 * Turns check results into a decision, failing closed: a required check that failed or
 * could not be verified rejects; only a `passed` auto-approve check approves without a person.
 *
 * @param maxDurations - each check's `maxDuration` in seconds, if it has one
 */
export function decideByChecks(
  flow: AccessFlow,
  results: AccessCheckResult[],
  maxDurations: Record<string, number | undefined>,
): CheckDecision {
  for (const id of flow.approval.requiredChecks) {
    const r = results.find(x => x.checkId === id);
    if (!r || r.outcome === 'error') {
      return {
        kind: 'reject',
        reason: `Could not verify required check "${id}": ${
          r?.detail ?? 'it did not run'
        }`,
      };
    }
    if (r.outcome === 'failed') {
      return {
        kind: 'reject',
        reason: `Required check "${id}" failed: ${r.detail}`,
      };
    }
  }
  if (flow.approval.type === 'breakglass') return { kind: 'approve' };
  const auto = flow.approval.autoApproveChecks;
  const passed = auto.filter(
    id => results.find(x => x.checkId === id)?.outcome === 'passed',
  );
  if (passed.length) {
    // The passing check that allows the longest access decides the cap.
    const best = [...passed].sort(
      (a, b) => (maxDurations[b] ?? Infinity) - (maxDurations[a] ?? Infinity),
    )[0];
    return {
      kind: 'approve',
      checkId: best,
      maxDurationSeconds: maxDurations[best],
    };
  }
  if (flow.approval.type === 'manual') return { kind: 'ask-approvers' };
  if (auto.length === 0) return { kind: 'approve' };
  const seen = auto
    .map(id => {
      const r = results.find(x => x.checkId === id);
      return `${id}: ${r ? `${r.outcome} (${r.detail})` : 'did not run'}`;
    })
    .join('; ');
  return { kind: 'reject', reason: `No auto-approve check passed: ${seen}` };
}
