import {
  ACCESS_REQUEST_STATUSES,
  AccessRequestStatus,
} from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { canTransition } from '../../requests/stateMachine';
import { RecordingReceiver } from './receiver';

/** Longest a grant may outlive its expiresAt (or the restart after an outage). */
export const MAX_LAG_MS = 15_000;

export interface RequestRow {
  id: string;
  status: AccessRequestStatus;
  flowId: string;
  ending: string | null;
  grantedAt?: number;
  expiresAt?: number;
  endedAt?: number;
  updatedAt: number;
}

export interface AuditRow {
  id: number;
  requestId: string;
  action: string;
  actor: string;
  fromStatus?: AccessRequestStatus;
  toStatus?: AccessRequestStatus;
}

export interface Snapshot {
  requests: Map<string, RequestRow>;
  audits: Map<string, AuditRow[]>;
  details: Set<string>;
}

const num = (v: unknown) =>
  v === null || v === undefined ? undefined : Number(v);

export async function snapshot(db: Knex): Promise<Snapshot> {
  const [rows, audit, details] = await Promise.all([
    db('access_requests').select(
      'id',
      'status',
      'flow_id',
      'ending',
      'granted_at',
      'expires_at',
      'ended_at',
      'updated_at',
    ),
    db('access_audit').whereNotNull('request_id').orderBy('id'),
    db('access_details').select('request_id'),
  ]);
  const requests = new Map<string, RequestRow>();
  for (const r of rows) {
    requests.set(r.id, {
      id: r.id,
      status: r.status,
      flowId: r.flow_id,
      ending: r.ending,
      grantedAt: num(r.granted_at),
      expiresAt: num(r.expires_at),
      endedAt: num(r.ended_at),
      updatedAt: Number(r.updated_at),
    });
  }
  const audits = new Map<string, AuditRow[]>();
  for (const a of audit) {
    const list = audits.get(a.request_id) ?? [];
    list.push({
      id: Number(a.id),
      requestId: a.request_id,
      action: a.action,
      actor: a.actor,
      fromStatus: a.from_status ?? undefined,
      toStatus: a.to_status ?? undefined,
    });
    audits.set(a.request_id, list);
  }
  return {
    requests,
    audits,
    details: new Set(details.map((d: any) => d.request_id as string)),
  };
}

/** [start, end] spans during which no replica was serving. */
export type Outage = { start: number; end: number };

/** The latest moment a grant that expires at `expiresAt` may still be held. */
export function deadlineFor(expiresAt: number, outages: Outage[]): number {
  let deadline = expiresAt + MAX_LAG_MS;
  for (const o of outages) {
    // An outage within the grace period postpones the end to 15 s after the restart.
    if (o.start < deadline && o.end > expiresAt) {
      deadline = Math.max(deadline, o.end + MAX_LAG_MS);
    }
  }
  return deadline;
}

const TERMINAL: AccessRequestStatus[] = [
  'expired',
  'rejected',
  'revoked',
  'failed',
  'cancelled',
];

/** Audit actions a request can have at most once. */
const ONCE = ['revoke-requested', 'grant-cleanup-done', 'request-approved'];

export interface Verdict {
  violations: string[];
  /**
   * Requests left in `granting` that the target already granted because the replica that
   * called died before recording it (the crash recovery grants them again after 5 minutes).
   */
  orphanedGrants: string[];
  /** Requests left in `granting` without any grant in the target. */
  stuckGranting: string[];
  byStatus: Record<string, number>;
  auditTransitions: number;
}

/**
 * Checks every request against the state machine, the audit trail and what the target
 * system (the recording receiver) saw.
 */
