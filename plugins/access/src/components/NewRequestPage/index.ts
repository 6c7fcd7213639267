export { NewRequestPage } from './NewRequestPage';
