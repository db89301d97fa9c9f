import { describe, expect, it } from 'vitest';
import {
  ALL_CASES,
  caseLabel,
  CHROMIUM_PAIR,
  NETWORKS,
  pairingName,
  PAIRINGS,
  parseBrowsers,
  parseCase,
  planCases,
  QUICK,
} from './cases.js';

const FIREFOX = { a: 'firefox', b: 'firefox' } as const;
const CR_FF = { a: 'chromium', b: 'firefox' } as const;

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
    // --quick runs in the test suite: no NAT case, no Firefox.
    expect(QUICK.cases).toEqual(['media:3', 'mass-restart:2']);
  });
});

describe('parseBrowsers', () => {
  it('reads one browser for both peers, or A-B', () => {
    expect(parseBrowsers('chromium')).toEqual(CHROMIUM_PAIR);
    expect(parseBrowsers('firefox')).toEqual(FIREFOX);
    expect(parseBrowsers(' chromium-firefox')).toEqual(CR_FF);
    expect(parseBrowsers('firefox-chromium')).toEqual({ a: 'firefox', b: 'chromium' });
    expect(parseBrowsers('firefox-firefox')).toEqual(FIREFOX);
  });

  it('names what is wrong', () => {
    expect(() => parseBrowsers('safari')).toThrow(/safari: expected chromium, firefox/);
    expect(() => parseBrowsers('chromium-firefox-chromium')).toThrow(/expected/);
    expect(() => parseBrowsers('')).toThrow(/expected/);
  });

  it('gives back the name it parsed', () => {
    for (const name of PAIRINGS) expect(pairingName(parseBrowsers(name))).toBe(name);
  });
});

describe('planCases', () => {
  it('runs every case in Chromium ↔ Chromium by default, with its default variants', () => {
    expect(planCases(['srflx:10', 'readdress'])).toEqual([
      {
        case: { kind: 'srflx', outageMs: 10_000 },
        browsers: CHROMIUM_PAIR,
        variants: ['a', 'b', 'c', 'd', 'e'],
      },
      { case: { kind: 'readdress', outageMs: 0 }, browsers: CHROMIUM_PAIR, variants: ['c'] },
    ]);
  });

  it('runs each pairing in turn, dropping the cases Firefox does not run', () => {
    const plan = planCases(
      ['media:10', 'linkdown:10', 'cost:10', 'relay:10'],
      ['c'],
      [CHROMIUM_PAIR, FIREFOX, CR_FF],
    );
    expect(plan.map((p) => `${pairingName(p.browsers)} ${p.case.kind}`)).toEqual([
      'chromium media',
      'chromium linkdown',
      'chromium cost',
      'chromium relay',
      'firefox media',
      'firefox relay',
      'chromium-firefox media',
      'chromium-firefox relay',
    ]);
    expect(plan.every((p) => p.variants.join() === 'c')).toBe(true);
  });

  it('leaves nothing when no case runs in the pairings asked for', () => {
    expect(planCases(['mass-restart:2', 'cost:1'], undefined, [FIREFOX])).toEqual([]);
  });

  it('keeps --variants to those a case can run', () => {
    expect(planCases(['mass-restart:2', 'relay:10'], ['a', 'c'])).toEqual([
      {
        case: { kind: 'mass-restart', calls: 2, outageMs: 0 },
        browsers: CHROMIUM_PAIR,
        variants: ['c'],
      },
      { case: { kind: 'relay', outageMs: 10_000 }, browsers: CHROMIUM_PAIR, variants: ['a', 'c'] },
    ]);
    expect(() => planCases(['media:3'], ['x' as 'a'])).toThrow('unknown variant x');
  });
});

describe('caseLabel', () => {
  it('names the pairing unless it is Chromium on both sides', () => {
    expect(caseLabel({ kind: 'relay', outageMs: 30_000 })).toBe('relay 30 s');
    expect(caseLabel({ kind: 'media', outageMs: 10_000 }, CHROMIUM_PAIR)).toBe('media 10 s');
    expect(caseLabel({ kind: 'media', outageMs: 10_000 }, FIREFOX)).toBe(
      'media 10 s · firefox ↔ firefox',
    );
    expect(caseLabel({ kind: 'readdress', outageMs: 0 }, CR_FF)).toBe(
      'readdress · chromium ↔ firefox',
    );
  });
});
