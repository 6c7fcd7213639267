import { DateTime } from 'luxon';

/** An ISO time in the user's locale, e.g. `Mar 5, 2025, 10:02 AM`. */
export function formatTime(iso: string): string {
  const t = DateTime.fromISO(iso);
  return t.isValid ? t.toLocaleString(DateTime.DATETIME_MED) : iso;
}
