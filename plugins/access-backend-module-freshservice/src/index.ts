/**
 * Freshservice for JIT Access: access request status written back to the ticket that
 * filed the request (notes, and the ticket resolved when access ends).
 *
 * @packageDocumentation
 */
export { accessModuleFreshservice as default } from './module';
export {
  FreshserviceClient,
  FreshserviceError,
  type FreshserviceClientOptions,
} from './FreshserviceClient';
export {
  createFreshserviceTicketSink,
  FRESHSERVICE_TICKET_PATTERN,
} from './ticketSink';
