// The figures table (stdout) and the JSON file.
import { summary } from './util.mjs';

export class Figures {
  constructor() {
    this.list = [];
  }

  /**
   * Adds a figure. `values` are per-run values (one or more); `floor` likewise; `ratio`
   * is computed from the medians unless given; `check(median, ratio, floorMedian)` decides
   * pass/fail when there is a target.
   */
  add({
    id,
    section,
    label,
    unit,
    values,
    floor,
    ratio,
    target,
    check,
    note,
    digits,
  }) {
    const value = summary([values].flat());
    const floorSummary =
      floor === undefined ? undefined : summary([floor].flat());
    let r = ratio;
    if (
      r === undefined &&
      floorSummary &&
      Number.isFinite(floorSummary.median) &&
      floorSummary.median !== 0
    ) {
      r = value.median / floorSummary.median;
    }
    const pass = check
      ? Boolean(check(value.median, r, floorSummary?.median))
      : undefined;
    const fig = {
      id,
      section,
      label,
      unit,
      value,
      floor: floorSummary,
      ratio: r,
      target,
      pass,
      note,
      digits,
    };
    this.list.push(fig);
    return fig;
  }

  /** A figure that could not be measured (the reason is printed in its place). */
  skip({ id, section, label, unit, target, reason, error = false }) {
    this.list.push({
      id,
      section,
      label,
      unit,
      target,
      skipped: reason,
      error,
    });
  }
}

function fmt(n, digits) {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  const d = digits ?? (Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);
  return n.toLocaleString('en-US', {
    minimumFractionDigits: d,
    maximumFractionDigits: d,
  });
}

function cell(s, digits, unit) {
  if (!s) return '—';
  const u = unit ? ` ${unit}` : '';
  if (s.runs.length <= 1 || s.min === s.max)
    return `${fmt(s.median, digits)}${u}`;
  return `${fmt(s.median, digits)}${u} (${fmt(s.min, digits)}–${fmt(
    s.max,
    digits,
  )})`;
}

export function renderTable(figures) {
  const header = [
    'figure',
    'value: median (min–max)',
    'target',
    'floor',
    'ratio',
    'result',
  ];
  const rows = [];
  let section;
  for (const f of figures.list) {
    if (f.section !== section) {
      section = f.section;
      rows.push({ section });
    }
    if (f.skipped) {
      const why =
        f.skipped.length > 70 ? `${f.skipped.slice(0, 67)}...` : f.skipped;
      rows.push([
        `  ${f.label}`,
        `${f.error ? 'ERROR' : 'skipped'}: ${why}`,
        f.target ?? '—',
        '—',
        '—',
        f.error ? 'FAIL' : 'n/a',
      ]);
      continue;
    }
    rows.push([
      `  ${f.label}`,
      cell(f.value, f.digits, f.unit),
      f.target ?? '—',
      cell(f.floor, f.digits, f.unit),
      f.ratio === undefined || !Number.isFinite(f.ratio)
        ? '—'
        : `${fmt(f.ratio, 2)}x`,
      f.pass === undefined ? 'info' : f.pass ? 'pass' : 'FAIL',
    ]);
  }
  const widths = header.map((h, i) =>
    Math.max(
      h.length,
      ...rows.filter(Array.isArray).map(r => String(r[i]).length),
    ),
  );
  const line = r =>
    `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const sep = `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`;
  const out = [line(header), sep];
  for (const r of rows) {
    if (Array.isArray(r)) out.push(line(r));
    else out.push(line([`**${r.section}**`, '', '', '', '', '']));
  }
  return out.join('\n');
}
