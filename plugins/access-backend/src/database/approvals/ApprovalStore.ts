import { AccessApprovalKind, ApprovalRecord, Db } from '../types';

/**
 * The approvers' decisions on requests and their extensions (`access_approvals`), one per
 * approver, kind and round.
 */
export interface ApprovalStore {
  /**
   * Records a decision.
   *
   * @returns false when this approver already decided this kind and round.
   */
  insertApproval(tx: Db, a: ApprovalRecord): Promise<boolean>;

  /** How many distinct approvers approved the request in this kind and round. */
  countApprovals(
    tx: Db,
    requestId: string,
    kind: AccessApprovalKind,
    round: number,
  ): Promise<number>;

  /** Every decision on these requests, in the order they were recorded. */
  getApprovals(requestIds: string[], db?: Db): Promise<ApprovalRecord[]>;
}
