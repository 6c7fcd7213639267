/**
 * Extension points for JIT Access backend modules.
 *
 * @packageDocumentation
 */
export * from './provisioners';
