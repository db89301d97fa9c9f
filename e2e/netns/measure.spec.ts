// Measures the Chromium facts the library's defaults rest on, with plain RTCPeerConnection pages
// and real cuts. Slow (~6 min), so it runs only with RP_MEASURE=1; results go to the console and
// to the test's attachments as JSON.

import { test } from '@playwright/test';
import type { Harness, Peer, TimelineEvent } from './harness';
import { netnsUnavailableReason, PEERS, setUpHarness } from './harness';
import { openPlainCall, type PairSample } from './plain-call';
import { sleep } from './sh';

const FIELDS = [
  'bytesReceived',
  'packetsReceived',
  'requestsReceived',
  'responsesReceived',
  'lastPacketReceivedTimestamp',
] as const;

test.describe.configure({ mode: 'serial' });
test.skip(process.env.RP_MEASURE !== '1', 'measurements run only with RP_MEASURE=1');
const unavailable = netnsUnavailableReason();
test.skip(unavailable !== undefined, `network namespaces unavailable: ${unavailable ?? ''}`);

let harness: Harness;
test.beforeAll(async () => {
  harness = await setUpHarness();
});
test.afterAll(async () => {
  await harness.teardown();
});

async function report(name: string, result: unknown): Promise<void> {
  const body = JSON.stringify(result, null, 2);
  console.log(`\n=== ${name}\n${body}`);
  await test.info().attach(name, { body, contentType: 'application/json' });
}

/** Largest time during which none of `fields` changed, from consecutive change times. */
function largestQuietGap(samples: readonly PairSample[], fields: readonly (keyof PairSample)[]) {
  const changes: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const [before, now] = [samples[i - 1], samples[i]];
    if (!before || !now) continue;
    if (before.id !== now.id)
      changes.push(now.t); // a new pair counts as a change
    else if (fields.some((f) => before[f] !== now[f])) changes.push(now.t);
  }
  let gap = 0;
  for (let i = 1; i < changes.length; i++)
    gap = Math.max(gap, (changes[i] ?? 0) - (changes[i - 1] ?? 0));
  const first = samples[0]?.t ?? 0;
  const last = samples.at(-1)?.t ?? 0;
  return {
    largestGapMs: gap,
    changes: changes.length,
    // Open-ended stretches at the window's edges, lower bounds only.
    leadingMs: (changes[0] ?? last) - first,
    trailingMs: last - (changes.at(-1) ?? first),
  };
}

function summarizeSamples(samples: readonly PairSample[]) {
  const intervals = samples.slice(1).map((s, i) => s.t - (samples[i]?.t ?? s.t));
  const perField = Object.fromEntries(FIELDS.map((f) => [f, largestQuietGap(samples, [f])]));
  const frames = (samples.at(-1)?.framesDecoded ?? 0) - (samples[0]?.framesDecoded ?? 0);
  const seconds = ((samples.at(-1)?.t ?? 0) - (samples[0]?.t ?? 0)) / 1000;
  return {
    samples: samples.length,
    pairIds: [...new Set(samples.map((s) => s.id))],
    maxSampleIntervalMs: Math.max(...intervals),
    anyField: largestQuietGap(samples, FIELDS),
    perField,
    lastPacketReceivedTimestampPresent: samples.some(
      (s) => s.lastPacketReceivedTimestamp !== undefined,
    ),
    decodedFps: Math.round((frames / seconds) * 10) / 10,
  };
}

test('(1) largest stats gap on the selected pair: idle call and 30 fps video', async () => {
  test.setTimeout(240_000);
  const result: Record<string, unknown> = {};
  for (const video of [false, true]) {
    await harness.resetTrial();
    await openPlainCall(harness, { video, seqMs: 0 });
    await sleep(2_000); // let the first checks and the initial bandwidth ramp settle
    const [a, b] = await Promise.all(
      PEERS.map((peer) => harness.pages[peer].evaluate(() => window.rpt.sampleStats(30_000, 100))),
    );
    result[video ? 'video30fps' : 'idle'] = {
      a: summarizeSamples(a ?? []),
      b: summarizeSamples(b ?? []),
    };
  }
  await report('stats-gaps', result);
});

const isState = (state: string) => (data: Readonly<Record<string, unknown>>) =>
  data.state === state;

/** The transitions of the native states on both sides from `since`, as ms after `since`. */
function transitions(events: readonly TimelineEvent[], since: number) {
  return events
    .filter(
      (e) =>
        e.t >= since &&
        ['connectionState', 'iceConnectionState', 'signalingState'].includes(e.event),
    )
    .map((e) => `${e.t - since} ${e.source} ${e.event}=${String(e.data.state)}`);
}

async function firstMessageAfter(peer: Peer, since: number): Promise<number | null> {
  const received = await harness.pages[peer].evaluate(() => window.rpt.received());
  return received.find(([, t]) => t >= since)?.[1] ?? null;
}

