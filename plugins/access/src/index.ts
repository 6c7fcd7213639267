/**
 * JIT Access frontend plugin: request, approve and review time-limited access.
 *
 * @packageDocumentation
 */
export {
  accessPlugin,
  AccessPage,
  EntityAccessCard,
  EntityAccessContent,
} from './plugin';
export { isAccessAvailable, isAccessCovered } from './coverage';
export * from './api';
