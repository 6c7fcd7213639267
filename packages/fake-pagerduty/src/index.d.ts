/**
 * A small local stand-in for the PagerDuty REST API v2, for the dev app and tests.
 *
 * @packageDocumentation
 */

/** A reference to another object: its id, or an object with the id. */
export type FakeRef = string | { id: string };

/** A PagerDuty user. */
export interface FakeUser {
  id: string;
  name: string;
  email: string;
}

/** A schedule or an escalation policy. */
export interface FakeNamed {
  id: string;
  name: string;
}

/** A PagerDuty service and its escalation policy. */
export interface FakeService {
  id: string;
  name: string;
  escalation_policy: FakeRef;
  /** Events API integrations; their keys are what `pagerduty.com/integration-key` holds. */
  integrations?: { id: string; integration_key: string; name?: string }[];
}

/**
 * One on-call entry. `start`/`end` are ISO times, `now`, or relative to the time of the
 * request, e.g. `-1h`, `+8h`, `+30m`, `-2d`, `+1w` (so a demo is always current).
 */
export interface FakeOnCall {
  user: FakeRef;
  /** Absent or null: the escalation rule targets the user directly. */
  schedule?: FakeRef | null;
  escalation_policy: FakeRef;
  /** Default 1. */
  escalation_level?: number;
  /** Absent or null: since forever. */
  start?: string | null;
  /** Absent or null: no end. */
  end?: string | null;
}

/** One incident; `assignees` (user ids) or PagerDuty's own `assignments`. */
export interface FakeIncident {
  id: string;
  /** Default: its position in the list, from 1. */
  incident_number?: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  service: FakeRef;
  assignees?: FakeRef[];
  assignments?: { assignee: FakeRef }[];
  /** As on-call `start`; default `-15m`. */
  created_at?: string;
  urgency?: string;
  /** Users who acknowledged it, in order (its log; the last one changed its status). */
  acknowledged_by?: FakeRef[];
  /** When they acknowledged it, as `created_at`; default: when it was created. */
  acknowledged_at?: string;
  /** The user who resolved it (when `status` is `resolved`). */
  resolved_by?: FakeRef;
  /** As `created_at`; default: when it was created. */
  resolved_at?: string;
}

/** A Scoped OAuth app the fake's `POST /oauth/token` issues tokens to. */
export interface FakeOAuthApp {
  clientId: string;
  clientSecret: string;
  subDomain: string;
  /** Default `us`. */
  region?: string;
}

/** What the fake serves: the shape of the YAML data file. */
export interface FakePagerDutyData {
  /** When set, only `Authorization: Token token=<apiToken>` is accepted (otherwise any token). */
  apiToken?: string;
  /** Apps `POST /oauth/token` knows; the tokens it issues work as `Bearer` for an hour. */
  oauthApps?: FakeOAuthApp[];
  users?: FakeUser[];
  schedules?: FakeNamed[];
  escalation_policies?: FakeNamed[];
  services?: FakeService[];
  oncalls?: FakeOnCall[];
  incidents?: FakeIncident[];
}

/** Options of {@link startFakePagerDuty}. */
export interface StartFakePagerDutyOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  data?: FakePagerDutyData;
  /** A YAML (or JSON) file with the data; read again on reset. */
  dataFile?: string;
}

/** A running fake PagerDuty API. */
export interface FakePagerDuty {
  /** E.g. `http://127.0.0.1:7011`; use it as `pagerDuty.apiBaseUrl`. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Replaces the on-call entries (as `PUT /__admin/oncalls`). */
  setOnCalls(list: FakeOnCall[]): void;
  /** Replaces the incidents (as `PUT /__admin/incidents`). */
  setIncidents(list: FakeIncident[]): void;
  /** Back to the data it started with, the file read again (as `POST /__admin/reset`). */
  reset(): void;
}

/**
 * Starts the fake PagerDuty API. It serves `GET /users`, `/schedules`,
 * `/escalation_policies`, `/services`, `/services/{id}`, `/oncalls` and `/incidents`,
 * PagerDuty-shaped, with `offset`/`limit`/`more` pagination, and the admin endpoints
 * `PUT /__admin/oncalls`, `PUT /__admin/incidents` and `POST /__admin/reset`.
 */
export function startFakePagerDuty(
  options?: StartFakePagerDutyOptions,
): Promise<FakePagerDuty>;

/** Resolves `now`, relative times like `-1h`/`+8h`, or absolute times, to ISO. */
export function resolveTime(value: unknown, now: number): string | null;
