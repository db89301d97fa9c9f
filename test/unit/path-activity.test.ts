import { describe, expect, it } from 'vitest';
import {
  busiestPayloadPair,
  compareSnapshots,
  pairPath,
  readPathSnapshot,
  selectedPath,
  type PathSnapshot,
} from '../../src/path-activity.js';

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
  localCandidateId: `L${id}`,
  remoteCandidateId: `R${id}`,
  selected,
  ...counters,
});

const local = (pairId: string, fields: Record<string, unknown>) => ({
  id: `L${pairId}`,
  type: 'local-candidate',
  ...fields,
});

const remote = (pairId: string, candidateType: unknown) => ({
  id: `R${pairId}`,
  type: 'remote-candidate',
  candidateType,
});

/** The candidates of a host-to-host UDP path for `pairId`. */
const hostPath = (pairId: string) => [
  local(pairId, { candidateType: 'host', protocol: 'udp' }),
  remote(pairId, 'host'),
];

function snapshot(pairs: Record<string, [received: number, payload: number]>): PathSnapshot {
  return new Map(
    Object.entries(pairs).map(([id, [received, payload]]) => [id, { received, payload }]),
  );
}

describe('readPathSnapshot', () => {
  it('sums bytes, packets and STUN requests and responses of every pair', () => {
    const counters = readPathSnapshot(
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
    expect(counters).toEqual(
      new Map([
        ['CP1', { received: 1_000_000, payload: 1_000_000 }],
        ['CP2', { received: 1015, payload: 1010 }],
      ]),
    );
  });

  it('counts STUN traffic on an idle data-only call, but not as payload', () => {
    const counters = readPathSnapshot(
      report(transport('CP1'), pair('CP1', { bytesReceived: 0, requestsReceived: 4 })),
    );
    expect(counters.get('CP1')).toEqual({ received: 4, payload: 0 });
  });

  it("counts Firefox's lastPacketReceivedTimestamp as something received", () => {
    const counters = readPathSnapshot(report(pair('CP1', { lastPacketReceivedTimestamp: 1234.5 })));
    expect(counters.get('CP1')).toEqual({ received: 1234.5, payload: 0 });
  });

  it('treats missing or non-finite counters as zero', () => {
    const counters = readPathSnapshot(
      report(
        transport('CP1'),
        pair('CP1', {
          bytesReceived: Number.NaN,
          packetsReceived: '7',
          requestsReceived: Number.POSITIVE_INFINITY,
          responsesReceived: 5,
        }),
      ),
    );
    expect(counters.get('CP1')).toEqual({ received: 5, payload: 0 });
  });

  it('ignores everything that is not a candidate pair with an id', () => {
    const counters = readPathSnapshot(
      new Map<string, Record<string, unknown>>([
        ['T01', transport('CP1')],
        ['in', { id: 'in', type: 'inbound-rtp', bytesReceived: 99 }],
        ['x', { type: 'candidate-pair', bytesReceived: 5 }],
      ]),
    );
    expect(counters.size).toBe(0);
  });
});

describe('compareSnapshots', () => {
  it('reports growth on the same pair', () => {
    expect(compareSnapshots(snapshot({ A: [10, 0] }), snapshot({ A: [11, 0] }))).toEqual({
      fresh: true,
      freshPayload: false,
    });
  });

  it('reports nothing when the counters stood still', () => {
    expect(compareSnapshots(snapshot({ A: [10, 0] }), snapshot({ A: [10, 0] }))).toEqual({
      fresh: false,
      freshPayload: false,
    });
  });

  it('counts a new pair that received something as news', () => {
    expect(
      compareSnapshots(snapshot({ A: [100, 0] }), snapshot({ A: [100, 0], B: [1, 0] })).fresh,
    ).toBe(true);
    expect(
      compareSnapshots(snapshot({ A: [100, 0] }), snapshot({ A: [100, 0], B: [0, 0] })).fresh,
    ).toBe(false);
  });

  it('counts a first snapshot with traffic as news', () => {
    expect(compareSnapshots(null, snapshot({ A: [1, 0] })).fresh).toBe(true);
    expect(compareSnapshots(null, snapshot({ A: [0, 0] })).fresh).toBe(false);
  });

  it('reports nothing when there is no pair now', () => {
    expect(compareSnapshots(snapshot({ A: [1, 0] }), new Map())).toEqual({
      fresh: false,
      freshPayload: false,
    });
    expect(compareSnapshots(null, new Map()).fresh).toBe(false);
  });

  it('counts media and data as payload but not STUN', () => {
    const before = snapshot({ A: [10, 5] });
    expect(compareSnapshots(before, snapshot({ A: [12, 5] })).freshPayload).toBe(false);
    expect(compareSnapshots(before, snapshot({ A: [12, 6] })).freshPayload).toBe(true);
    expect(compareSnapshots(before, snapshot({ A: [10, 5], B: [1, 1] })).freshPayload).toBe(true);
  });

  it('sees media flowing on another pair while an old one stays selected', () => {
    // Chromium may keep the old generation's pair selected after an ICE restart.
    const before = snapshot({ old: [5000, 4000], next: [10, 0] });
    const after = snapshot({ old: [5000, 4000], next: [900, 800] });
    expect(compareSnapshots(before, after)).toEqual({ fresh: true, freshPayload: true });
  });

  it('does not count a switch back to an older pair with old counters as news', () => {
    // The remote went away and Chromium selected an older pair whose counters are non-zero.
    const before = snapshot({ old: [5000, 4000], current: [700, 600] });
    const after = snapshot({ old: [5000, 4000], current: [700, 600] });
    expect(compareSnapshots(before, after)).toEqual({ fresh: false, freshPayload: false });
  });
});

describe('busiestPayloadPair', () => {
  it('names the pair whose media and data grew most, STUN not counted', () => {
    const before = snapshot({ OLD: [100, 50], NEW: [10, 0] });
    // The old pair still gets checks (received grows), the new one carries the media.
    expect(busiestPayloadPair(before, snapshot({ OLD: [200, 50], NEW: [40, 30] }))).toBe('NEW');
    expect(busiestPayloadPair(before, snapshot({ OLD: [200, 90], NEW: [40, 30] }))).toBe('OLD');
  });

  it('is null when no payload grew, and counts a new pair from zero', () => {
    expect(busiestPayloadPair(snapshot({ A: [1, 5] }), snapshot({ A: [9, 5] }))).toBeNull();
    expect(busiestPayloadPair(snapshot({ A: [1, 5] }), snapshot({ A: [1, 5], B: [3, 2] }))).toBe(
      'B',
    );
    expect(busiestPayloadPair(null, snapshot({ A: [1, 0] }))).toBeNull();
  });
});

describe('pairPath', () => {
  it('describes any pair, selected or not', () => {
    const stats = report(
      transport('CP1'),
      pair('CP1'),
      pair('CP2'),
      ...hostPath('CP1'),
      local('CP2', { candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' }),
      remote('CP2', 'srflx'),
    );
    expect(pairPath(stats, 'CP2')).toEqual({
      local: 'relay',
      remote: 'srflx',
      protocol: 'udp',
      relayProtocol: 'tcp',
    });
    expect(pairPath(stats, 'nope')).toBeNull();
  });
});

describe('selectedPath', () => {
  it('describes the pair the transport selected', () => {
    const path = selectedPath(
      report(
        transport('CP2'),
        pair('CP1'),
        pair('CP2'),
        ...hostPath('CP1'),
        local('CP2', { candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls' }),
        remote('CP2', 'srflx'),
      ),
    );
    expect(path).toEqual({
      local: 'relay',
      remote: 'srflx',
      protocol: 'udp',
      relayProtocol: 'tls',
    });
  });

  it('leaves out a relay protocol that is not udp, tcp or tls', () => {
    const path = selectedPath(
      report(
        transport('CP1'),
        pair('CP1'),
        local('CP1', { candidateType: 'prflx', protocol: 'tcp', relayProtocol: 'quic' }),
        remote('CP1', 'host'),
      ),
    );
    expect(path).toEqual({ local: 'prflx', remote: 'host', protocol: 'tcp' });
  });

  it('falls back to the pair marked selected when no transport names one', () => {
    const path = selectedPath(
      report(
        transport(),
        pair('CP1', {}, false),
        pair('CP2', {}, true),
        local('CP1', { candidateType: 'relay', protocol: 'udp' }),
        remote('CP1', 'relay'),
        ...hostPath('CP2'),
      ),
    );
    expect(path).toEqual({ local: 'host', remote: 'host', protocol: 'udp' });
  });

  it('prefers the transport link over a pair marked selected', () => {
    const path = selectedPath(
      report(
        transport('CP1'),
        pair('CP1'),
        pair('CP2', {}, true),
        local('CP1', { candidateType: 'srflx', protocol: 'udp' }),
        remote('CP1', 'srflx'),
        ...hostPath('CP2'),
      ),
    );
    expect(path?.local).toBe('srflx');
  });

  it('returns null when no pair is selected', () => {
    expect(selectedPath(report(transport(), pair('CP1'), ...hostPath('CP1')))).toBeNull();
    expect(selectedPath(new Map())).toBeNull();
  });

  it('returns null when the selected pair is missing from the report', () => {
    expect(selectedPath(report(transport('CP9'), pair('CP1'), ...hostPath('CP1')))).toBeNull();
  });

  it('returns null when a candidate type or the protocol is unknown', () => {
    const withLocal = (fields: Record<string, unknown>) =>
      selectedPath(
        report(transport('CP1'), pair('CP1'), local('CP1', fields), remote('CP1', 'host')),
      );
    expect(withLocal({ candidateType: 'magic', protocol: 'udp' })).toBeNull();
    expect(withLocal({ candidateType: 'host', protocol: 'sctp' })).toBeNull();
    expect(
      selectedPath(
        report(
          transport('CP1'),
          pair('CP1'),
          local('CP1', { candidateType: 'host', protocol: 'udp' }),
          remote('CP1', undefined),
        ),
      ),
    ).toBeNull();
  });
});
