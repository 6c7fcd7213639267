import { MAX_AUDIT_PAGE_SIZE } from '@jit-access/plugin-access-common';
import { fetchAuditCsv, splitCsvRecords } from './auditCsv';

const HEADER =
  'id,at,actor,action,requestId,severity,fromStatus,toStatus,details';

function row(id: number, details = '{}') {
  return `${id},2026-01-01T00:00:00.000Z,system,access-expired,,medium,granted,expired,${details}`;
}

function readBlob(blob: Blob): Promise<string> {
  // The test environment's Blob may come from Node (with text()) rather than jsdom.
  if (typeof blob.text === 'function') return blob.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

describe('splitCsvRecords', () => {
  it('keeps quoted line breaks and quotes inside their record', () => {
    expect(
      splitCsvRecords(`${HEADER}\n1,"a\nb","say ""hi"""\r\n2,x,y\n`),
    ).toEqual([HEADER, '1,"a\nb","say ""hi"""', '2,x,y']);
  });
});

describe('fetchAuditCsv', () => {
  it('chains full pages by the last id and drops repeated headers', async () => {
    const first = Array.from({ length: MAX_AUDIT_PAGE_SIZE }, (_, i) =>
      row(3000 - i, i === 5 ? '"{""note"":""two\nlines""}"' : '{}'),
    );
    const second = [row(2000), row(1999)];
    const getAuditCsv = jest.fn(async ({ cursor }: { cursor?: string } = {}) =>
      cursor === undefined
        ? new Blob([`${HEADER}\n${first.join('\n')}\n`])
        : new Blob([`${HEADER}\n${second.join('\n')}\n`]),
    );
    const progress: number[] = [];
    const result = await fetchAuditCsv({ getAuditCsv }, n => progress.push(n));

    expect(getAuditCsv.mock.calls).toEqual([
      [{ cursor: undefined, limit: MAX_AUDIT_PAGE_SIZE }],
      [
        {
          cursor: String(3000 - MAX_AUDIT_PAGE_SIZE + 1),
          limit: MAX_AUDIT_PAGE_SIZE,
        },
      ],
    ]);
    expect(result.entries).toBe(MAX_AUDIT_PAGE_SIZE + 2);
    expect(result.truncated).toBe(false);
    expect(progress).toEqual([MAX_AUDIT_PAGE_SIZE, MAX_AUDIT_PAGE_SIZE + 2]);
    const text = await readBlob(result.blob);
    expect(text.split(HEADER)).toHaveLength(2);
    expect(text.startsWith(`${HEADER}\n3000,`)).toBe(true);
    expect(text).toContain('two\nlines');
    expect(text.endsWith(`${row(1999)}\n`)).toBe(true);
  });

  it('stops after a full last page that is followed by an empty one', async () => {
    const full = Array.from({ length: MAX_AUDIT_PAGE_SIZE }, (_, i) =>
      row(MAX_AUDIT_PAGE_SIZE - i),
    );
    const getAuditCsv = jest
      .fn()
      .mockResolvedValueOnce(new Blob([`${HEADER}\n${full.join('\n')}\n`]))
      .mockResolvedValueOnce(new Blob([`${HEADER}\n`]));
    const result = await fetchAuditCsv({ getAuditCsv });
    expect(getAuditCsv).toHaveBeenCalledTimes(2);
    expect(result.entries).toBe(MAX_AUDIT_PAGE_SIZE);
  });

  it('exports just the header when the log is empty', async () => {
    const result = await fetchAuditCsv({
      getAuditCsv: async () => new Blob([`${HEADER}\n`]),
    });
    expect(result.entries).toBe(0);
    expect(await readBlob(result.blob)).toBe(`${HEADER}\n`);
  });
});
