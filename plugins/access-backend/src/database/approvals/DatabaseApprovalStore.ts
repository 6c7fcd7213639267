import { Knex } from 'knex';
import { AccessApprovalKind, ApprovalRecord, Db } from '../types';
import { ApprovalStore } from './ApprovalStore';

/** {@link ApprovalStore} on SQLite or PostgreSQL through knex. */
export class DatabaseApprovalStore implements ApprovalStore {
  constructor(private readonly db: Knex) {}

  async insertApproval(tx: Db, a: ApprovalRecord): Promise<boolean> {
    const existing = await tx('access_approvals')
      .where({
        request_id: a.requestId,
        kind: a.kind,
        round: a.round,
        approver: a.approver,
      })
      .first();
    if (existing) return false;
    await tx('access_approvals').insert({
      request_id: a.requestId,
      kind: a.kind,
      round: a.round,
      approver: a.approver,
      decision: a.decision,
      comment: a.comment ?? null,
      at: a.at,
    });
    return true;
  }

  async countApprovals(
    tx: Db,
    requestId: string,
    kind: AccessApprovalKind,
    round: number,
  ): Promise<number> {
    const row = await tx('access_approvals')
      .where({ request_id: requestId, kind, round, decision: 'approved' })
      .countDistinct({ n: 'approver' })
      .first();
    return Number(row?.n ?? 0);
  }

  async getApprovals(
    requestIds: string[],
    db: Db = this.db,
  ): Promise<ApprovalRecord[]> {
    if (!requestIds.length) return [];
    const rows = await db('access_approvals')
      .whereIn('request_id', requestIds)
      .orderBy('id');
    return rows.map(r => ({
      requestId: r.request_id,
      kind: r.kind,
      round: Number(r.round),
      approver: r.approver,
      decision: r.decision,
      comment: r.comment ?? undefined,
      at: Number(r.at),
    }));
  }
}
