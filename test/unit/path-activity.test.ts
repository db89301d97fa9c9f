import { describe, expect, it } from 'vitest';
import { hasNewActivity, hasNewPayload, selectedPathActivity } from './path-activity';

/** A getStats()-like report from a list of stats objects, keyed by id. */
function report(...stats: Record<string, unknown>[]): Map<string, Record<string, unknown>> {
  return new Map(stats.map((entry) => [String(entry.id), entry]));
}

const transport = (selectedCandidatePairId?: string) => ({
  id: 'T01',
  type: 'transport',
  selectedCandidatePairId,
});

const pair = (id: string, counters: Record<string, unknown> = {}, selected?: boolean) => ({
  id,
  type: 'candidate-pair',
  selected,
  ...counters,
});

describe('selectedPathActivity', () => {
  it('sums bytes, packets and STUN requests and responses of the selected pair', () => {
    const activity = selectedPathActivity(
      report(
        transport('CP2'),
        pair('CP1', { bytesReceived: 1_000_000 }),
        pair('CP2', {
          bytesReceived: 1000,
          packetsReceived: 10,
          requestsReceived: 3,
          responsesReceived: 2,
        }),
      ),
    );
    expect(activity).toMatchObject({ pairId: 'CP2', received: 1015 });
  });

  it('counts STUN traffic on an idle data-only call', () => {
    const activity = selectedPathActivity(
      report(transport('CP1'), pair('CP1', { bytesReceived: 0, requestsReceived: 4 })),
    );
    expect(activity).toMatchObject({ pairId: 'CP1', received: 4 });
  });

  it('treats missing or non-finite counters as zero', () => {
    const activity = selectedPathActivity(
      report(
        transport('CP1'),
        pair('CP1', { bytesReceived: Number.NaN, packetsReceived: '7', responsesReceived: 5 }),
      ),
    );
    expect(activity).toMatchObject({ pairId: 'CP1', received: 5 });
  });

  it('falls back to the pair marked selected when no transport names one', () => {
    const activity = selectedPathActivity(
      report(
        transport(),
        pair('CP1', { bytesReceived: 9 }, false),
        pair('CP2', { bytesReceived: 7 }, true),
      ),
    );
    expect(activity).toMatchObject({ pairId: 'CP2', received: 7 });
  });

  it('prefers the transport link over a pair marked selected', () => {
    const activity = selectedPathActivity(
      report(
        transport('CP1'),
        pair('CP1', { bytesReceived: 1 }),
        pair('CP2', { bytesReceived: 2 }, true),
      ),
    );
    expect(activity?.pairId).toBe('CP1');
  });

  it('returns null when no pair is selected', () => {
    expect(selectedPathActivity(report(transport(), pair('CP1', { bytesReceived: 5 })))).toBeNull();
    expect(selectedPathActivity(new Map())).toBeNull();
  });

  it('returns null when the selected pair is missing from the report', () => {
    expect(selectedPathActivity(report(transport('CP9'), pair('CP1')))).toBeNull();
  });
});

describe('hasNewActivity', () => {
  it('reports growth on the same pair', () => {
    expect(
      hasNewActivity(
        { pairId: 'A', received: 10, payload: 0 },
        { pairId: 'A', received: 11, payload: 0 },
      ),
    ).toBe(true);
  });

  it('reports nothing when the counters stood still', () => {
    expect(
      hasNewActivity(
        { pairId: 'A', received: 10, payload: 0 },
        { pairId: 'A', received: 10, payload: 0 },
      ),
    ).toBe(false);
  });

  it('counts a changed pair that received something as news', () => {
    expect(
      hasNewActivity(
        { pairId: 'A', received: 100, payload: 0 },
        { pairId: 'B', received: 1, payload: 0 },
      ),
    ).toBe(true);
    expect(
      hasNewActivity(
        { pairId: 'A', received: 100, payload: 0 },
        { pairId: 'B', received: 0, payload: 0 },
      ),
    ).toBe(false);
  });

  it('counts a first snapshot with traffic as news', () => {
    expect(hasNewActivity(null, { pairId: 'A', received: 1, payload: 0 })).toBe(true);
    expect(hasNewActivity(null, { pairId: 'A', received: 0, payload: 0 })).toBe(false);
  });

  it('reports nothing when no pair is selected now', () => {
    expect(hasNewActivity({ pairId: 'A', received: 1, payload: 0 }, null)).toBe(false);
    expect(hasNewActivity(null, null)).toBe(false);
  });
});

describe('hasNewPayload', () => {
  it('counts media and data but not STUN', () => {
    const before = { pairId: 'A', received: 10, payload: 5 };
    expect(hasNewPayload(before, { pairId: 'A', received: 12, payload: 5 })).toBe(false);
    expect(hasNewPayload(before, { pairId: 'A', received: 12, payload: 6 })).toBe(true);
    expect(hasNewPayload(before, { pairId: 'B', received: 1, payload: 1 })).toBe(true);
    expect(hasNewPayload(null, null)).toBe(false);
  });
});
