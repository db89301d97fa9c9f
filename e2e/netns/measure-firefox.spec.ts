// Measures the Firefox facts the library needs, with plain RTCPeerConnection pages (plain.html)
// and real cuts: getStats shape, cut → disconnected/failed timings and transport states, a fresh
// RTCPeerConnection pair after `failed`, and ICE restarts between Chromium and Firefox (the DTLS
// role fault and its fixes). Slow (~9 min), so it runs only with RP_MEASURE_FIREFOX=1; results go
// to the console and to the test's attachments as JSON.

import { test } from '@playwright/test';
import {
  firefoxUnavailableReason,
  netnsUnavailableReason,
  PEERS,
  setUpHarness,
  type AnyHarness,
  type Peer,
  type PeerBrowserNames,
  type TimelineEvent,
} from './harness';
import { openPlainCall, type PairSample, type PlainCallOptions } from './plain-call';
import { sleep } from './sh';

test.skip(
  process.env.RP_MEASURE_FIREFOX !== '1',
  'measurements run only with RP_MEASURE_FIREFOX=1',
);
const unavailable = netnsUnavailableReason() ?? firefoxUnavailableReason();
test.skip(unavailable !== undefined, `cannot run: ${unavailable ?? ''}`);

const STATE_EVENTS = [
  'connectionState',
  'iceConnectionState',
  'signalingState',
  'dtlsState',
  'sctpState',
  'iceTransportState',
  'dcClose',
  'dcOpen',
  'renewed',
  'error',
];

async function report(name: string, result: unknown): Promise<void> {
  const body = JSON.stringify(result, null, 2);
  console.log(`\n=== ${name}\n${body}`);
  await test.info().attach(name, { body, contentType: 'application/json' });
}

/** Every state change of both sides from `since`, as "ms source event=state". */
function transitions(events: readonly TimelineEvent[], since: number): string[] {
  return events
    .filter((e) => e.t >= since && STATE_EVENTS.includes(e.event))
    .map((e) => {
      const detail = JSON.stringify(e.event === 'error' ? e.data.message : e.data.state);
      return `${e.t - since} ${e.source} ${e.event}=${detail} gen${JSON.stringify(e.data.gen)}`;
    });
}

const hasState =
  (state: string, gen?: number) =>
  (data: Readonly<Record<string, unknown>>): boolean =>
    data.state === state && (gen === undefined || data.gen === gen);

/** A harness per pairing, shared by the tests of one describe block. */
function withHarness(browsers: PeerBrowserNames): () => AnyHarness {
  let harness: AnyHarness | undefined;
  test.beforeAll(async () => {
    harness = await setUpHarness({ browsers });
  });
  test.afterAll(async () => {
    await harness?.teardown();
  });
  return () => {
    if (!harness) throw new Error('harness not set up');
    return harness;
  };
}

async function call(h: AnyHarness, options: PlainCallOptions = {}): Promise<void> {
  await h.resetTrial();
  await openPlainCall(h, { video: true, seqMs: 100, ...options });
  await sleep(1_500); // let the first checks and the bitrate ramp settle
}

/** For each field: present at all, and whether it changed between consecutive samples. */
function fieldMotion(samples: readonly PairSample[]) {
  const fields = [
    'bytesReceived',
    'packetsReceived',
    'requestsReceived',
    'responsesReceived',
    'lastPacketReceivedTimestamp',
    'framesDecoded',
  ] as const;
  return {
    samples: samples.length,
    pairIds: [...new Set(samples.map((s) => s.id))],
    states: [...new Set(samples.map((s) => `${String(s.state)}/nominated=${String(s.nominated)}`))],
    fields: Object.fromEntries(
      fields.map((f) => {
        const values = samples.map((s) => s[f]);
        const present = values.filter((v) => v !== undefined).length;
        const changes = values.slice(1).filter((v, i) => v !== values[i]).length;
        return [f, { present, changes, first: values[0], last: values.at(-1) }];
      }),
    ),
  };
}

/** Stats field names by report type, from one getStats dump. */
function shape(dump: readonly Record<string, unknown>[]) {
  const byType: Record<string, string[]> = {};
  for (const stats of dump) {
    const type = String(stats.type);
    byType[type] = [...new Set([...(byType[type] ?? []), ...Object.keys(stats)])].sort();
  }
  return byType;
}

