// Knowing when the other side has left, as opposed to a broken network: a page that closes says
// goodbye (the library's `bye`, and the relay's "peer left"), and the remaining side stops
// restarting, shows `remote-left`, and negotiates afresh when a new page joins. A page that
// vanishes without a word (its renderer crashed) must never be taken for a recovered call.

import { expect, test } from '@playwright/test';
import { callHelpers } from './call';
import { netnsUnavailableReason, setUpHarness, type Harness } from './harness';
import { sleep } from './sh';

const unavailable = netnsUnavailableReason();
if (unavailable && process.env.RP_REQUIRE_NETNS === '1') {
  throw new Error(`RP_REQUIRE_NETNS=1 but network namespaces are unavailable: ${unavailable}`);
}

test.describe.serial('remote presence', () => {
  test.skip(unavailable !== undefined, `network namespaces unavailable: ${unavailable ?? ''}`);

  let h: Harness;
  test.beforeAll(async () => {
    h = await setUpHarness();
  });
  test.afterAll(async () => {
    await (h as Harness | undefined)?.teardown();
  });
  test.afterEach(async () => {
    await saveTimeline();
  });

  const { state, openCall, waitEvent, expectFlowing, saveTimeline } = callHelpers(
    () => h,
    'presence',
  );
  const count = (event: string, since: number): number =>
    h.timeline.events.filter((e) => e.source === 'b' && e.event === event && e.t >= since).length;

  test('the remote closes its page: no restarts on nobody, remote-left, then a rejoin is negotiated afresh', async () => {
    await openCall();
    const roomUrl = await h.peers.a.evaluate(() => location.href);
    const closedAt = Date.now();
    h.timeline.mark('aCloses');
    await h.peers.a.goto('about:blank'); // pagehide: the library says bye
    await waitEvent('b', 'remoteLeft', closedAt, 5_000);
    const left = h.timeline.find('b', 'remoteLeft', closedAt);
    expect((await state('b')).phase).toBe('remote-left');
    // Long enough for a stall, a `disconnected` and several attempts, had B taken it for a fault.
    await sleep(10_000);
    expect(count('restartAttempt', closedAt), 'b: no ICE restart for a remote that left').toBe(0);
    expect(count('recovered', closedAt), 'b: nothing "recovered"').toBe(0);
    expect((await state('b')).phase).toBe('remote-left');
    console.log(
      `[presence] b: remoteLeft (${String(left?.data.how)}) ${(left?.t ?? NaN) - closedAt} ms after A closed`,
    );

    const rejoinedAt = Date.now();
    h.timeline.mark('aRejoins');
    await h.peers.a.goto(roomUrl);
    await waitEvent(
      'b',
      'connectionReplaced',
      rejoinedAt,
      10_000,
      (d) => d.reason === 'remote-rejoined',
    );
    await waitEvent('b', 'track', rejoinedAt, 10_000);
    await expectFlowing(rejoinedAt, 15_000);
    const connected = h.timeline.find('b', 'phaseChange', rejoinedAt, (d) => d.to === 'connected');
    console.log(
      `[presence] b: connected with the new page ${(connected?.t ?? NaN) - rejoinedAt} ms after it loaded`,
    );
  });

  test('a remote that vanishes without a word (renderer crash, no presence in the transport) is never reported recovered', async () => {
    test.setTimeout(90_000);
    // The bare WebSocket recipe: its server says nothing when a member goes (the relay would).
    await openCall({ transport: 'app-ws' });
    const crashedAt = Date.now();
    h.timeline.mark('aCrashes');
    // chrome://crash kills A's renderer: no pagehide, no bye; the browser drops its sockets.
    await h.peers.a.goto('chrome://crash').catch(() => undefined);
    await waitEvent('b', 'restartAttempt', crashedAt, 10_000);
    await sleep(25_000);
    expect(count('recovered', crashedAt), 'b: no recovery with nobody there').toBe(0);
    const phase = (await state('b')).phase;
    expect(['recovering', 'failed'], `b's phase is ${phase}`).toContain(phase);
    console.log(
      `[presence] b after A's crash: ${count('restartAttempt', crashedAt)} restart attempts in 25 s, phase ${phase}`,
    );
  });
});
