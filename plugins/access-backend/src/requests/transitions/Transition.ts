import { AccessRequestStatus } from '@jit-access/plugin-access-common';
import { AuditAction } from '../../audit/auditActions';
import { RequestPatch, UpdateGuard } from '../../database/AccessStore';
import { AccessChange } from '../../events/AccessEvents';

/** One change of a request: the status it moves to, its guard, patch and audit entry. */
export interface TransitionSpec {
  to?: AccessRequestStatus;
  guard?: Partial<UpdateGuard>;
  patch?: RequestPatch;
  action: AuditAction;
  actor: string;
  severity?: 'low' | 'medium' | 'high' | 'critical';
  details?: Record<string, unknown>;
  /** The 409's message when another writer changed the request first. */
  conflict?: string;
}

/** Who hears of a committed change, beyond the signal every change sends. */
export type Notice = Omit<AccessChange, 'request' | 'action' | 'actor'>;

/** A planned change and its notice. */
export interface Transition {
  spec: TransitionSpec;
  notice: Notice;
}

/** ISO time of epoch milliseconds, as stored in JSON sub-states. */
export const iso = (ms: number) => new Date(ms).toISOString();
