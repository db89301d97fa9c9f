// Proves the harness with Firefox peers: library-free calls (pages/plain.html) between Firefox and
// Firefox, and between Chromium and Firefox, with each side making the first offer in turn,
// connect, carry data and video both ways, and come back after a real 3 s media-path cut; and a
// Firefox peer behind a NAT, over srflx and over TURN/TCP.

import { expect, test } from '@playwright/test';
import {
  firefoxUnavailableReason,
  natUnavailableReason,
  netnsUnavailableReason,
  PEERS,
  setUpHarness,
  type AnyHarness,
  type NatHarness,
  type PeerBrowserNames,
} from './harness';
import {
  expectPlainSequenceIntact,
  openPlainCall,
  plainReceived,
  plainSelectedPath,
  plainState,
} from './plain-call';

const unavailable = netnsUnavailableReason() ?? firefoxUnavailableReason();
const natUnavailable = unavailable ?? natUnavailableReason();
if (
  natUnavailable &&
  (process.env.RP_REQUIRE_NETNS === '1' || process.env.RP_REQUIRE_FIREFOX === '1')
) {
  // In CI a missing prerequisite must not pass silently as a skip.
  throw new Error(`RP_REQUIRE_NETNS/RP_REQUIRE_FIREFOX=1 but cannot run: ${natUnavailable}`);
}

const PAIRINGS: readonly PeerBrowserNames[] = [
  { a: 'firefox', b: 'firefox' },
  { a: 'chromium', b: 'firefox' },
];
const USER_AGENT = { chromium: /Chrome\//, firefox: /Firefox\// } as const;

for (const browsers of PAIRINGS) {
  test.describe.serial(`${browsers.a} (a) ↔ ${browsers.b} (b)`, () => {
    test.skip(unavailable !== undefined, `cannot run: ${unavailable ?? ''}`);

    let h: AnyHarness | undefined;
    test.beforeAll(async () => {
      h = await setUpHarness({ browsers });
    });
    test.afterAll(async () => {
      await h?.teardown();
    });
    test.afterEach(async () => {
      const info = test.info();
      if (h && info.status !== info.expectedStatus) {
        await info.attach('timeline', {
          body: `${h.timeline.format()}\n${h.timeline.console.join('\n')}`,
        });
      }
    });

    for (const offerer of PEERS) {
      test(`${offerer} offers first: data and video flow, and resume after a 3 s media cut`, async () => {
        if (!h) throw new Error('harness not set up');
        const harness = h;
        for (const peer of PEERS) {
          const agent = await harness.peers[peer].evaluate(() => navigator.userAgent);
          expect(agent, `${peer} runs ${browsers[peer]}`).toMatch(USER_AGENT[browsers[peer]]);
        }
        await harness.resetTrial();
        await openPlainCall(harness, { video: true, seqMs: 50, offerer });
        const firstOffer = harness.timeline.events.find(
          (e) => e.event === 'sendDescription' && e.data.type === 'offer',
        );
        expect(firstOffer?.source, 'the first offer came from the chosen side').toBe(offerer);

        const flowingSince = async (since: number): Promise<void> => {
          for (const peer of PEERS) {
            await expect
              .poll(async () => (await plainState(harness, peer)).lastFrameAt > since, {
                timeout: 10_000,
                message: `${peer} decodes video after ${since}`,
              })
              .toBe(true);
          }
          await expect
            .poll(
              async () => (await plainReceived(harness, 'b')).filter(([, t]) => t > since).length,
              { timeout: 10_000, message: 'b receives data' },
            )
            .toBeGreaterThan(10);
        };
        const callUp = Date.now();
        await flowingSince(callUp);

        const outage = await harness.faults.outage('media', 3_000);
        harness.timeline.mark('cut', {}, outage.cutAt);
        harness.timeline.mark('restored', {}, outage.restoredAt);
        await flowingSince(outage.restoredAt);

        const received = await plainReceived(harness, 'b');
        await expectPlainSequenceIntact(harness, 'b'); // in order, none lost
        const during = received.filter(([, t]) => t > outage.cutAt + 500 && t < outage.restoredAt);
        expect(during, 'messages must not cross a real cut').toEqual([]);
        for (const peer of PEERS) {
          expect(await plainState(harness, peer)).toMatchObject({
            connectionState: 'connected',
            channel: 'open',
            signalingState: 'stable',
          });
        }
      });
    }
  });
}

test.describe.serial('chromium (a) ↔ firefox (b), each behind an endpoint-independent NAT', () => {
  test.skip(natUnavailable !== undefined, `cannot run: ${natUnavailable ?? ''}`);

  let h: NatHarness<{ a: 'chromium'; b: 'firefox' }> | undefined;
  test.beforeAll(async () => {
    h = await setUpHarness({
      browsers: { a: 'chromium', b: 'firefox' },
      network: { kind: 'nat', a: 'eim', b: 'eim' },
    });
  });
  test.afterAll(async () => {
    await h?.teardown();
  });

  test('connects over srflx with STUN alone', async () => {
    if (!h) throw new Error('harness not set up');
    await h.resetTrial();
    await openPlainCall(h, { seqMs: 50, iceServers: [h.turn.stun()] });
    const b = await plainSelectedPath(h, 'b');
    console.log(`[nat] firefox b: ${b?.local?.type ?? '?'} → ${b?.remote?.type ?? '?'}`);
    expect(b?.local).toMatchObject({
      type: 'srflx',
      address: h.topology.nat.homes.b.publicAddress,
    });
  });

  test('with UDP blocked for b, connects through TURN over TCP', async () => {
    if (!h) throw new Error('harness not set up');
    await h.resetTrial();
    const cut = await h.faults.udpBlocked('b');
    await openPlainCall(h, { seqMs: 50, iceServers: [h.turn.longTermIceServer(['tcp'])] });
    await cut.restore();
    const b = await plainSelectedPath(h, 'b');
    console.log(
      `[nat] firefox b, UDP blocked: ${b?.local?.type ?? '?'}/${b?.local?.relayProtocol ?? '?'}`,
    );
    expect(b?.local).toMatchObject({ type: 'relay', relayProtocol: 'tcp' });
  });
});
