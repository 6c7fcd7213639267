/**
 * Types, permissions and the HTTP API contract shared by the JIT Access plugins.
 *
 * @packageDocumentation
 */
export * from './entityFilter';
export * from './limits';
export * from './permissions';
export * from './types';
