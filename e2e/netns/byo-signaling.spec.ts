// Bring your own signaling: the call page over an app's own transports, through the recipes the
// README shows (recipes/app-websocket.js: a bare WebSocket room server with no heartbeat;
// recipes/socket-io.js: Socket.IO with its defaults). The faults are the ones where such a socket
// dies without noticing: a peer's address changes, both change at once, one peer is blackholed
// for 60 s, and the signaling server restarts during a media cut. Each call must come back by
// itself with nothing lost and no side left holding an unanswered offer.

import { expect, test } from '@playwright/test';
import { callHelpers, type Transport } from './call';
import type { CutWindow } from './faults';
import { netnsUnavailableReason, PEERS, setUpHarness, type Harness } from './harness';
import { sleep } from './sh';

const unavailable = netnsUnavailableReason();
if (unavailable && process.env.RP_REQUIRE_NETNS === '1') {
  throw new Error(`RP_REQUIRE_NETNS=1 but network namespaces are unavailable: ${unavailable}`);
}

const TRANSPORTS: readonly Transport[] = ['app-ws', 'socket.io'];

test.describe.serial('resilient-peer over an app’s own signaling', () => {
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

  const { state, openCall, markWindow, print, expectSequenceIntact, expectFlowing, saveTimeline } =
    callHelpers(() => h, 'byo');

  /** Both connected and stable (no offer left unanswered), data and frames after `since`. */
  async function expectBack(label: string, since: number, timeoutMs: number): Promise<number> {
    await expectFlowing(since, timeoutMs);
    for (const peer of PEERS) {
      await expect
        .poll(async () => (await state(peer)).signalingState, {
          timeout: 5_000,
          message: `${label} ${peer}: no offer left unanswered`,
        })
        .toBe('stable');
    }
    await expectSequenceIntact();
    return Date.now() - since;
  }

  for (const transport of TRANSPORTS) {
    test(`${transport}: peer A changes address mid-call`, async () => {
      await openCall({ transport });
      const change = await h.faults.readdress('a');
      const w: CutWindow = {
        ...change,
        restoreBeganAt: change.cutBeganAt,
        restoredAt: change.cutAt,
      };
      h.timeline.mark('readdress', { peer: 'a' }, change.cutAt);
      const back = await expectBack(transport, change.cutAt, 30_000);
      print(`${transport} readdress a`, w);
      console.log(`[${transport} readdress a] flowing and stable ${back} ms after the change`);
    });

    test(`${transport}: both peers change address at once`, async () => {
      await openCall({ transport });
      const [a, b] = await Promise.all([h.faults.readdress('a'), h.faults.readdress('b')]);
      const cutAt = Math.max(a.cutAt, b.cutAt);
      const w: CutWindow = {
        cutBeganAt: a.cutBeganAt,
        cutAt,
        restoreBeganAt: a.cutBeganAt,
        restoredAt: cutAt,
      };
      h.timeline.mark('readdress', { peer: 'both' }, cutAt);
      const back = await expectBack(transport, cutAt, 30_000);
      print(`${transport} readdress both`, w);
      console.log(`[${transport} readdress both] flowing and stable ${back} ms after the change`);
    });

    test(`${transport}: peer A blackholed for 60 s (media and signaling)`, async () => {
      test.setTimeout(180_000);
      await openCall({ transport });
      const w = await h.faults.outage({ kind: 'full', peer: 'a' }, 60_000);
      markWindow(w);
      const back = await expectBack(transport, w.restoredAt, 60_000);
      print(`${transport} full A 60 s`, w);
      console.log(`[${transport} full A 60 s] flowing and stable ${back} ms after restore`);
    });

    test(`${transport}: the signaling server restarts during a 20 s media cut`, async () => {
      test.setTimeout(120_000);
      await openCall({ transport });
      const cut = await h.faults.mediaPath();
      await sleep(5_000);
      const { stoppedAt, startedAt } = await h.restartServer(2_000);
      h.timeline.mark('serverRestart', { downMs: startedAt - stoppedAt }, startedAt);
      await sleep(Math.max(0, cut.cutAt + 20_000 - Date.now()));
      const w = await cut.restore();
      markWindow(w);
      const back = await expectBack(transport, w.restoredAt, 30_000);
      print(`${transport} server restart in media cut`, w);
      console.log(`[${transport} server restart] flowing and stable ${back} ms after restore`);
    });
  }
});
