// Turns run records into what a reader looks at: median / p95 / min / max and success rate per
// variant × case, a terminal table, a Markdown table for the README, and a hand-written SVG chart
// of restore → first new video frame.

import type { RunRecord } from './runner';
import { caseName, VARIANTS, type CutKind, type Variant } from './variants';

/** Order statistics of one figure; null means "not reached" (counted as slower than any value). */
export interface Stat {
  readonly n: number;
  /** Runs where the figure never happened within the window (or never at all). */
  readonly missing: number;
  readonly median: number | null;
  readonly p95: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/** One variant × case. */
export interface Summary {
  readonly variant: Variant;
  readonly kind: CutKind;
  readonly outageMs: number;
  /** Runs with figures (set-up failures excluded). */
  readonly runs: number;
  /** Runs whose call could not be set up. */
  readonly errors: number;
  readonly recovered: number;
  /** recovered / runs, 0..1; null without runs. */
  readonly successRate: number | null;
  readonly cutToRecoveryStarted: Stat;
  readonly restoreToConnected: Stat;
  readonly restoreToMessage: Stat;
  readonly restoreToFrame: Stat;
  readonly offers: Stat;
}

type FigureKey =
  'cutToRecoveryStarted' | 'restoreToConnected' | 'restoreToMessage' | 'restoreToFrame' | 'offers';

/** Median, nearest-rank p95, min and max; nulls sort after every number. */
export function stat(values: readonly (number | null)[]): Stat {
  const sorted = values
    .map((v) => (v === null ? Number.POSITIVE_INFINITY : v))
    .sort((x, y) => x - y);
  const n = sorted.length;
  const show = (v: number | undefined): number | null =>
    v === undefined || !Number.isFinite(v) ? null : v;
  const at = (q: number): number | undefined => sorted[Math.max(0, Math.ceil(q * n) - 1)];
  let median: number | undefined;
  if (n > 0) {
    const lo = sorted[Math.floor((n - 1) / 2)] ?? Number.NaN;
    const hi = sorted[Math.ceil((n - 1) / 2)] ?? Number.NaN;
    median = lo === hi ? lo : (lo + hi) / 2;
  }
  return {
    n,
    missing: values.filter((v) => v === null).length,
    median: median === undefined || Number.isNaN(median) ? null : show(Math.round(median)),
    p95: show(at(0.95)),
    min: show(sorted[0]),
    max: show(sorted[n - 1]),
  };
}

/** Groups records by variant × case, in the order variants and cases first appear. */
export function summarize(records: readonly RunRecord[]): Summary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.variant}|${r.kind}|${r.outageMs}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const out: Summary[] = [];
  for (const list of groups.values()) {
    const first = list[0];
    if (first === undefined) continue;
    const valid = list.filter((r) => r.figures !== null);
    const pick = (key: FigureKey): Stat => stat(valid.map((r) => r.figures?.[key] ?? null));
    const recovered = valid.filter((r) => r.figures?.recovered === true).length;
    out.push({
      variant: first.variant,
      kind: first.kind,
      outageMs: first.outageMs,
      runs: valid.length,
      errors: list.length - valid.length,
      recovered,
      successRate: valid.length > 0 ? recovered / valid.length : null,
      cutToRecoveryStarted: pick('cutToRecoveryStarted'),
      restoreToConnected: pick('restoreToConnected'),
      restoreToMessage: pick('restoreToMessage'),
      restoreToFrame: pick('restoreToFrame'),
      offers: pick('offers'),
    });
  }
  const kindOrder = (k: CutKind): number => (k === 'media' ? 0 : 1);
  return out.sort(
    (x, y) =>
      kindOrder(x.kind) - kindOrder(y.kind) ||
      x.outageMs - y.outageMs ||
      x.variant.localeCompare(y.variant),
  );
}

