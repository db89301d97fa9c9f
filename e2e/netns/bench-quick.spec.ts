// Keeps the benchmark from rotting: runs its `--quick` mode (bench/runner.ts, one run of 3 s and
// 10 s media cuts for the MDN-naive handler and resilient-peer's defaults) in the normal suite
// and checks that every run produced its figures. Nothing here asserts how fast anything is;
// `npm run bench` measures that. Writes no result files.

import { expect, test } from '@playwright/test';
import { formatTable, summarize } from '../../bench/report';
import { caseName, netnsUnavailableReason, QUICK, runBenchmark } from '../../bench/runner';

const unavailable = netnsUnavailableReason();
if (unavailable && process.env.RP_REQUIRE_NETNS === '1') {
  // In CI a missing prerequisite must not pass silently as a skip.
  throw new Error(`RP_REQUIRE_NETNS=1 but network namespaces are unavailable: ${unavailable}`);
}

test.describe('benchmark --quick', () => {
  test.skip(unavailable !== undefined, `network namespaces unavailable: ${unavailable ?? ''}`);

  test('produces figures for every run', async () => {
    test.setTimeout(240_000);
    const lines: string[] = [];
    const { records, chromium } = await runBenchmark({
      ...QUICK,
      lockWaitMs: 120_000,
      log: (line) => lines.push(line),
    });
    console.log(`Chromium ${chromium}\n${lines.join('\n')}\n${formatTable(summarize(records))}`);

    expect(records).toHaveLength(QUICK.runs * QUICK.cases.length * QUICK.variants.length);
    for (const record of records) {
      const label = `${record.variant} ${caseName(record)} run ${record.run}`;
      expect(record.error, `${label}: set-up error`).toBeUndefined();
      const f = record.figures;
      expect(f, `${label}: figures`).not.toBeNull();
      if (f === null) continue;
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
      // The library's stall probe starts recovery inside any cut of 3 s or more; the naive
      // handler never does before Chromium's `failed`, so its start figure may be missing.
      if (record.variant === 'c') {
        expect(f.cutToRecoveryStarted, `${label}: recovery started`).not.toBeNull();
      }
    }
  });
});
