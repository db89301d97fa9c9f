import { describe, expect, it } from 'vitest';
import { ALL_CASES, NETWORKS, parseCase, planCases, QUICK } from './cases.js';

describe('parseCase', () => {
  it('reads every kind', () => {
    expect(parseCase('media:3')).toEqual({ kind: 'media', outageMs: 3000 });
    expect(parseCase(' full:0.5 ')).toEqual({ kind: 'full', outageMs: 500 });
    expect(parseCase('readdress')).toEqual({ kind: 'readdress', outageMs: 0 });
    expect(parseCase('mass-cut:10')).toEqual({ kind: 'mass-cut', calls: 10, outageMs: 10_000 });
    expect(parseCase('mass-cut:10:3')).toEqual({ kind: 'mass-cut', calls: 10, outageMs: 3000 });
    expect(parseCase('cost:25')).toEqual({ kind: 'cost', calls: 25 });
  });

  it('reads the NAT cases, each with its network', () => {
    expect(parseCase('srflx:10')).toEqual({ kind: 'srflx', outageMs: 10_000 });
    expect(parseCase('relay:30')).toEqual({ kind: 'relay', outageMs: 30_000 });
    expect(NETWORKS.srflx).toEqual({ kind: 'nat', a: 'eim', b: 'eim' });
    expect(NETWORKS.relay).toEqual({ kind: 'nat', a: 'eim', b: 'symmetric' });
    expect(NETWORKS.media).toEqual({ kind: 'flat' });
  });

  it('names what is wrong', () => {
    expect(() => parseCase('srflx')).toThrow('srflx: wrong number of fields');
    expect(() => parseCase('relay:0')).toThrow('relay:0: expected seconds as a positive number');
    expect(() => parseCase('relay:10:2')).toThrow('wrong number of fields');
    expect(() => parseCase('turn:10')).toThrow(/turn:10: expected .*srflx:S, relay:S/);
  });

  it('parses every case of the full benchmark and of --quick', () => {
    expect(() => ALL_CASES.map(parseCase)).not.toThrow();
    expect(ALL_CASES).toEqual(expect.arrayContaining(['srflx:10', 'srflx:30', 'relay:30']));
    // --quick runs in the test suite: no NAT case.
    expect(QUICK.cases).toEqual(['media:3', 'mass-restart:2']);
  });
});

describe('planCases', () => {
  it('runs every case with its default variants', () => {
    expect(planCases(['srflx:10', 'readdress'])).toEqual([
      { case: { kind: 'srflx', outageMs: 10_000 }, variants: ['a', 'b', 'c', 'd', 'e'] },
      { case: { kind: 'readdress', outageMs: 0 }, variants: ['c'] },
    ]);
  });

  it('keeps --variants to those a case can run', () => {
    expect(planCases(['mass-restart:2', 'relay:10'], ['a', 'c'])).toEqual([
      { case: { kind: 'mass-restart', calls: 2, outageMs: 0 }, variants: ['c'] },
      { case: { kind: 'relay', outageMs: 10_000 }, variants: ['a', 'c'] },
    ]);
    expect(() => planCases(['media:3'], ['x' as 'a'])).toThrow('unknown variant x');
  });
});