for (const browsers of [
  { a: 'firefox', b: 'firefox' },
  { a: 'chromium', b: 'firefox' },
] as const) {
  test.describe.serial(`${browsers.a} ↔ ${browsers.b}`, () => {
    const harness = withHarness(browsers);

    test('(1) getStats shape and counters during a call and during an outage', async () => {
      test.setTimeout(120_000);
      const h = harness();
      await call(h);
      const dumps = await Promise.all(
        PEERS.map((p) => h.peers[p].evaluate(() => window.rpt.statsDump())),
      );
      const sample = (peer: Peer, ms: number) =>
        h.peers[peer].evaluate(([d, i]) => window.rpt.sampleStats(d, i), [ms, 250] as const);
      const before = await Promise.all(PEERS.map((p) => sample(p, 4_000)));
      // 8 s: past `disconnected`, well before Firefox's `failed` (~27 s).
      const cut = await h.faults.mediaPath();
      const during = await Promise.all(PEERS.map((p) => sample(p, 8_000)));
      const selectedDuring = await Promise.all(
        PEERS.map((p) => h.peers[p].evaluate(() => window.rpt.statsDump())),
      );
      await cut.restore();
      const result: Record<string, unknown> = {};
      PEERS.forEach((peer, i) => {
        result[`${peer} (${browsers[peer]})`] = {
          shape: shape(dumps[i] ?? []),
          candidatePairsDuringCut: (selectedDuring[i] ?? [])
            .filter((s) => s.type === 'candidate-pair')
            .map((s) => ({
              id: s.id,
              state: s.state,
              nominated: s.nominated,
              selected: s.selected,
            })),
          call: fieldMotion(before[i] ?? []),
          outage: fieldMotion(during[i] ?? []),
        };
      });
      await report(`stats-shape ${browsers.a}-${browsers.b}`, result);
    });

    test('(2) cut → disconnected / failed, transports after failed, then a new RTCPeerConnection pair', async () => {
      const trials = browsers.a === 'firefox' ? 4 : 2;
      test.setTimeout(trials * 80_000);
      const h = harness();
      const results = [];
      for (let trial = 0; trial < trials; trial++) {
        // Alternate: renew while the path is still down (restore 3 s later), or at restore.
        const renewBeforeRestore = trial % 2 === 0;
        await call(h);
        const { timeline, faults } = h;
        const cut = await faults.mediaPath();
        timeline.mark('cut', {}, cut.cutAt);
        // Firefox is b in both pairings; wait for its `failed`.
        const failed = await timeline
          .waitFor('b', 'connectionState', {
            since: cut.cutBeganAt,
            where: hasState('failed'),
            timeoutMs: 60_000,
          })
          .catch(() => null);
        await sleep(500);
        const afterFailed = await Promise.all(
          PEERS.map((p) => h.peers[p].evaluate(() => window.rpt.transportStates())),
        );
        const at = (peer: Peer, event: string, state?: string): number | null => {
          const e = timeline.find(
            peer,
            event,
            cut.cutBeganAt,
            state === undefined ? undefined : hasState(state),
          );
          return e ? e.t - cut.cutAt : null;
        };
        const cutFigures = Object.fromEntries(
          PEERS.map((peer) => [
            `${peer} (${browsers[peer]})`,
            {
              iceDisconnected: at(peer, 'iceConnectionState', 'disconnected'),
              iceFailed: at(peer, 'iceConnectionState', 'failed'),
              connectionDisconnected: at(peer, 'connectionState', 'disconnected'),
              connectionFailed: at(peer, 'connectionState', 'failed'),
              dcClose: at(peer, 'dcClose'),
              dtlsFailedOrClosed:
                at(peer, 'dtlsState', 'failed') ?? at(peer, 'dtlsState', 'closed'),
              sctpClosed: at(peer, 'sctpState', 'closed'),
            },
          ]),
        );

        let renewAt: number;
        let restore: { restoreBeganAt: number; restoredAt: number };
        await sleep(1_000);
        if (renewBeforeRestore) {
          renewAt = Date.now();
          await h.peers.a.evaluate(() => {
            window.rpt.renew();
          });
          await sleep(3_000);
          restore = await cut.restore();
        } else {
          restore = await cut.restore();
          renewAt = Date.now();
          await h.peers.a.evaluate(() => {
            window.rpt.renew();
          });
        }
        timeline.mark('restored', {}, restore.restoredAt);
        await sleep(6_000);
        const after = (
          peer: Peer,
          event: string,
          where?: (d: Readonly<Record<string, unknown>>) => boolean,
        ) => {
          const e = timeline.find(peer, event, restore.restoreBeganAt, where);
          return e ? e.t - restore.restoredAt : null;
        };
        const firstMessage = (await h.peers.b.evaluate(() => window.rpt.received())).find(
          ([, t]) => t >= restore.restoreBeganAt,
        );
        results.push({
          failedSeenOnB: failed !== null,
          cutToEvents: cutFigures,
          transportStatesAfterFailed: Object.fromEntries(
            PEERS.map((peer, i) => [`${peer} (${browsers[peer]})`, afterFailed[i]]),
          ),
          newPair: {
            renew: renewBeforeRestore ? 'while path down, restore 3 s later' : 'at restore',
            renewAfterRestoreMs: renewAt - restore.restoredAt,
            restoreToConnected: Object.fromEntries(
              PEERS.map((p) => [p, after(p, 'connectionState', hasState('connected', 1))]),
            ),
            restoreToDcOpen: Object.fromEntries(PEERS.map((p) => [p, after(p, 'dcOpen')])),
            restoreToFirstFrame: Object.fromEntries(
              PEERS.map((p) => [p, after(p, 'frame', (d) => d.gen === 1)]),
            ),
            restoreToFirstMessageOnB: firstMessage ? firstMessage[1] - restore.restoredAt : null,
            finalStates: await Promise.all(
              PEERS.map((p) => h.peers[p].evaluate(() => window.rpt.state())),
            ),
          },
          transitionsMsAfterCut: transitions(timeline.events, cut.cutAt),
        });
      }
      await report(`cut-to-failed-and-new-pair ${browsers.a}-${browsers.b}`, results);
    });
  });
}

