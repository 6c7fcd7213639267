export interface Config {
  /**
   * Freshservice, for `@jit-access/plugin-access-backend-module-freshservice`: access
   * request status written back to the ticket that filed the request.
   */
  freshservice?: {
    /** The account's address, e.g. `https://acme.freshservice.com`. */
    baseUrl: string;
    /**
     * A Freshservice API key (Profile settings → API key) of an agent who may add notes to
     * and resolve the tickets.
     * @visibility secret
     */
    apiKey: string;
    /**
     * Service subjects (as in `access.onBehalfOf.allowedServices`, e.g. the static token's
     * `subject`) whose requests carry a ticket reference. Requests filed by anyone else are
     * never written to a ticket.
     */
    services: string[];
    /** Add the notes as private (agents only). Default false: the requester sees them. */
    privateNotes?: boolean;
    /** The status a ticket gets when access ends: 4 (Resolved, default) or 5 (Closed). */
    resolvedStatus?: 4 | 5;
    /** Limit of one call to Freshservice, e.g. `10s` (the default), at most 2 minutes. */
    timeout?:
      | string
      | { milliseconds?: number; seconds?: number; minutes?: number };
  };
}
