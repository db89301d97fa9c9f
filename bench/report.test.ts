import { describe, expect, it } from 'vitest';
import { cell, formatMarkdown, formatTable, stat, summarize } from './report';
import { renderSvg } from './svg';
import type { RunRecord } from './runner';

const record = (
  variant: RunRecord['variant'],
  restoreToFrame: number | null,
  overrides: Partial<RunRecord> = {},
): RunRecord => ({
  variant,
  kind: 'media',
  outageMs: 3000,
  run: 1,
  window: { cutBeganAt: 0, cutAt: 10, restoreBeganAt: 3000, restoredAt: 3010 },
  figures: {
    cutToRecoveryStarted: 1500,
    restoreToConnected: 100,
    restoreToMessage: 700,
    restoreToFrame,
    recovered: restoreToFrame !== null,
    offers: 2,
  },
  peers: null,
  path: null,
  browsers: { a: 'chromium', b: 'chromium' },
  bundle: 'test',
  ...overrides,
});

describe('stat', () => {
  it('gives median, nearest-rank p95, min and max', () => {
    expect(stat([5, 1, 3, 2, 4])).toEqual({ n: 5, missing: 0, median: 3, p95: 5, min: 1, max: 5 });
    expect(stat([1, 2, 3, 4]).median).toBe(3); // (2 + 3) / 2 rounded
  });

  it('counts a missing figure as slower than any value', () => {
    expect(stat([100, null, null])).toEqual({
      n: 3,
      missing: 2,
      median: null,
      p95: null,
      min: 100,
      max: null,
    });
    expect(stat([100, 200, null]).median).toBe(200);
  });

  it('handles no values', () => {
    expect(stat([])).toEqual({ n: 0, missing: 0, median: null, p95: null, min: null, max: null });
  });
});

describe('summaries', () => {
  it('groups by variant and case, counts success and set-up errors apart', () => {
    const summaries = summarize([
      record('c', 120),
      record('c', null),
      record('a', 3000),
      record('a', null, { figures: null, error: 'call did not come up' }),
    ]);
    expect(summaries.map((s) => [s.variant, s.runs, s.recovered, s.errors])).toEqual([
      ['a', 1, 1, 1],
      ['c', 2, 1, 0],
    ]);
    expect(cell(summaries[1]?.restoreToFrame ?? stat([]), '>60 s')).toBe(
      '>60 s / >60 s (120 ms–>60 s)',
    );
    expect(formatMarkdown(summaries)).toContain('| a | media 3 s | 1/1 (+1 err) |');
  });

  it('keeps the pairings of one case apart, Chromium ↔ Chromium first, and names the others', () => {
    const firefox = { browsers: { a: 'firefox', b: 'firefox' } } as const;
    const summaries = summarize([
      record('c', 400, { ...firefox, kind: 'media', outageMs: 10_000 }),
      record('c', 300, { kind: 'relay', outageMs: 10_000 }),
      record('c', 200, { kind: 'media', outageMs: 10_000 }),
      record('a', 250, { kind: 'media', outageMs: 10_000 }),
    ]);
    expect(summaries.map((s) => [s.variant, s.kind, s.browsers.b])).toEqual([
      ['a', 'media', 'chromium'],
      ['c', 'media', 'chromium'],
      ['c', 'media', 'firefox'],
      ['c', 'relay', 'chromium'],
    ]);
    const markdown = formatMarkdown(summaries);
    expect(markdown).toContain('| c | media 10 s | 1/1 |');
    expect(markdown).toContain('| c | media 10 s · firefox ↔ firefox | 1/1 |');
    expect(markdown).toContain('| c | relay 10 s | 1/1 |');
    // A blank line between case labels in the terminal table, so pairings read apart.
    expect(
      formatTable(summaries)
        .split('\n')
        .filter((line) => line === ''),
    ).toHaveLength(2);
  });

  it('draws one panel per kind and pairing', () => {
    const svg = renderSvg(
      summarize([
        record('c', 200, { kind: 'media', outageMs: 10_000 }),
        record('c', 400, {
          kind: 'media',
          outageMs: 10_000,
          browsers: { a: 'chromium', b: 'firefox' },
        }),
        record('c', 300, { kind: 'srflx', outageMs: 10_000 }),
      ]),
      { subtitle: 'test' },
    );
    expect(svg).toContain('>Media path cut (signaling up)</text>');
    expect(svg).toContain('>Media path cut (signaling up) · chromium ↔ firefox</text>');
    expect(svg).toContain('>Every path cut, both behind NATs (srflx)</text>');
    expect(svg).toContain('400 ms');
  });

  it('renders an SVG with a bar per variant and a mark for a run that never recovered', () => {
    const svg = renderSvg(summarize([record('a', 3000), record('c', null)]), { subtitle: 'test' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('3.0 s');
    expect(svg).toContain('not recovered');
    expect(svg).not.toContain('NaN');
  });
});
