/**
 * A small local stand-in for the Freshservice REST API v2 tickets, for tests and demos.
 *
 * @packageDocumentation
 */

/** A note (or reply) on a ticket, as `POST /api/v2/tickets/{id}/notes` answers it. */
export interface FakeConversation {
  id: number;
  user_id: number;
  to_emails: string[];
  body: string;
  body_text: string;
  ticket_id: number;
  created_at: string;
  updated_at: string;
  incoming: boolean;
  private: boolean;
  support_email: string | null;
  notify_emails: string[];
  attachments: unknown[];
}

/** A ticket and its conversations. */
export interface FakeTicket {
  id: number;
  subject: string;
  description: string;
  description_text: string;
  /** 2 Open, 3 Pending, 4 Resolved, 5 Closed. */
  status: number;
  priority: number;
  requester_id: number;
  type: string;
  created_at: string;
  updated_at: string;
  conversations: FakeConversation[];
}

/** A ticket to create; everything has a default. */
export interface NewTicket {
  id?: number;
  subject?: string;
  description?: string;
  status?: number;
  priority?: number;
  type?: string;
}

/** One API call the fake answered. */
export interface LoggedCall {
  method: string;
  path: string;
  status: number;
  body?: unknown;
}

export interface StartOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, only this API key is accepted; else any non-empty key (password `X`). */
  apiKey?: string;
  tickets?: NewTicket[];
}

export interface FakeFreshservice {
  url: string;
  port: number;
  addTicket(ticket?: NewTicket): FakeTicket;
  ticket(id: number): FakeTicket | undefined;
  calls(): LoggedCall[];
  /** The next `requests` API calls answer 429 with `Retry-After: retryAfter`. */
  rateLimit(requests: number, retryAfter: number): void;
  /** The next `requests` API calls answer `status` (default 500). */
  fail(requests: number, status?: number): void;
  reset(): void;
  close(): Promise<void>;
}

export function startFakeFreshservice(
  options?: StartOptions,
): Promise<FakeFreshservice>;
