import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  ACCESS_REQUEST_STATUS_LABELS,
  ACCESS_SIGNAL_CHANNEL,
} from '@jit-access/plugin-access-common';
import { AuditAction } from '../audit/auditActions';
import { RequestRecord } from '../database/types';
import { mapLimit } from '../concurrency';
import { formatDuration } from '../config/duration';
import { requesterText } from './noticeText';
import { HeldNotice, submissionNotices } from './submissionNotices';

/** Decisions that close the approvers' notice, and how to word them. */
const DECIDED: Partial<Record<AuditAction, string>> = {
  'request-approved': 'was approved',
  'request-auto-approved': 'was approved automatically',
  'request-rejected': 'was rejected',
  'request-rejected-by-checks': 'was rejected by a check',
  'request-cancelled': 'was cancelled',
  'request-timed-out': 'timed out',
  'extension-approved': 'got its extension',
  'extension-rejected': 'was refused an extension',
  'extension-cancelled': 'withdrew its extension',
  'breakglass-reviewed': 'was reviewed',
  'breakglass-review-rejected': 'was revoked after review',
};

/**
 * Requester notices that replace one another (one scope): the approval, then what came of
 * it, so "approved" turns into "granted" (or "failed") instead of leaving two notices.
 */
const OUTCOME = new Set<AuditAction>([
  'request-approved',
  'request-auto-approved',
  'access-granted',
  'breakglass-granted',
  'grant-failed',
]);

/** The scope of the requester's notice for a change (same scope and user: updated in place). */
export function requesterScope(requestId: string, action: AuditAction): string {
  return `access-request:${requestId}:${
    OUTCOME.has(action) ? 'outcome' : action
  }`;
}

/** The scope of the approvers' one notice per request: asked, then updated once decided. */
export function approverScope(requestId: string): string {
  return `access-request:${requestId}:approvers`;
}

/** What changed, for notifications and signals (sent after the transaction commits). */
export interface AccessChange {
  request: RequestRecord;
  action: AuditAction;
  actor: string;
  severity?: 'low' | 'medium' | 'high' | 'critical';
  /** Approvers to ask for a decision. */
  notifyApprovers?: boolean;
  /** Tell the requester. */
  notifyRequester?: boolean;
  /** The requester's notice title (default: the request's new status). */
  message?: string;
  /** The approvers' notice title when they are asked (default: needs your approval). */
  approverMessage?: string;
  /** Reported to the auditor service with others in one event (bulk expiry). */
  summarized?: boolean;
}

function describe(r: RequestRecord) {
  const refs = r.resources
    .map(x => `${x.entityRef} (${x.permissions.join(', ')})`)
    .join('; ');
  return refs.length > 300 ? `${refs.slice(0, 297)}...` : refs;
}

/**
 * Tells people and the auditor about committed changes. Failures here are logged and never
 * undo a committed change: the database row and audit entry are the source of truth.
 */
export class AccessEvents {
  constructor(
    private readonly deps: {
      logger: LoggerService;
      auditor: AuditorService;
      notifications?: NotificationService;
      signals?: SignalsService;
      /** Delivers webhook events written with the changes. */
      outbox?: { kick(): void };
    },
  ) {}

  /** Submissions whose approver notices are held back, by group id. */
  private readonly held = new Map<string, HeldNotice[]>();

  /**
   * Holds back the approver notices of one submission's requests until {@link release},
   * so that each approver gets one notice for the submission rather than one per request.
   */
  hold(groupId: string): void {
    if (!this.held.has(groupId)) this.held.set(groupId, []);
  }

  /** Sends what {@link hold} kept back: one notice per approver (see `submissionNotices`). */
  async release(groupId: string): Promise<void> {
    const held = this.held.get(groupId);
    this.held.delete(groupId);
    const notifications = this.deps.notifications;
    if (!held?.length || !notifications) return;
    await mapLimit(submissionNotices(groupId, held), 32, n =>
      notifications
        .send({
          recipients: {
            type: 'entity',
            entityRef: n.approvers,
            excludeEntityRef: n.requester,
          },
          payload: n.payload,
        })
        .catch(e =>
          this.deps.logger.warn(
            `access: could not notify the approvers of submission ${groupId}: ${e}`,
          ),
        ),
    );
  }

