// Keeps the benchmark from rotting: runs its `--quick` mode (bench/runner.ts: one run of a 3 s
// media cut for the MDN-naive handler and resilient-peer's defaults, and a mass restart of
// two library calls per page) in the normal suite and checks that every run produced its
// figures. Nothing here asserts how fast anything is; `npm run bench` measures that. Writes no
// result files.

import { expect, test } from '@playwright/test';
import {
  caseName,
  netnsUnavailableReason,
  QUICK,
  runBenchmark,
  type Figures,
} from '../../bench/runner';
import { formatOutcome, summarizeOutcome } from '../../bench/results';

const unavailable = netnsUnavailableReason();
if (unavailable && process.env.RP_REQUIRE_NETNS === '1') {
  // In CI a missing prerequisite must not pass silently as a skip.
  throw new Error(`RP_REQUIRE_NETNS=1 but network namespaces are unavailable: ${unavailable}`);
}

/** Every restore figure of `f` was measured. */
function expectMeasured(f: Figures | null, label: string): void {
  expect(f, `${label}: figures`).not.toBeNull();
  if (f === null) return;
  expect(
    {
      restoreToConnected: typeof f.restoreToConnected,
      restoreToMessage: typeof f.restoreToMessage,
      restoreToFrame: typeof f.restoreToFrame,
      offers: typeof f.offers,
    },
    `${label}: every restore figure measured`,
  ).toEqual({
    restoreToConnected: 'number',
    restoreToMessage: 'number',
    restoreToFrame: 'number',
    offers: 'number',
  });
}

test.describe('benchmark --quick', () => {
  test.skip(unavailable !== undefined, `network namespaces unavailable: ${unavailable ?? ''}`);

  test('produces figures for every run', async () => {
    test.setTimeout(240_000);
    const lines: string[] = [];
    const outcome = await runBenchmark({
      ...QUICK,
      lockWaitMs: 120_000,
      log: (line) => lines.push(line),
    });
    console.log(
      `Chromium ${outcome.chromium}\n${lines.join('\n')}\n${formatOutcome(summarizeOutcome(outcome))}`,
    );

    const planned = (kind: (c: (typeof QUICK.plan)[number]['case']) => boolean): number =>
      QUICK.plan.filter((p) => kind(p.case)).reduce((n, p) => n + p.variants.length, 0);
    expect(outcome.records).toHaveLength(planned((c) => c.kind === 'media'));
    for (const record of outcome.records) {
      const label = `${record.variant} ${caseName(record)} run ${record.run}`;
      expect(record.error, `${label}: set-up error`).toBeUndefined();
      expectMeasured(record.figures, label);
      // The library's stall probe starts recovery inside any cut of 3 s or more; the naive
      // handler never does before Chromium's `failed`, so its start figure may be missing.
      if (record.variant === 'c') {
        expect(record.figures?.cutToRecoveryStarted, `${label}: recovery started`).not.toBeNull();
      }
    }

    expect(outcome.mass).toHaveLength(planned((c) => c.kind === 'mass-restart'));
    for (const record of outcome.mass) {
      const label = `${record.variant} ${caseName(record)} run ${record.run}`;
      expect(record.error, `${label}: set-up error`).toBeUndefined();
      expect(record.pairs, `${label}: one record per call`).toHaveLength(record.calls);
      for (const [i, pair] of (record.pairs ?? []).entries()) {
        expectMeasured(pair.figures, `${label} pair ${i}`);
        expect(pair.figures.cutToRecoveryStarted, `${label} pair ${i}: restarted`).not.toBeNull();
      }
      for (const cpu of [record.cpu?.healthy, record.cpu?.incident]) {
        expect(cpu?.a.totalPct, `${label}: CPU of a's browser`).toBeGreaterThan(0);
        expect(cpu?.b.totalPct, `${label}: CPU of b's browser`).toBeGreaterThan(0);
      }
    }
  });
});
