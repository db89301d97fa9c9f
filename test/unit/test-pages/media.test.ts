import { describe, expect, it } from 'vitest';
import { newFrames } from '../../../e2e/pages/shared/media.js';

const streams = (entries: Record<string, number>): Map<string, number> =>
  new Map(Object.entries(entries));

describe('newFrames', () => {
  it('counts what each stream decoded since the last look', () => {
    expect(newFrames(streams({ v1: 10, v2: 4 }), streams({ v1: 13, v2: 4 }))).toBe(3);
    expect(newFrames(streams({ v1: 10 }), streams({ v1: 10 }))).toBe(0);
  });

  it('counts a stream seen for the first time from 0', () => {
    expect(newFrames(new Map(), streams({ v1: 5 }))).toBe(5);
    expect(newFrames(streams({ v1: 90 }), streams({ v1: 91, v2: 2 }))).toBe(3);
  });

  it('counts a counter that started again (a re-created receive stream) as new frames', () => {
    // The connection's total fell from 90 to 3, yet 3 frames were decoded.
    expect(newFrames(streams({ v1: 90 }), streams({ v1: 3 }))).toBe(3);
    expect(newFrames(streams({ v1: 90 }), streams({ v1: 0 }))).toBe(0);
  });

  it('ignores streams that went away', () => {
    expect(newFrames(streams({ v1: 90, v2: 7 }), streams({ v2: 7 }))).toBe(0);
  });
});
