import Typography from '@material-ui/core/Typography';
import { DateTime } from 'luxon';
import { useEffect, useState } from 'react';

/** `2h 05m`, `4m 09s`, `expired`. */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'expired';
  const total = Math.floor(ms / 1000);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${pad(m)}m`;
  return `${m}m ${pad(s)}s`;
}

/** Time left until `expiresAt`, ticking every second; the exact time on hover. */
export function ExpiryCountdown(props: {
  expiresAt: string;
  now?: () => number;
}) {
  const now = props.now ?? Date.now;
  const end = Date.parse(props.expiresAt);
  const [left, setLeft] = useState(end - now());
  useEffect(() => {
    setLeft(end - now());
    const timer = setInterval(() => setLeft(end - now()), 1000);
    return () => clearInterval(timer);
  }, [end, now]);
  return (
    <Typography
      component="span"
      variant="body2"
      title={`Ends ${DateTime.fromMillis(end).toLocaleString(
        DateTime.DATETIME_MED_WITH_SECONDS,
      )}`}
      aria-live="off"
      data-testid="expiry-countdown"
    >
      {formatRemaining(left)}
    </Typography>
  );
}