test('(2) an ICE restart made during a cut connects after a late restore', async () => {
  test.setTimeout(420_000);
  const trials = [];
  // RP_MEASURE_RESTORE_S=6,10,14 probes other restore times (seconds after the cut).
  const restoreTimes = (process.env.RP_MEASURE_RESTORE_S ?? '20,40,60').split(',').map(Number);
  for (const restoreAfterS of restoreTimes) {
    await harness.resetTrial();
    await openPlainCall(harness, { seqMs: 100 });
    const { timeline, faults } = harness;
    const cut = await faults.mediaPath();
    timeline.mark('cut', {}, cut.cutAt);
    await sleep(cut.cutAt + 2_000 - Date.now());
    const ufragBefore = await harness.pages.a.evaluate(() => window.rpt.state().localUfrag);
    const restartAt = Date.now();
    await harness.pages.a.evaluate(() => {
      window.rpt.restartIce();
    });
    // The offer/answer goes over the relay, which the media cut leaves up.
    const answered = await timeline
      .waitFor('a', 'remoteDescription', {
        since: restartAt,
        where: (d) => d.type === 'answer',
        timeoutMs: 10_000,
      })
      .catch(() => null);
    const ufragAfter = await harness.pages.a.evaluate(() => window.rpt.state().localUfrag);
    await sleep(cut.cutAt + restoreAfterS * 1000 - Date.now());
    const { restoreBeganAt, restoredAt } = await cut.restore();
    timeline.mark('restored', {}, restoredAt);
    // Relative to restoredAt (the restore command returned), so it can be a few ms negative.
    const connected = await Promise.all(
      PEERS.map((peer) =>
        timeline
          .waitFor(peer, 'connectionState', {
            since: restoreBeganAt,
            where: isState('connected'),
            timeoutMs: 30_000,
          })
          .then((e) => e.t - restoredAt)
          .catch(() => null),
      ),
    );
    await sleep(4_000);
    const firstMessage = await firstMessageAfter('b', restoreBeganAt);
    const offersAfterRestart = timeline.events.filter(
      (e) => e.t > restartAt && e.event === 'sendDescription' && e.data.type === 'offer',
    ).length;
    trials.push({
      restoreAfterS,
      restartAfterCutMs: restartAt - cut.cutAt,
      restoreCommandMs: restoredAt - restoreBeganAt,
      answerAppliedAfterRestartMs: answered ? answered.t - restartAt : null,
      ufragChanged: ufragBefore !== ufragAfter,
      offersSentAfterRestart: offersAfterRestart,
      restoreToConnectedMs: { a: connected[0], b: connected[1] },
      restoreToFirstDataMessageOnBMs: firstMessage === null ? null : firstMessage - restoredAt,
      transitionsMsAfterCut: transitions(timeline.events, cut.cutAt),
    });
  }
  await report('restart-during-cut', trials);
});

test('(3) cut to disconnected and to failed, no restart', async () => {
  test.setTimeout(300_000);
  const trials = [];
  for (let trial = 0; trial < 3; trial++) {
    await harness.resetTrial();
    await openPlainCall(harness, { seqMs: 100 });
    const { timeline, faults } = harness;
    const { cutAt, restoreBeganAt, restoredAt } = await faults.outage('media', 20_000);
    timeline.mark('cut', {}, cutAt);
    const after = (peer: Peer, event: string, state: string): number | null => {
      const found = timeline.find(peer, event, cutAt, isState(state));
      return found && found.t <= restoreBeganAt ? found.t - cutAt : null;
    };
    const reconnected = await Promise.all(
      PEERS.map((peer) =>
        timeline
          .waitFor(peer, 'connectionState', {
            since: restoreBeganAt,
            where: isState('connected'),
            timeoutMs: 15_000,
          })
          .then((e) => e.t - restoredAt)
          .catch(() => null),
      ),
    );
    trials.push({
      outageMs: restoredAt - cutAt,
      iceDisconnectedMs: {
        a: after('a', 'iceConnectionState', 'disconnected'),
        b: after('b', 'iceConnectionState', 'disconnected'),
      },
      connectionDisconnectedMs: {
        a: after('a', 'connectionState', 'disconnected'),
        b: after('b', 'connectionState', 'disconnected'),
      },
      connectionFailedMs: {
        a: after('a', 'connectionState', 'failed'),
        b: after('b', 'connectionState', 'failed'),
      },
      iceFailedMs: {
        a: after('a', 'iceConnectionState', 'failed'),
        b: after('b', 'iceConnectionState', 'failed'),
      },
      restoreToConnectedWithoutRestartMs: { a: reconnected[0], b: reconnected[1] },
      transitionsMsAfterCut: transitions(timeline.events, cutAt),
    });
  }
  await report('cut-to-failed', trials);
});
