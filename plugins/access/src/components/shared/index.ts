export { StatusChip } from './StatusChip';
export { ExpiryCountdown, formatRemaining } from './ExpiryCountdown';
export {
  formatSeconds,
  shortRef,
  describeResources,
  relativeTime,
} from './format';
export { useLiveRefresh, ACCESS_SIGNAL_CHANNEL } from './useLiveRefresh';