interface RestartCase {
  readonly name: string;
  readonly offerer: Peer;
  readonly restarter: Peer;
  /** How a's restart is made: a plain restartIce(), or one of the fixes. */
  readonly fix?: 'offerSetupLocal' | 'offerSetupWire' | 'answerSetup' | 'request';
}

/** One ICE restart with the path up, and what it achieved. */
async function restartTrial(h: AnyHarness, c: RestartCase) {
  await call(h, { offerer: c.offerer });
  const { timeline } = h;
  const firstAnswer = timeline.events.find(
    (e) => e.event === 'sendDescription' && e.data.type === 'answer',
  );
  const roles = await Promise.all(
    PEERS.map((p) => h.peers[p].evaluate(() => window.rpt.state().establishedSetup)),
  );
  const ufragsBefore = await Promise.all(
    PEERS.map((p) => h.peers[p].evaluate(() => window.rpt.state().localUfrag)),
  );
  if (c.fix === 'offerSetupLocal' || c.fix === 'offerSetupWire') {
    const offerSetup: 'local' | 'wire' = c.fix === 'offerSetupLocal' ? 'local' : 'wire';
    await h.peers.a.evaluate((o) => {
      window.rpt.setMunging({ offerSetup: o });
    }, offerSetup);
  } else if (c.fix === 'answerSetup') {
    await h.peers.a.evaluate(() => {
      window.rpt.setMunging({ answerSetup: true });
    });
  }
  const t0 = Date.now();
  if (c.fix === 'request') {
    await h.peers.a.evaluate(() => {
      window.rpt.requestRestart();
    });
  } else {
    await h.peers[c.restarter].evaluate(() => {
      window.rpt.restartIce();
    });
  }
  await sleep(4_000);
  const states = await Promise.all(PEERS.map((p) => h.peers[p].evaluate(() => window.rpt.state())));
  const received = await h.peers.b.evaluate(() => window.rpt.received());
  const offerer = c.fix === 'request' ? 'b' : c.restarter;
  const answerer = offerer === 'a' ? 'b' : 'a';
  const stable = timeline.find(offerer, 'signalingState', t0, hasState('stable'));
  const restartOffer = timeline.find(offerer, 'sendDescription', t0, (d) => d.type === 'offer');
  const restartAnswer = timeline.find(answerer, 'sendDescription', t0, (d) => d.type === 'answer');
  const errors = timeline.events
    .filter((e) => e.t >= t0 && e.event === 'error')
    .map((e) => `${e.source}: ${String(e.data.message)}`);
  const framesAfter = states.map((s) => s.lastFrameAt > t0 + 1_000);
  const ok =
    states.every(
      (s, i) =>
        s.signalingState === 'stable' &&
        s.connectionState === 'connected' &&
        s.localUfrag !== ufragsBefore[i],
    ) &&
    received.some(([, t]) => t > t0 + 1_000) &&
    framesAfter.every(Boolean) &&
    errors.length === 0;
  return {
    ok,
    firstAnswer: firstAnswer
      ? `${firstAnswer.source} a=setup:${String(firstAnswer.data.setup)}`
      : null,
    establishedSetup: { a: roles[0], b: roles[1] },
    restartOfferSetup: restartOffer ? String(restartOffer.data.setup) : null,
    restartAnswerSetup: restartAnswer ? String(restartAnswer.data.setup) : null,
    restartToStableMs: stable ? stable.t - t0 : null,
    ufragChanged: states.map((s, i) => s.localUfrag !== ufragsBefore[i]),
    signaling: states.map((s) => s.signalingState),
    connection: states.map((s) => s.connectionState),
    dataAfter: received.some(([, t]) => t > t0 + 1_000),
    framesAfter,
    errors,
    transitions: transitions(timeline.events, t0),
  };
}

