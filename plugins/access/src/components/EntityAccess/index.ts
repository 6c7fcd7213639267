export { EntityAccessCard } from './EntityAccessCard';
export { EntityAccessContent } from './EntityAccessContent';
export { isAccessAvailable, isAccessCovered } from './coverage';
