import { describe, expect, it } from 'vitest';
import { cell, formatMarkdown, stat, summarize } from './report';
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

  it('renders an SVG with a bar per variant and a mark for a run that never recovered', () => {
    const svg = renderSvg(summarize([record('a', 3000), record('c', null)]), { subtitle: 'test' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('3.0 s');
    expect(svg).toContain('not recovered');
    expect(svg).not.toContain('NaN');
  });
});
