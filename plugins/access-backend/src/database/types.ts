import {
  AccessApproval,
  AccessApprovalKind,
  AccessApprovalType,
  AccessAuditEntry,
  AccessCheckResult,
  AccessExtension,
  AccessRequestStatus,
  AccessResourceItem,
  AccessReview,
} from '@jit-access/plugin-access-common';
import { Knex } from 'knex';
import { AuditAction, EventAction } from '../audit/auditActions';

/** A database handle: the pool or an open transaction. */
export type Db = Knex | Knex.Transaction;

/** What is waiting for an approver on a request, if anything. */
export type Awaiting = 'approval' | 'extension' | 'review';

/** A request as stored (times in epoch milliseconds). */
export interface RequestRecord {
  id: string;
  groupId: string;
  requester: string;
  createdBy: string;
  flowId: string;
  flowTitle: string;
  approvalType: AccessApprovalType;
  provisioner: string;
  resources: AccessResourceItem[];
  justification: string;
  durationSeconds: number;
  status: AccessRequestStatus;
  awaiting?: Awaiting;
  approvers: string[];
  requiredApprovals: number;
  allowSelfApproval: boolean;
  checks: AccessCheckResult[];
  breakGlass: boolean;
  review?: AccessReview;
  extension?: AccessExtension;
  extensionsUsed: number;
  extensionsAllowed: number;
  /**
   * The voting round of the extension waiting for approval (`access_approvals.round`): a
   * new one for each extension put to the approvers, so votes never carry over. Unset: 0.
   */
  extensionRound?: number;
  againOf?: string;
  createdAt: number;
  updatedAt: number;
  grantedAt?: number;
  expiresAt?: number;
  endedAt?: number;
  endReason?: string;
  /**
   * Set once revocation has been decided; the grant stays `granted` until the provisioner
   * confirms. On a `failed` request, `cleanup` means a partial grant is still being undone.
   */
  ending?: {
    as: 'expired' | 'revoked' | 'cleanup';
    reason: string;
    by: string;
    at: number;
  };
  lastError?: string;
  /** When the holder was told that access ends soon (reset by an extension). */
  expiryNotifiedAt?: number;
  /**
   * The auto-approve check that approved the request, if one did: its first decision, or,
   * for a check that re-verifies, an extension it approved (see `reverifyAfter`).
   */
  approvedByCheck?: string;
  /**
   * When `approvedByCheck` re-verifies the grant from: a grant a person approved and a
   * re-verifying check extended stands on the person's approval until the window they
   * approved ends (its expiry before the extension). Unset: from the start.
   */
  reverifyAfter?: number;
  attempts: number;
  nextAttemptAt?: number;
  /** Set while the target has not confirmed an extension: when to (re)try `extend`. */
  extendRetryAt?: number;
  extendAttempts: number;
}

/** A new request to insert. */
export type NewRequestRecord = Omit<
  RequestRecord,
  | 'updatedAt'
  | 'attempts'
  | 'approvedByCheck'
  | 'reverifyAfter'
  | 'expiryNotifiedAt'
  | 'extendAttempts'
>;

/** An approval row. */
export interface ApprovalRecord extends Omit<AccessApproval, 'at'> {
  requestId: string;
  round: number;
  at: number;
}

/** An audit row to write. */
export interface NewAuditRecord {
  at: number;
  actor: string;
  action: AuditAction;
  requestId?: string;
  severity: AccessAuditEntry['severity'];
  fromStatus?: AccessRequestStatus;
  toStatus?: AccessRequestStatus;
  details: Record<string, unknown>;
}

/**
 * What the webhook outbox turns into events: an audit row, or the audit chain's exported
 * head (`audit-sealed`), which is not one.
 */
export type NewEventRecord = Omit<NewAuditRecord, 'action'> & {
  action: EventAction;
};

/** Keyset cursor: newest first. */
export interface PageCursor {
  createdAt: number;
  id: string;
}

/**
 * Narrows a listing to requests by one requester, naming one entity, or of one flow.
 * Refs are in stored form (`stringifyEntityRef`: lower case), so each is an equality.
 */
export interface RequestFilters {
  requester?: string;
  entityRef?: string;
  flowId?: string;
}

/** Which requests a listing returns. */
export type RequestQuery =
  | {
      view: 'mine';
      user: string;
      statuses?: AccessRequestStatus[];
      filters?: RequestFilters;
    }
  | {
      view: 'approvals';
      user: string;
      statuses?: AccessRequestStatus[];
      filters?: RequestFilters;
    }
  | {
      view: 'decided';
      user: string;
      statuses?: AccessRequestStatus[];
      filters?: RequestFilters;
    }
  | {
      view: 'entity';
      entityRef: string;
      requester?: string;
      statuses?: AccessRequestStatus[];
    }
  | {
      view: 'all';
      statuses?: AccessRequestStatus[];
      filters?: RequestFilters;
    };

export type { AccessApprovalKind };
