/**
 * Extension points for JIT Access backend modules.
 *
 * @packageDocumentation
 */
export * from './checks';
export * from './provisioners';
