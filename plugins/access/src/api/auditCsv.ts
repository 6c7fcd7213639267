import { MAX_AUDIT_PAGE_SIZE } from '@jit-access/plugin-access-common';
import { AccessApi } from './AccessApi';

/** Safety stop for runaway exports: 200 pages are 200,000 entries. */
export const AUDIT_CSV_MAX_PAGES = 200;

/** Splits CSV text into records, keeping quoted line breaks inside their record. */
export function splitCsvRecords(text: string): string[] {
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '\n' && !quoted) {
      records.push(text.slice(start, i).replace(/\r$/, ''));
      start = i + 1;
    }
  }
  if (start < text.length) records.push(text.slice(start).replace(/\r$/, ''));
  return records.filter(r => r !== '');
}

function readText(blob: Blob): Promise<string> {
  if (typeof blob.text === 'function') return blob.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

/**
 * The whole audit trail as one CSV file. The backend serves CSV a page at a time and the
 * client does not expose the `X-Next-Cursor` header, but the cursor is documented as the
 * id of the page's last entry (`id` is the first column), so the pages are chained here
 * and their repeated header rows dropped.
 */
export async function fetchAuditCsv(
  api: Pick<AccessApi, 'getAuditCsv'>,
  onProgress?: (entries: number) => void,
): Promise<{ blob: Blob; entries: number; truncated: boolean }> {
  let header: string | undefined;
  const rows: string[] = [];
  let cursor: string | undefined;
  let truncated = false;
  for (let page = 0; ; page++) {
    if (page === AUDIT_CSV_MAX_PAGES) {
      truncated = true;
      break;
    }
    const records = splitCsvRecords(
      await readText(
        await api.getAuditCsv({ cursor, limit: MAX_AUDIT_PAGE_SIZE }),
      ),
    );
    if (records.length === 0) break;
    header ??= records[0];
    const pageRows = records.slice(1);
    rows.push(...pageRows);
    onProgress?.(rows.length);
    if (pageRows.length < MAX_AUDIT_PAGE_SIZE) break;
    cursor = pageRows[pageRows.length - 1].split(',', 1)[0];
    if (!/^\d{1,18}$/.test(cursor))
      throw new Error(
        `Unexpected audit CSV: the last row of a page does not start with an entry id ("${cursor.slice(
          0,
          40,
        )}")`,
      );
  }
  const text = header ? `${[header, ...rows].join('\n')}\n` : '';
  return {
    blob: new Blob([text], { type: 'text/csv;charset=utf-8' }),
    entries: rows.length,
    truncated,
  };
}
