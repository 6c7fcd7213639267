/**
 * The JIT Access backend plugin.
 *
 * @packageDocumentation
 */
export { accessPlugin as default } from './plugin';
export {
  EXPIRY_TASK_ID,
  PENDING_TIMEOUT_TASK_ID,
  REVERIFY_TASK_ID,
} from './tasks/scheduleTasks';
export { AccessConfigError } from './config/readAccessConfig';
export { accessClockServiceRef } from './clock';
export type { Clock } from './clock';
