import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);

/**
 * Writes JSON formatted as the repository's Prettier would, so that the results and
 * configs under bench/results do not trip `yarn prettier:check`.
 */
export function writeJson(file, data) {
  let text = `${JSON.stringify(data, null, 2)}\n`;
  try {
    const prettier = require('prettier');
    const options = prettier.resolveConfig.sync(file) ?? {};
    text = prettier.format(text, { ...options, parser: 'json' });
  } catch {
    // Prettier missing: plain JSON
  }
  fs.writeFileSync(file, text);
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));

export function log(...parts) {
  process.stderr.write(
    `[bench ${new Date().toISOString().slice(11, 19)}] ${parts.join(' ')}\n`,
  );
}

export function median(values) {
  const v = values.filter(x => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function summary(values) {
  const v = values.filter(x => Number.isFinite(x));
  return {
    median: median(v),
    min: v.length ? Math.min(...v) : NaN,
    max: v.length ? Math.max(...v) : NaN,
    runs: values,
  };
}

/** Nearest-rank percentile of raw samples. */
export function percentile(values, p) {
  if (!values.length) return NaN;
  const v = [...values].sort((a, b) => a - b);
  return v[
    Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))
  ];
}

/** A port in [from, to] that nobody listens on right now. */
export async function freePort(from = 17100, to = 17199, avoid = []) {
  const start = from + Math.floor(Math.random() * (to - from + 1));
  for (let i = 0; i <= to - from; i++) {
    const port = from + ((start - from + i) % (to - from + 1));
    if (avoid.includes(port)) continue;
    const ok = await new Promise(resolve => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
export function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = key =>
      Number(status.match(new RegExp(`${key}:\\s+(\\d+) kB`))?.[1] ?? NaN) *
      1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Samples a process's RSS every `everyMs`; `mark(phase)` attributes samples to phases. */
export class RssSampler {
  /** `statsUrl`: also polls the backend's V8 heap figures every 2 s (GET /api/bench/stats). */
  constructor(pid, everyMs = 250, statsUrl) {
    this.pid = pid;
    this.phase = 'start';
    this.peakByPhase = {};
    this.heapByPhase = {};
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    if (statsUrl) {
      this.heapTimer = setInterval(async () => {
        try {
          const { memory } = await (await fetch(statsUrl)).json();
          const cur = this.heapByPhase[this.phase] ?? {
            heapUsed: 0,
            heapTotal: 0,
            external: 0,
          };
          this.heapByPhase[this.phase] = {
            heapUsed: Math.max(cur.heapUsed, memory.heapUsed),
            heapTotal: Math.max(cur.heapTotal, memory.heapTotal),
            external: Math.max(cur.external, memory.external),
          };
        } catch {
          // the backend is busy or gone
        }
      }, 2000);
      this.heapTimer.unref();
    }
  }
  sample() {
    const { rss, hwm } = memoryOf(this.pid);
    if (Number.isFinite(rss)) {
      this.peakByPhase[this.phase] = Math.max(
        this.peakByPhase[this.phase] ?? 0,
        rss,
      );
      this.hwm = hwm;
    }
  }
  mark(phase) {
    this.sample();
    this.phase = phase;
  }
  stop() {
    this.sample();
    clearInterval(this.timer);
    clearInterval(this.heapTimer);
    return {
      peak: this.hwm,
      peakByPhase: this.peakByPhase,
      heapByPhase: this.heapByPhase,
    };
  }
}

export function loadAverage() {
  try {
    return fs
      .readFileSync('/proc/loadavg', 'utf8')
      .split(' ')
      .slice(0, 3)
      .map(Number);
  } catch {
    return [];
  }
}

export async function waitFor(
  what,
  fn,
  { timeoutMs = 120_000, everyMs = 250 } = {},
) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(
    `timed out waiting for ${what}${last ? `: ${last.message}` : ''}`,
  );
}
