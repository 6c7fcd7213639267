export { RequestDetailsPage } from './RequestDetailsPage';
export { RequestTimeline } from './RequestTimeline';