export function checkInvariants(
  snap: Snapshot,
  receiver: RecordingReceiver,
  outages: Outage[],
  now: number,
  /** When each replica was SIGKILLed. */
  kills: Map<string, number[]>,
): Verdict {
  const violations: string[] = [];
  const orphanedGrants: string[] = [];
  const stuckGranting: string[] = [];
  const byStatus: Record<string, number> = {};
  let auditTransitions = 0;
  const bad = (id: string, what: string) => violations.push(`${id}: ${what}`);

  for (const r of snap.requests.values()) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    // 1. one legal state, with the fields that state implies
    if (!ACCESS_REQUEST_STATUSES.includes(r.status)) {
      bad(r.id, `unknown status ${r.status}`);
      continue;
    }
    const terminal = TERMINAL.includes(r.status);
    if (terminal !== (r.endedAt !== undefined))
      bad(r.id, `${r.status} with endedAt ${r.endedAt}`);
    const wasGranted = ['granted', 'revoked'].includes(r.status);
    if (wasGranted && (r.grantedAt === undefined || r.expiresAt === undefined))
      bad(r.id, `${r.status} without grantedAt/expiresAt`);
    if (
      ['pending', 'granting', 'rejected', 'cancelled', 'failed'].includes(
        r.status,
      ) &&
      r.grantedAt !== undefined
    )
      bad(r.id, `${r.status} with grantedAt`);
    if (terminal && r.status !== 'failed' && r.ending)
      bad(r.id, `${r.status} still has a revocation under way`);
    if (snap.details.has(r.id) && r.status !== 'granted')
      bad(r.id, `access details kept while ${r.status}`);

    // 2. the audit trail's status changes chain from the first status to the current one
    const changes = (snap.audits.get(r.id) ?? []).filter(a => a.toStatus);
    auditTransitions += changes.length;
    let at: AccessRequestStatus | undefined;
    for (const a of changes) {
      if (at === undefined) {
        if (a.fromStatus !== undefined)
          bad(r.id, `first audited change starts from ${a.fromStatus}`);
      } else if (a.fromStatus !== at) {
        bad(
          r.id,
          `audit ${a.action} goes ${a.fromStatus}->${a.toStatus} but the request was ${at}`,
        );
      } else if (!canTransition(at, a.toStatus!)) {
        bad(r.id, `audit ${a.action}: illegal ${at}->${a.toStatus}`);
      }
      at = a.toStatus;
    }
    if (at !== r.status)
      bad(r.id, `audit trail ends at ${at} but the request is ${r.status}`);
    const submitted = (snap.audits.get(r.id) ?? []).filter(a =>
      ['request-submitted', 'breakglass-requested'].includes(a.action),
    );
    if (submitted.length !== 1)
      bad(r.id, `${submitted.length} submission audit entries`);
    for (const action of ONCE) {
      const n = (snap.audits.get(r.id) ?? []).filter(
        a => a.action === action,
      ).length;
      if (n > 1) bad(r.id, `${n} audit entries ${action}`);
    }

    // 3. what the target saw: one grant per grant, one revocation per ended grant
    const e = receiver.byRequest.get(r.id);
    const granted = !!e?.grant;
    const revoked = !!e?.revoke;
    switch (r.status) {
      case 'granted':
        if (!granted) bad(r.id, 'granted but the target never granted it');
        if (revoked && !r.ending)
          bad(r.id, 'granted but the target revoked it');
        break;
      case 'revoked':
        if (!granted) bad(r.id, 'revoked but never granted in the target');
        if (!revoked) bad(r.id, 'revoked but the target still grants it');
        break;
      case 'expired':
        if (r.grantedAt !== undefined) {
          if (!granted) bad(r.id, 'expired but never granted in the target');
          if (!revoked) bad(r.id, 'expired but the target still grants it');
        } else if (granted || revoked) {
          bad(r.id, 'timed out while pending but the target heard of it');
        }
        break;
      case 'failed':
        // A failed grant is undone: whatever the target did is revoked once cleanup ends.
        if (!r.ending && granted && !revoked)
          bad(r.id, 'failed, cleanup done, but the target still grants it');
        break;
      case 'granting':
        if (granted && !revoked) {
          // Excused only when the replica that called died before it could record it.
          const g = e!.grant!;
          const crashed = (kills.get(g.replica) ?? []).some(
            k => k >= g.at - 5_000 && k <= g.at + 10_000,
          );
          if (crashed) orphanedGrants.push(r.id);
          else
            bad(
              r.id,
              `left in granting though the target granted it (replica ${g.replica} did not crash)`,
            );
        } else if (!granted) stuckGranting.push(r.id);
        else bad(r.id, 'granting but already revoked in the target');
        break;
      default:
        if (granted || revoked)
          bad(r.id, `${r.status} but the target granted or revoked it`);
    }
    if (e && e.ids.grant.size > 1)
      bad(r.id, `${e.ids.grant.size} different grant ids`);
    if (e && e.ids.revoke.size > 1)
      bad(r.id, `${e.ids.revoke.size} different revoke ids`);

    // 4. nothing held past expiresAt + 15 s (15 s after the restart, after an outage)
    if (e?.grant && r.status !== 'granting') {
      const expiresAt = r.expiresAt ?? e.grant.expiresAt;
      const end = e.revoke?.at ?? now;
      const deadline = deadlineFor(expiresAt, outages);
      if (end > deadline)
        bad(r.id, `held in the target ${end - expiresAt} ms past expiresAt`);
    }
    if (r.status === 'expired' && r.grantedAt !== undefined) {
      if (r.endedAt! > deadlineFor(r.expiresAt!, outages))
        bad(r.id, `ended ${r.endedAt! - r.expiresAt!} ms after expiresAt`);
    }
    if (r.status === 'granted' && now > deadlineFor(r.expiresAt!, outages))
      bad(r.id, `still granted ${now - r.expiresAt!} ms after expiresAt`);
  }

  // Calls for requests the database does not know
  for (const id of receiver.byRequest.keys()) {
    if (!snap.requests.has(id))
      bad(id, 'the target heard of an unknown request');
  }
  violations.push(...receiver.violations);
  return {
    violations,
    orphanedGrants,
    stuckGranting,
    byStatus,
    auditTransitions,
  };
}
