/*
 * Smoke test of `yarn bench` (bench/run.mjs): runs the whole benchmark at tiny sizes on
 * SQLite (no PostgreSQL needed, and quicker to start) and checks that it ran end to end
 * and printed every figure. It asserts no timing and no target: at these sizes the
 * figures mean nothing. About 20 s on an idle 2-core machine.
 */
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

const ROOT = path.resolve(__dirname, '../../../..');

/** Every figure the bench reports; TTI is the only one --tiny skips. */
const FIGURES = [
  'submitOne.rps',
  'submitOne.p50',
  'submitOne.p99',
  'bulk.p50',
  'bulk.p99',
  'mine.small.p50',
  'mine.small.p99',
  'mine.large.p50',
  'mine.large.p99',
  'approvals.small.p50',
  'approvals.small.p99',
  'approvals.large.p50',
  'approvals.large.p99',
  'search.p50',
  'search.p99',
  'expiry.allEnded',
  'expiry.p99Lag',
  'expiry.rate',
  'expiry.projected100k',
  'slow.maxInFlight',
  'slow.averageInFlight',
  'slow.total',
  'memory.peakRss',
  'frontend.pluginJsGzip',
  'frontend.tti',
];

function run(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>(
    resolve => {
      const child = spawn(process.execPath, args, {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'production' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', d => (stdout += d));
      child.stderr.on('data', d => (stderr += d));
      child.on('close', code => resolve({ code, stdout, stderr }));
    },
  );
}

describe('yarn bench --tiny', () => {
  it('runs end to end and prints every figure', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'jit-bench-smoke-'));
    try {
      const { code, stdout, stderr } = await run([
        path.join(ROOT, 'bench/run.mjs'),
        '--tiny',
        '--sqlite',
        '--out',
        out,
      ]);
      if (code !== 0) {
        throw new Error(
          `bench exited with ${code}\n${stdout}\n${stderr.slice(-4000)}`,
        );
      }
      const files = fs.readdirSync(out).filter(f => f.endsWith('.json'));
      expect(files).toHaveLength(1);
      const result = JSON.parse(
        fs.readFileSync(path.join(out, files[0]), 'utf8'),
      );
      expect(result.ok).toBe(true);
      const byId = new Map<string, any>(
        result.figures.map((f: any) => [f.id, f]),
      );
      expect([...byId.keys()].sort()).toEqual([...FIGURES].sort());
      // Each figure measured (TTI: skipped on purpose) and printed in the table.
      const seen = FIGURES.map(id => {
        const f = byId.get(id);
        return {
          id,
          measured:
            id === 'frontend.tti'
              ? Boolean(f?.skipped) && !f?.error
              : Number.isFinite(f?.value?.median),
          printed: stdout.includes(`|   ${f?.label}`),
        };
      });
      expect(seen).toEqual(
        FIGURES.map(id => ({ id, measured: true, printed: true })),
      );
      expect(stdout).toContain('All figures: ');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
