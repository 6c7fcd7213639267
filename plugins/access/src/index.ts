/**
 * JIT Access frontend plugin: request, approve and review time-limited access.
 *
 * @packageDocumentation
 */
export { accessPlugin } from './plugin';
export * from './api';
