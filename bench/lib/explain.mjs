// EXPLAIN (ANALYZE, BUFFERS) of the SELECT statements the backend actually sent (text and
// latest bindings as recorded by the bench backend), so every run documents the plans of
// its slowest queries (PostgreSQL only).
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * `statements`: the `queries.top` list of /api/bench/stats. Explains the `max` plain
 * SELECTs with the most total time, appends the plans to `file` under `label`, and returns
 * a summary of each.
 */
export async function explainStatements({
  connection,
  statements,
  label,
  file,
  max = 5,
}) {
  const pg = require('pg');
  const selects = statements
    .filter(
      s =>
        /^\s*select/i.test(s.text) && !/for update/i.test(s.text) && s.database,
    )
    .sort((a, b) => b.ms - a.ms)
    .slice(0, max);
  const out = [];
  for (const s of selects) {
    const client = new pg.Client({ ...connection, database: s.database });
    await client.connect();
    try {
      const { rows } = await client.query(
        `explain (analyze, buffers) ${s.text}`,
        s.values ?? [],
      );
      const plan = rows.map(r => r['QUERY PLAN']).join('\n');
      const executionMs = Number(
        plan.match(/Execution Time: ([\d.]+) ms/)?.[1],
      );
      const top = rows.slice(0, 12).map(r => r['QUERY PLAN']);
      const scans = [
        ...plan.matchAll(
          /(Seq Scan|Parallel Seq Scan|Index Scan(?: Backward)?|Index Only Scan|Bitmap Heap Scan) (?:using \S+ )?on (\S+)/g,
        ),
      ].map(m => `${m[1]} on ${m[2]}`);
      out.push({
        sql: s.text,
        calls: s.count,
        averageMsSeenByBackend: s.count ? s.ms / s.count : undefined,
        executionMs,
        scans: [...new Set(scans)],
        planHead: top,
      });
      fs.appendFileSync(
        file,
        `\n===== ${label}: ${s.count} calls, ${(
          s.ms / Math.max(1, s.count)
        ).toFixed(1)} ms average in the backend\n${
          s.text
        }\n-- bindings: ${JSON.stringify(s.values ?? []).slice(
          0,
          400,
        )}\n${plan}\n`,
      );
    } catch (e) {
      out.push({ sql: s.text, error: String(e.message ?? e) });
    } finally {
      await client.end();
    }
  }
  return out;
}
