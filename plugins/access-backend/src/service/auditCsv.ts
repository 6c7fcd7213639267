import { AccessAuditEntry } from '@jit-access/plugin-access-common';

/** The columns of `GET /audit?format=csv`, in order (the spec lists them). */
const CSV_COLUMNS: (keyof AccessAuditEntry)[] = [
  'id',
  'at',
  'actor',
  'action',
  'requestId',
  'severity',
  'fromStatus',
  'toStatus',
  'details',
];

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let s = typeof value === 'string' ? value : JSON.stringify(value);
  // Cells starting with formula characters are neutralised for spreadsheet safety.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Audit entries as a CSV file with a header row. */
export function auditCsv(items: AccessAuditEntry[]): string {
  const lines = [
    CSV_COLUMNS.join(','),
    ...items.map(e => CSV_COLUMNS.map(k => csvCell(e[k])).join(',')),
  ];
  return `${lines.join('\n')}\n`;
}