/** 734 → "734 ms", 12_345 → "12.3 s". */
export function ms(v: number): string {
  return v < 10_000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`;
}

/** "med / p95 (min–max)", collapsed to one value when they are all the same. */
export function cell(s: Stat, missingText: string, unit: (v: number) => string = ms): string {
  if (s.n === 0) return 'n/a';
  const show = (v: number | null): string => (v === null ? missingText : unit(v));
  if (s.min === s.max && s.missing === 0) return show(s.median);
  if (s.missing === s.n) return missingText;
  return `${show(s.median)} / ${show(s.p95)} (${show(s.min)}–${show(s.max)})`;
}

const COLUMNS = [
  'variant',
  'case',
  'recovered',
  'cut→recovery started',
  'restore→connected',
  'restore→first message',
  'restore→first frame',
  'offers',
] as const;

function rows(summaries: readonly Summary[], observeMs: number): string[][] {
  const late = `>${observeMs / 1000} s`;
  return summaries.map((s) => [
    s.variant,
    `${s.kind} ${s.outageMs / 1000} s`,
    `${s.recovered}/${s.runs}${s.errors > 0 ? ` (+${s.errors} err)` : ''}`,
    cell(s.cutToRecoveryStarted, 'none'),
    cell(s.restoreToConnected, late),
    cell(s.restoreToMessage, late),
    cell(s.restoreToFrame, late),
    cell(s.offers, '—', String),
  ]);
}

/** A fixed-width table for the terminal. */
export function formatTable(summaries: readonly Summary[], observeMs = 60_000): string {
  const body = rows(summaries, observeMs);
  const all = [[...COLUMNS], ...body];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(COLUMNS), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previousCase = '';
  for (const [i, r] of body.entries()) {
    const s = summaries[i];
    const thisCase = s === undefined ? '' : caseName(s);
    if (previousCase !== '' && thisCase !== previousCase) out.push('');
    previousCase = thisCase;
    out.push(line(r));
  }
  return out.join('\n');
}

/** The same table in Markdown. */
export function formatMarkdown(summaries: readonly Summary[], observeMs = 60_000): string {
  const head = `| ${COLUMNS.join(' | ')} |`;
  const rule = `| ${COLUMNS.map(() => '---').join(' | ')} |`;
  return [head, rule, ...rows(summaries, observeMs).map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Okabe–Ito colours, readable by colour-blind readers; the library's defaults in blue. */
const COLORS: Record<Variant, string> = {
  a: '#E69F00',
  b: '#D55E00',
  c: '#0072B2',
  d: '#CC79A7',
  e: '#009E73',
};

const SHORT: Record<Variant, string> = {
  a: 'a · MDN naive (iceConnectionState failed)',
  b: 'b · naive (connectionState failed)',
  c: 'c · resilient-peer defaults',
  d: 'd · resilient-peer, LiveKit-like (failed only, delay table)',
  e: 'e · resilient-peer, stall probe off',
};

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Grouped bars, one panel per cut kind: outage lengths on x, one bar per variant, the median of
 * restore → first new decoded frame on a log y axis. A run that did not recover counts as slower
 * than any value; a median that is such a run is drawn as a hatched full-height bar marked ✗.
 */
export function renderSvg(
  summaries: readonly Summary[],
  meta: { readonly subtitle: string; readonly observeMs?: number },
): string {
  const observeMs = meta.observeMs ?? 60_000;
  const kinds = [...new Set(summaries.map((s) => s.kind))];
  const outages = [...new Set(summaries.map((s) => s.outageMs))].sort((x, y) => x - y);
  const variants = (Object.keys(VARIANTS) as Variant[]).filter((v) =>
    summaries.some((s) => s.variant === v),
  );
  const panelW = 470;
  const panelH = 300;
  const left = 78;
  const top = 88;
  const gap = 60;
  const legendH = 22 * Math.ceil(variants.length / 2) + 16;
  const width = Math.max(1080, left + kinds.length * panelW + (kinds.length - 1) * gap + 24);
  const height = top + panelH + 52 + legendH;
  const yMin = 10;
  const yMax = observeMs;
  const y = (v: number): number => {
    const clamped = Math.min(yMax, Math.max(yMin, v));
    return top + panelH - (Math.log10(clamped / yMin) / Math.log10(yMax / yMin)) * panelH;
  };
  const ticks = [10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 60_000].filter((t) => t <= yMax);
  const tickLabel = (t: number): string => (t < 1000 ? `${t} ms` : `${t / 1000} s`);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="3"/></pattern></defs>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="26" font-size="17" font-weight="bold">Time from network restore to the first new decoded video frame (median, both directions)</text>`,
    `<text x="${left}" y="46" fill="#444">${escapeXml(meta.subtitle)} · lower is better · log scale · ✗ = not recovered within ${observeMs / 1000} s</text>`,
  );
  kinds.forEach((kind, k) => {
    const x0 = left + k * (panelW + gap);
    const title =
      kind === 'media' ? 'Media path cut (signaling up)' : 'Full cut of peer A (signaling too)';
    out.push(
      `<text x="${x0 + panelW / 2}" y="${top - 14}" text-anchor="middle" font-size="14" font-weight="bold">${title}</text>`,
    );
    for (const t of ticks) {
      out.push(
        `<line x1="${x0}" x2="${x0 + panelW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e3e3e3"/>`,
        `<text x="${x0 - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#555">${tickLabel(t)}</text>`,
      );
    }
    out.push(
      `<line x1="${x0}" x2="${x0}" y1="${top}" y2="${top + panelH}" stroke="#333"/>`,
      `<line x1="${x0}" x2="${x0 + panelW}" y1="${top + panelH}" y2="${top + panelH}" stroke="#333"/>`,
    );
    if (k === 0) {
      const cy = top + panelH / 2;
      out.push(
        `<text transform="translate(${x0 - 62} ${cy}) rotate(-90)" text-anchor="middle" fill="#333">restore → first new frame</text>`,
      );
    }
    const groupW = panelW / outages.length;
    const barW = Math.min(22, (groupW - 18) / variants.length);
    outages.forEach((outageMs, g) => {
      const gx = x0 + g * groupW + (groupW - barW * variants.length) / 2;
      out.push(
        `<text x="${x0 + g * groupW + groupW / 2}" y="${top + panelH + 18}" text-anchor="middle">${outageMs / 1000} s</text>`,
      );
      variants.forEach((variant, i) => {
        const s = summaries.find(
          (e) => e.kind === kind && e.outageMs === outageMs && e.variant === variant,
        );
        if (s === undefined || s.runs === 0) return;
        const bx = gx + i * barW;
        const med = s.restoreToFrame.median;
        const failedRuns = s.runs - s.recovered;
        const base = top + panelH;
        if (med === null) {
          out.push(
            `<rect x="${(bx + 1).toFixed(1)}" y="${top}" width="${(barW - 2).toFixed(1)}" height="${panelH}" fill="url(#hatch)" stroke="${COLORS[variant]}" stroke-width="2"><title>${variant} ${kind} ${outageMs / 1000} s: not recovered (${s.recovered}/${s.runs})</title></rect>`,
            `<text x="${(bx + barW / 2).toFixed(1)}" y="${top - 2}" text-anchor="middle" font-size="13" fill="${COLORS[variant]}" font-weight="bold">✗</text>`,
          );
          return;
        }
        const yTop = y(Math.max(med, yMin));
        const label = med < 1000 ? `${med} ms` : `${(med / 1000).toFixed(1)} s`;
        out.push(
          `<rect x="${(bx + 1).toFixed(1)}" y="${yTop.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(base - yTop).toFixed(1)}" fill="${COLORS[variant]}"><title>${variant} ${kind} ${outageMs / 1000} s: median ${ms(med)}, recovered ${s.recovered}/${s.runs}</title></rect>`,
          `<text transform="translate(${(bx + barW / 2 + 4).toFixed(1)} ${(yTop - 4).toFixed(1)}) rotate(-90)" font-size="10" fill="#222">${label}${failedRuns > 0 ? ` (${s.recovered}/${s.runs})` : ''}</text>`,
        );
      });
    });
    out.push(
      `<text x="${x0 + panelW / 2}" y="${top + panelH + 38}" text-anchor="middle" fill="#333">outage length</text>`,
    );
  });
  const ly = top + panelH + 58;
  variants.forEach((variant, i) => {
    const lx = left + (i % 2) * 470;
    const yy = ly + Math.floor(i / 2) * 22;
    out.push(
      `<rect x="${lx}" y="${yy}" width="14" height="14" fill="${COLORS[variant]}"/>`,
      `<text x="${lx + 20}" y="${yy + 11}">${escapeXml(SHORT[variant])}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