async function restartCases(h: AnyHarness, cases: readonly RestartCase[], repeats: number) {
  const result: Record<string, unknown> = {};
  for (const c of cases) {
    const trials = [];
    for (let i = 0; i < repeats; i++) trials.push(await restartTrial(h, c));
    result[c.name] = { okCount: `${trials.filter((t) => t.ok).length}/${repeats}`, trials };
  }
  return result;
}

test.describe.serial('ICE restart, chromium (a) ↔ firefox (b)', () => {
  const harness = withHarness({ a: 'chromium', b: 'firefox' });
  test('(3) the DTLS role fault and its fixes', async () => {
    test.setTimeout(600_000);
    const cases: RestartCase[] = [
      { name: 'Firefox offered first, Chromium restarts', offerer: 'b', restarter: 'a' },
      { name: 'Firefox offered first, Firefox restarts', offerer: 'b', restarter: 'b' },
      { name: 'Chromium offered first, Chromium restarts', offerer: 'a', restarter: 'a' },
      { name: 'Chromium offered first, Firefox restarts', offerer: 'a', restarter: 'b' },
      {
        name: 'fix (a) local: Chromium offers its role, applied locally',
        offerer: 'b',
        restarter: 'a',
        fix: 'offerSetupLocal',
      },
      {
        name: 'fix (a) wire: Chromium offers its role, sent only',
        offerer: 'b',
        restarter: 'a',
        fix: 'offerSetupWire',
      },
      {
        name: "fix (b): Chromium reads Firefox's answer with Firefox's real role",
        offerer: 'b',
        restarter: 'a',
        fix: 'answerSetup',
      },
      {
        name: 'fix (c): Chromium asks Firefox to restart',
        offerer: 'b',
        restarter: 'b',
        fix: 'request',
      },
    ];
    await report('restart-interop chromium-firefox', await restartCases(harness(), cases, 3));
  });
});

test.describe.serial('ICE restart, firefox (a) ↔ firefox (b)', () => {
  const harness = withHarness({ a: 'firefox', b: 'firefox' });
  test('(4) states of both sides while an ICE restart runs', async () => {
    test.setTimeout(240_000);
    const h = harness();
    const cases: RestartCase[] = [{ name: 'Firefox a restarts', offerer: 'a', restarter: 'a' }];
    const pathUp = await restartCases(h, cases, 3);
    // The same restart made 2 s into a media cut, restored 10 s after the cut.
    const duringCut = [];
    for (let trial = 0; trial < 2; trial++) {
      await call(h);
      const cut = await h.faults.mediaPath();
      await sleep(cut.cutAt + 2_000 - Date.now());
      const t0 = Date.now();
      await h.peers.a.evaluate(() => {
        window.rpt.restartIce();
      });
      await sleep(cut.cutAt + 10_000 - Date.now());
      const { restoredAt } = await cut.restore();
      h.timeline.mark('restored', {}, restoredAt);
      await sleep(6_000);
      duringCut.push({
        restartAfterCutMs: t0 - cut.cutAt,
        restoreAfterRestartMs: restoredAt - t0,
        finalStates: await Promise.all(
          PEERS.map((p) => h.peers[p].evaluate(() => window.rpt.state())),
        ),
        transitionsMsAfterRestart: transitions(h.timeline.events, t0),
      });
    }
    await report('restart-states firefox-firefox', { pathUp, duringCut });
  });
});
