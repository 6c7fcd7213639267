export { EntityAccessCard } from './EntityAccessCard';
export { EntityAccessContent } from './EntityAccessContent';
