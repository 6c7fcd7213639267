/** Types of the PagerDuty REST API v2 answers the client reads, and its error. */

/**
 * A PagerDuty user, as `GET /users` lists it.
 * @public
 */
export interface PagerDutyUser {
  id: string;
  email: string;
  name?: string;
  summary?: string;
}

/**
 * A reference to another PagerDuty object (`{ id, summary }`).
 * @public
 */
export interface PagerDutyReference {
  id: string;
  summary?: string;
}

/**
 * One entry of `GET /oncalls`.
 * @public
 */
export interface PagerDutyOnCall {
  escalation_level: number;
  /** `null` when the escalation rule targets the user directly. */
  schedule: PagerDutyReference | null;
  escalation_policy: PagerDutyReference;
  user?: PagerDutyReference;
  /** ISO timestamps; `null` for permanent on-call (a user target of an escalation rule). */
  start: string | null;
  end: string | null;
}

/**
 * A PagerDuty service, as `GET /services/{id}` returns it.
 * @public
 */
export interface PagerDutyService {
  id: string;
  name: string;
  escalation_policy: PagerDutyReference;
}

/**
 * The statuses of a PagerDuty incident.
 * @public
 */
export type PagerDutyIncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

/**
 * One entry of `GET /incidents`.
 * @public
 */
export interface PagerDutyIncident {
  id: string;
  incident_number: number;
  title: string;
  status: PagerDutyIncidentStatus;
  service: PagerDutyReference;
  /** Empty once the incident is resolved. */
  assignments?: { assignee: PagerDutyReference }[];
  /** When it was resolved; `null` while it is open. */
  resolved_at?: string | null;
  /** Who last changed its status (for a resolved incident: who resolved it). */
  last_status_change_by?: PagerDutyAgent;
  html_url?: string;
}

/**
 * Who did something in PagerDuty: a user, or a service or integration acting on its own.
 * @public
 */
export interface PagerDutyAgent extends PagerDutyReference {
  type: 'user_reference' | 'service_reference' | 'integration_reference';
}

/**
 * One entry of an incident's log (`GET /incidents/{id}/log_entries`), e.g.
 * `acknowledge_log_entry` or `resolve_log_entry`.
 * @public
 */
export interface PagerDutyLogEntry {
  id: string;
  type: string;
  created_at: string;
  agent?: PagerDutyAgent;
}

/**
 * A PagerDuty schedule found by its exact name.
 * @public
 */
export interface PagerDutySchedule {
  id: string;
  name: string;
}

/**
 * Why a PagerDuty call did not give an answer. The message is short, meant for a check's
 * detail, and never contains the API token.
 * @public
 */
export class PagerDutyError extends Error {
  /** The HTTP status of the last answer, when there was one. */
  readonly status?: number;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'PagerDutyError';
    this.status = status;
  }
}