  async emit(changes: AccessChange[]): Promise<void> {
    this.deps.outbox?.kick();
    const summarized = changes.filter(c => c.summarized);
    if (summarized.length) {
      await this.auditSummary(summarized).catch(e =>
        this.deps.logger.warn(`access: could not report a batch: ${e}`),
      );
    }
    // Bounded: a bulk expiry may report thousands of changes at once.
    await mapLimit(changes, 32, c =>
      this.emitOne(c).catch(e =>
        this.deps.logger.warn(
          `access: could not publish ${c.action} for ${c.request.id}: ${e}`,
        ),
      ),
    );
  }

  /** One auditor event for many changes of one kind (each has its own audit row). */
  private async auditSummary(changes: AccessChange[]) {
    const event = await this.deps.auditor.createEvent({
      eventId: `${changes[0].action}-batch`,
      severityLevel: changes[0].severity ?? 'medium',
      meta: {
        actor: changes[0].actor,
        count: changes.length,
        requestIds: changes.map(c => c.request.id),
      },
    });
    await event.success();
  }

  private async emitOne(c: AccessChange) {
    const r = c.request;
    if (!c.summarized) {
      const event = await this.deps.auditor.createEvent({
        eventId: c.action,
        severityLevel: c.severity ?? 'medium',
        meta: {
          requestId: r.id,
          actor: c.actor,
          status: r.status,
          flowId: r.flowId,
          requester: r.requester,
        },
      });
      await event.success();
    }

    // Relative links: the notifications frontend resolves them against the app's own URL.
    const link = `/access/requests/${r.id}`;
    const notifications = this.deps.notifications;
    // One notice per request for its approvers: asked, then updated in place once decided.
    // Nobody is told about their own request as an approver, even where the flow lets them
    // approve it (`allowSelfApproval`): they asked for it, and their own pages show it.
    const approvers = r.approvers.filter(a => a !== r.requester);
    const approverRecipients = {
      type: 'entity' as const,
      entityRef: approvers,
      // Also drops the requester should a group among the refs contain them.
      excludeEntityRef: r.requester,
    };
    const scope = approverScope(r.id);
    // Held back while its submission runs; sent at once otherwise.
    const toApprovers = async (notice: Omit<HeldNotice, 'approvers'>) => {
      const held = this.held.get(r.groupId);
      if (held) held.push({ ...notice, approvers });
      else
        await notifications!.send({
          recipients: approverRecipients,
          payload: notice.payload,
        });
    };
    // An extension's notices show the extension's own justification.
    const extension = c.action.startsWith('extension-')
      ? r.extension
      : undefined;
    const decided = DECIDED[c.action];
    if (notifications && c.notifyApprovers && approvers.length) {
      await toApprovers({
        request: r,
        asked: true,
        payload: {
          title:
            c.approverMessage ??
            `Access request from ${r.requester} needs your approval`,
          description: `${r.flowTitle}: ${describe(r)}.${
            extension
              ? ` ${formatDuration(extension.durationSeconds)} more.`
              : ''
          } ${requesterText(
            'Justification',
            extension ? extension.justification : r.justification,
          )}`,
          link: '/access/approvals',
          severity: r.breakGlass ? 'high' : 'normal',
          topic: 'access-approval',
          scope,
        },
      });
    } else if (notifications && decided && approvers.length) {
      await toApprovers({
        request: r,
        asked: false,
        outcome: decided.replace(/^was /, ''),
        payload: {
          title: `Access request from ${r.requester} ${decided}${
            // "by" names a person other than the requester (who is named already).
            c.actor.startsWith('user:') && c.actor !== r.requester
              ? ` by ${c.actor}`
              : ''
          }`,
          description: `${r.flowTitle}: ${describe(r)}`,
          link,
          severity: 'low',
          topic: 'access-approval',
          scope,
        },
      });
    }
    if (notifications && c.notifyRequester) {
      await notifications.send({
        recipients: { type: 'entity', entityRef: r.requester },
        payload: {
          title:
            c.message ??
            `Access request ${ACCESS_REQUEST_STATUS_LABELS[
              r.status
            ].toLocaleLowerCase('en-US')}`,
          description: `${r.flowTitle}: ${describe(r)}${
            r.endReason ? `. Reason: ${r.endReason}` : ''
          }`,
          link,
          severity: r.status === 'failed' ? 'high' : 'normal',
          topic: 'access-request',
          scope: requesterScope(r.id, c.action),
        },
      });
    }
    if (this.deps.signals) {
      await this.deps.signals.publish({
        recipients: {
          type: 'user',
          entityRef: [...new Set([r.requester, ...r.approvers])],
        },
        channel: ACCESS_SIGNAL_CHANNEL,
        message: { requestId: r.id, status: r.status, action: c.action },
      });
    }
  }
}
