import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AccessEvent,
  AccessEventRequest,
  AccessEventSink,
} from '@jit-access/plugin-access-node';
import { FreshserviceClient, FreshserviceError } from './FreshserviceClient';

/**
 * The ticket reference the workflow puts at the start of the justification:
 * `[Freshservice #1042] ...`.
 * @public
 */
export const FRESHSERVICE_TICKET_PATTERN =
  /^\[Freshservice #([1-9][0-9]{0,17})\]/;

/** What each event does to the ticket: a note, and for the end of access, its status. */
const OUTCOMES: Record<string, { title: string; ends?: boolean }> = {
  'request.created': { title: 'Access request filed' },
  'request.approved': { title: 'Access request approved' },
  'request.rejected': { title: 'Access request rejected', ends: true },
  'request.cancelled': { title: 'Access request cancelled', ends: true },
  'request.timed_out': {
    title: 'Access request timed out: nobody decided in time',
    ends: true,
  },
  'access.granted': { title: 'Access granted' },
  'access.failed': { title: 'Access could not be granted', ends: true },
  'access.extended': { title: 'Access extended' },
  'access.expired': { title: 'Access expired and was removed', ends: true },
  'access.revoked': { title: 'Access revoked', ends: true },
};

/** The event types the sink subscribes to. */
export const FRESHSERVICE_EVENTS = Object.keys(OUTCOMES);

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]!),
  );

/** The ticket of a request filed by one of `services`, if it names one. */
export function ticketOf(
  request: AccessEventRequest | undefined,
  services: string[],
): number | undefined {
  if (!request) return undefined;
  if (!services.some(s => request.createdBy === `service:${s}`))
    return undefined;
  const m = FRESHSERVICE_TICKET_PATTERN.exec(request.justification);
  return m ? Number(m[1]) : undefined;
}

/** The note's HTML for an event. */
export function noteFor(
  event: AccessEvent,
  appBaseUrl: string | undefined,
): string {
  const outcome = OUTCOMES[event.type];
  const r = event.data.request!;
  const lines: string[] = [`<b>${escape(outcome.title)}</b>`];
  const resources = r.resources
    .map(x => `${x.entityRef} (${x.permissions.join(', ')})`)
    .join('; ');
  lines.push(`For ${escape(r.requester)}: ${escape(resources)}`);
  if (event.data.actor !== 'system' && event.type !== 'request.created') {
    lines.push(`By ${escape(event.data.actor)}`);
  }
  if (event.type === 'request.created') {
    lines.push(
      `Status: ${escape(r.status)}${
        r.approvers.length
          ? `; approvers: ${escape(r.approvers.join(', '))}`
          : ''
      }`,
    );
  }
  const comment = event.data.details?.comment;
  if (typeof comment === 'string' && comment.trim()) {
    lines.push(`Comment: ${escape(comment.slice(0, 2000))}`);
  }
  if (
    (event.type === 'access.granted' || event.type === 'access.extended') &&
    r.expiresAt
  ) {
    lines.push(`Until ${escape(r.expiresAt)}`);
  }
  if (outcome.ends && r.endReason) {
    lines.push(`Reason: ${escape(r.endReason.slice(0, 2000))}`);
  }
  const href = appBaseUrl ? `${appBaseUrl}${r.link}` : r.link;
  lines.push(`Request: <a href="${escape(href)}">${escape(r.id)}</a>`);
  lines.push(`<small>Backstage event ${escape(event.id)}</small>`);
  return lines.map(l => `<div>${l}</div>`).join('');
}

/**
 * The event sink that writes request status back to Freshservice tickets.
 * @public
 */
export function createFreshserviceTicketSink(options: {
  client: FreshserviceClient;
  services: string[];
  privateNotes: boolean;
  resolvedStatus: 4 | 5;
  appBaseUrl?: string;
  logger: LoggerService;
  timeoutMs?: number;
}): AccessEventSink {
  const { client, logger } = options;
  return {
    id: 'freshservice',
    events: FRESHSERVICE_EVENTS,
    timeoutMs: options.timeoutMs,
    async deliver(event, { signal }) {
      const outcome = OUTCOMES[event.type];
      const ticketId = ticketOf(event.data.request, options.services);
      if (!outcome || ticketId === undefined) return;
      try {
        // The note is the one call that is not idempotent: it goes last, so a failed status
        // change is retried without writing the note twice.
        if (outcome.ends) {
          try {
            await client.setStatus(ticketId, options.resolvedStatus, signal);
          } catch (e) {
            // e.g. fields an admin requires on resolution: the note still says why.
            if (!(e instanceof FreshserviceError && e.status === 400)) throw e;
            logger.warn(
              `access: Freshservice ticket ${ticketId} could not be resolved for ${event.type} of request ${event.data.request?.id}: ${e.message}`,
            );
          }
        }
        await client.addNote(
          ticketId,
          {
            body: noteFor(event, options.appBaseUrl),
            private: options.privateNotes,
          },
          signal,
        );
      } catch (e) {
        if (e instanceof FreshserviceError && e.permanent) {
          // Trying again cannot help (the ticket is gone, or refuses the note): give up on
          // this event, loudly, rather than hold back the request's later events forever.
          logger.error(
            `access: Freshservice ticket ${ticketId} did not take ${event.type} of request ${event.data.request?.id}, given up: ${e.message}`,
          );
          return;
        }
        throw e;
      }
    },
  };
}
