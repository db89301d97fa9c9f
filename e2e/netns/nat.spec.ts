// Proves the NAT topology: what each NAT kind maps, that every fault cuts what it claims there and
// that restoring it gives back a working path (library-free probes, like faults.spec.ts), and
// library-free calls whose getStats show which candidates connect through which NATs and TURN.

import { expect, test } from '@playwright/test';
import type { Cut, FaultSpec } from './faults';
import { natUnavailableReason, PEERS, setUpHarness, type NatHarness, type Peer } from './harness';
import {
  openPlainCall,
  openPlainPage,
  plainCandidatePairs,
  plainGather,
  plainReceived,
  plainSelectedPath,
  type PairInfo,
} from './plain-call';
import { freshTrial } from './open-call';
import { observePeers, startTurnProbe, stunMapped } from './probes';
import { run, sleep } from './sh';

const unavailable = natUnavailableReason();
if (unavailable && process.env.RP_REQUIRE_NETNS === '1') {
  throw new Error(`RP_REQUIRE_NETNS=1 but the NAT topology is unavailable: ${unavailable}`);
}
test.describe.configure({ mode: 'serial' });
test.skip(unavailable !== undefined, `NAT topology unavailable: ${unavailable ?? ''}`);

const other = (peer: Peer): Peer => (peer === 'a' ? 'b' : 'a');

/** The long-term TURN server's STUN endpoint. */
const turnEndpoint = (h: NatHarness): string => `${h.turn.longTerm.address}:3478`;
const portOf = (endpoint: string | null | undefined): number => Number(endpoint?.split(':')[1]);

/** Messages b received (a sends one every 50 ms) in (from, to]. */
async function receivedBetween(h: NatHarness, from: number, to = Infinity): Promise<number[]> {
  return (await plainReceived(h, 'b')).filter(([, t]) => t > from && t <= to).map(([seq]) => seq);
}

/** Waits until b receives messages again after `since`; returns ms from `since` to the first. */
async function resumesAfter(h: NatHarness, since: number, timeoutMs = 8_000): Promise<number> {
  await expect
    .poll(async () => (await receivedBetween(h, since)).length, { timeout: timeoutMs })
    .toBeGreaterThan(5);
  const first = (await plainReceived(h, 'b')).find(([, t]) => t > since);
  return (first?.[1] ?? NaN) - since;
}

/** A compact "type address:port (relayProtocol)" of each end of a pair, for the log. */
const describePair = (pair: PairInfo | null): string =>
  pair
    ? [pair.local, pair.remote]
        .map(
          (c) =>
            `${c?.type ?? '?'} ${c?.address ?? '?'}:${c?.port ?? '?'}${c?.relayProtocol ? `/${c.relayProtocol}` : ''}`,
        )
        .join(' → ')
    : 'none';

/** For afterEach: the timeline and the TURN servers' logs of a failed test, attached. */
async function attachOnFailure(h: NatHarness | undefined): Promise<void> {
  const info = test.info();
  if (!h || info.status === info.expectedStatus) return;
  const timeline = `${h.timeline.format()}\n${h.timeline.console.join('\n')}`;
  await info.attach('timeline', { body: timeline });
  await info.attach('turn-long-term.log', { body: h.turn.longTerm.log() });
  await info.attach('turn-rest.log', { body: h.turn.rest.log() });
}

/**
 * What works from each peer after `between()`: a UDP hole punch between them (mappings learned
 * before), signaling (the server's /healthz), STUN to the TURN server over UDP and over TCP.
 */
async function observe(h: NatHarness, between?: () => Promise<unknown>) {
  const side = (peer: Peer, port: number) => ({
    ns: h.topology.namespaces[peer],
    bind: h.topology.addresses[peer],
    port,
  });
  const { a, b } = await observePeers(
    { a: side('a', 40001), b: side('b', 40002) },
    { stun: turnEndpoint(h), http: `${h.routerUrl}/healthz` },
    between,
  );
  return {
    'a→b': b.received,
    'b→a': a.received,
    signalingA: a.http,
    signalingB: b.http,
    turnUdpA: a.stunUdp,
    turnTcpA: a.stunTcp,
    turnUdpB: b.stunUdp,
    turnTcpB: b.stunTcp,
  };
}

const open = {
  'a→b': true,
  'b→a': true,
  signalingA: true,
  signalingB: true,
  turnUdpA: true,
  turnTcpA: true,
  turnUdpB: true,
  turnTcpB: true,
};
const noP2p = { 'a→b': false, 'b→a': false };
const noTurn = { turnUdpA: false, turnTcpA: false, turnUdpB: false, turnTcpB: false };
const nothingOfA = { ...noP2p, signalingA: false, turnUdpA: false, turnTcpA: false };

const cases: [string, FaultSpec, typeof open][] = [
  ['media', 'media', { ...open, ...noP2p, ...noTurn }],
  ['full cut of a', { kind: 'full', peer: 'a' }, { ...open, ...nothingOfA }],
  ['link down on a', { kind: 'linkDown', peer: 'a' }, { ...open, ...nothingOfA }],
  // Into b, nothing but signaling: a's packets, and so b's own TURN answers too.
  [
    'one direction a→b',
    { kind: 'oneDirection', from: 'a', to: 'b' },
    { ...open, 'a→b': false, turnUdpB: false, turnTcpB: false },
  ],
  // The punch socket was bound to a's old address; new sockets use the new one.
  ['readdress a', { kind: 'readdress', peer: 'a' }, { ...open, ...noP2p }],
  ['loss with probability 1', { kind: 'loss', probability: 1 }, { ...open, ...noP2p, ...noTurn }],
  ['UDP blocked for a', { kind: 'udpBlocked', peer: 'a' }, { ...open, ...noP2p, turnUdpA: false }],
  // Mappings learned before the reset are dead; fresh ones (signaling, STUN) work.
  ['NAT state lost at a', { kind: 'natReset', peer: 'a' }, { ...open, ...noP2p }],
  ['TURN server down', { kind: 'turnDown' }, { ...open, ...noTurn }],
];

test.describe('NAT, endpoint-independent on both sides', () => {
  let h: NatHarness;
  test.beforeAll(async () => {
    h = await setUpHarness({ network: { kind: 'nat', a: 'eim', b: 'eim' } });
  });
  test.afterEach(async () => {
    await attachOnFailure(h);
    await freshTrial(h);
  });
  test.afterAll(async () => {
    await h.teardown();
  });

  test('everything is reachable with no fault', async () => {
    expect(await observe(h)).toEqual(open);
  });

  test('one local port gets one public port whatever the destination', async () => {
    const servers = [turnEndpoint(h), `${h.turn.rest.address}:3478`];
    const mapped = await stunMapped(h.topology.namespaces.a, 'udp', servers, { port: 40010 });
    console.log(`[nat] eim: a:40010 → ${mapped.join(', ')}`);
    expect(mapped).toEqual([`${h.topology.nat.homes.a.publicAddress}:40010`, mapped[0]]);
  });

  test('NAT state lost gives a flow a new mapping each time; a bare conntrack flush would not', async () => {
    const ns = h.topology.namespaces.a;
    const mapped = async () => (await stunMapped(ns, 'udp', [turnEndpoint(h)], { port: 40011 }))[0];
    const before = await mapped();
    await run('ip', ['netns', 'exec', h.topology.nat.homes.a.namespace, 'conntrack', '-F']);
    const afterFlush = await mapped();
    await h.faults.natReset('a');
    const afterReset = await mapped();
    await h.faults.natReset('a');
    const afterSecondReset = await mapped();
    console.log(
      `[nat] eim a:40011 → ${before ?? '-'}; flush only → ${afterFlush ?? '-'}; natReset → ` +
        `${afterReset ?? '-'}; again → ${afterSecondReset ?? '-'}`,
    );
    expect(before).not.toBeNull();
    expect(afterFlush).toBe(before); // port preservation hands out the same mapping again
    expect(afterReset).not.toBeNull();
    expect(afterReset).not.toBe(before);
    expect([before, afterReset]).not.toContain(afterSecondReset);
  });

  for (const [name, spec, expected] of cases) {
    test(`${name} cuts what it claims and restores a working path`, async () => {
      let cut: Cut | undefined;
      expect(await observe(h, async () => (cut = await h.faults.cut(spec)))).toEqual(expected);
      const window = await cut?.restore();
      if (!window) throw new Error('no cut');
      console.log(
        `[nat] ${name}: cut in ${window.cutAt - window.cutBeganAt} ms, restored in ${window.restoredAt - window.restoreBeganAt} ms`,
      );
      expect(window.restoredAt).toBeGreaterThanOrEqual(window.cutAt);
      await sleep(100); // a link coming up needs a moment
      expect(await observe(h)).toEqual(open);
    });
  }

  test('(a) connects over srflx with STUN alone; host candidates never connect', async () => {
    await openPlainCall(h, { seqMs: 50, iceServers: [h.turn.stun()] });
    for (const peer of PEERS) {
      const path = await plainSelectedPath(h, peer);
      console.log(`[nat] (a) ${peer}: ${describePair(path)}`);
      expect(path?.local).toMatchObject({
        type: 'srflx',
        protocol: 'udp',
        address: h.topology.nat.homes[peer].publicAddress,
      });
      expect(path?.remote?.address).toBe(h.topology.nat.homes[other(peer)].publicAddress);
      expect(['srflx', 'prflx']).toContain(path?.remote?.type);
      const hostPairs = (await plainCandidatePairs(h, peer)).filter(
        (pair) => pair.local?.type === 'host' && pair.remote?.type === 'host',
      );
      expect(hostPairs.length).toBeGreaterThan(0);
      expect(hostPairs.filter((pair) => pair.state === 'succeeded')).toEqual([]);
    }
  });

  test('(c) UDP blocked for a cuts a srflx call; lifting it resumes on the same pair', async () => {
    await openPlainCall(h, { seqMs: 50, iceServers: [h.turn.stun()] });
    const before = await plainSelectedPath(h, 'b');
    const w = await h.faults.outage({ kind: 'udpBlocked', peer: 'a' }, 2_000);
    const resumedMs = await resumesAfter(h, w.restoreBeganAt);
    console.log(`[nat] (c) udpBlocked 2 s: first message ${resumedMs} ms after restore`);
    expect(await receivedBetween(h, w.cutAt + 500, w.restoreBeganAt)).toEqual([]);
    expect((await plainSelectedPath(h, 'b'))?.id).toBe(before?.id);
  });

  test('(c) NAT state lost at a kills a srflx call and its WebSocket; a new call gets through', async () => {
    await openPlainCall(h, { seqMs: 50, iceServers: [h.turn.stun()] });
    const before = await plainSelectedPath(h, 'b');
    const cut = await h.faults.natReset('a');
    // plain.html pings every 2 s: its next segment leaves with a new mapping and is reset.
    const wsClose = await h.timeline.waitFor('a', 'wsClose', {
      since: cut.cutBeganAt,
      timeoutMs: 6_000,
    });
    await sleep(cut.cutAt + 3_000 - Date.now());
    expect(await receivedBetween(h, cut.cutAt + 500)).toEqual([]);
    await cut.restore();
    await freshTrial(h);
    await openPlainCall(h, { seqMs: 50, iceServers: [h.turn.stun()] });
    const after = await plainSelectedPath(h, 'b');
    console.log(
      `[nat] (c) natReset: a's WebSocket closed ${wsClose.t - cut.cutAt} ms after; ` +
        `b saw a at ${before?.remote?.address ?? '?'}:${before?.remote?.port ?? '?'}, ` +
        `in the new call at ${after?.remote?.address ?? '?'}:${after?.remote?.port ?? '?'}`,
    );
    expect(after?.local?.type).toBe('srflx');
    expect(after?.remote?.address).toBe(h.topology.nat.homes.a.publicAddress);
  });

  test('(c) a TURN restart leaves a relayed call dead until an ICE restart makes a new allocation', async () => {
    await openPlainCall(h, {
      seqMs: 50,
      iceServers: [h.turn.longTermIceServer(['udp'])],
      iceTransportPolicy: 'relay',
    });
    const before = await plainSelectedPath(h, 'a');
    expect(before?.local?.type).toBe('relay');
    const cut = await h.faults.turnDown();
    await sleep(1_000);
    const w = await cut.restore();
    await sleep(2_000); // the new server knows no allocation: nothing comes back by itself
    expect(await receivedBetween(h, w.cutAt + 500)).toEqual([]);
    const restartAt = Date.now();
    await h.peers.a.evaluate(() => {
      window.rpt.restartIce();
    });
    const resumedMs = await resumesAfter(h, restartAt, 10_000);
    const after = await plainSelectedPath(h, 'a');
    console.log(
      `[nat] (c) turnDown: killed in ${w.cutAt - w.cutBeganAt} ms, answering again ` +
        `${w.restoredAt - w.restoreBeganAt} ms after start; ICE restart → first message ` +
        `${resumedMs} ms; a relayed from ${describePair(before)} to ${describePair(after)}`,
    );
    expect(after?.local?.type).toBe('relay');
    // New candidates, so a new pair; the relay port may even repeat (coturn picks it at random).
    expect(after?.id).not.toBe(before?.id);
  });

  test('(d) with UDP blocked for a, a call connects through TURN over TCP', async () => {
    const cut = await h.faults.udpBlocked('a');
    await openPlainCall(h, { seqMs: 50, iceServers: [h.turn.longTermIceServer(['udp', 'tcp'])] });
    await cut.restore();
    const paths = { a: await plainSelectedPath(h, 'a'), b: await plainSelectedPath(h, 'b') };
    console.log(`[nat] (d) a: ${describePair(paths.a)}; b: ${describePair(paths.b)}`);
    expect(paths.a?.local).toMatchObject({ type: 'relay', relayProtocol: 'tcp' });
  });

  test('(d) TURN over TLS, its self-signed certificate trusted by key hash: a call connects with UDP blocked for a', async () => {
    const address = `${h.turn.longTerm.address}:5349`;
    const handshake = await run('sh', [
      '-c',
      `ip netns exec ${h.topology.namespaces.a} openssl s_client -connect ${address} </dev/null 2>&1`,
    ]);
    const verify = /Verify return code: (.*)/.exec(handshake)?.[1] ?? '?';
    const cut = await h.faults.udpBlocked('a');
    await openPlainCall(h, { seqMs: 50, iceServers: [h.turn.longTermIceServer(['tls'])] });
    await cut.restore();
    const path = await plainSelectedPath(h, 'a');
    console.log(`[nat] (d) TLS: openssl verify ${verify}; a: ${describePair(path)}`);
    expect(verify).toBe('18 (self-signed certificate)');
    expect(path?.local).toMatchObject({ type: 'relay', relayProtocol: 'tls' });
  });

  test('(e) REST credentials: a running allocation outlives them, a new one is refused', async () => {
    // A page that has been open 54 s: its 60 s credentials expire 5-6 s into the test (the
    // expiry is in whole seconds).
    const rest = h.turn.restIceServer({
      lifetimeS: 60,
      issuedAtMs: Date.now() - 54_000,
      transports: ['udp'],
    });
    const probe = startTurnProbe(h.topology.namespaces.a, `${h.turn.rest.address}:3478`, rest);
    try {
      await openPlainCall(h, { seqMs: 50, iceServers: [rest], iceTransportPolicy: 'relay' });
      expect(await probe.allocate()).toMatchObject({ code: 200 });
      // Both allocations were made with credentials still valid, or the test proves nothing.
      expect(Date.now(), 'call and probe allocated before the expiry').toBeLessThan(rest.expiresAt);
      await sleep(rest.expiresAt + 1_000 - Date.now());
      const refresh = await probe.refresh();
      const permission = await probe.permission(h.topology.nat.homes.b.publicAddress);
      const renewedAt = Date.now();
      const resumedMs = await resumesAfter(h, renewedAt);
      const allocate = await probe.allocate();
      const gathered = await plainGather(h, 'a', {
        iceServers: [rest],
        iceTransportPolicy: 'relay',
      });
      const fresh = await plainGather(h, 'a', {
        iceServers: [h.turn.restIceServer({ lifetimeS: 60, transports: ['udp'] })],
        iceTransportPolicy: 'relay',
      });
      console.log(
        `[nat] (e) ${Date.now() - rest.expiresAt} ms after expiry: Refresh ${refresh.code} ` +
          `(lifetime ${refresh.lifetime ?? '?'} s), ` +
          `CreatePermission ${permission.code}, call data within ${resumedMs} ms; ` +
          `new Allocate ${allocate.code}; Chromium gather ${JSON.stringify(gathered.errors)}; ` +
          `fresh credentials: ${fresh.candidates.map((c) => c.type).join(',')}`,
      );
      expect({ refresh: refresh.code, permission: permission.code }).toEqual({
        refresh: 200,
        permission: 200,
      });
      expect(allocate.code).toBe(401);
      expect(gathered.candidates).toEqual([]);
      expect(gathered.errors).toEqual([expect.objectContaining({ errorCode: 401 })]);
      expect(fresh.candidates.map((c) => c.type)).toContain('relay');
    } finally {
      probe.close();
    }
  });
});

test.describe('NAT, symmetric at b', () => {
  let h: NatHarness;
  test.beforeAll(async () => {
    // This harness shows what an untrusted certificate does.
    h = await setUpHarness({
      network: { kind: 'nat', a: 'eim', b: 'symmetric' },
      trustTurnCertificate: false,
    });
  });
  test.afterEach(async () => {
    await attachOnFailure(h);
    await freshTrial(h);
  });
  test.afterAll(async () => {
    await h.teardown();
  });

  test('b gets a new public port for every destination, and new ones after NAT state lost', async () => {
    const servers = [turnEndpoint(h), `${h.turn.rest.address}:3478`];
    const ns = h.topology.namespaces.b;
    const before = await stunMapped(ns, 'udp', servers, { port: 40020 });
    await h.faults.natReset('b');
    const after = await stunMapped(ns, 'udp', servers, { port: 40020 });
    console.log(
      `[nat] symmetric: b:40020 → ${before.join(', ')}; after natReset → ${after.join(', ')}`,
    );
    const publicB = h.topology.nat.homes.b.publicAddress;
    for (const mapped of [...before, ...after]) expect(mapped?.split(':')[0]).toBe(publicB);
    expect(portOf(before[0])).not.toBe(portOf(before[1]));
    expect(after.map(portOf)).not.toContain(portOf(before[0]));
    expect(after.map(portOf)).not.toContain(portOf(before[1]));
  });

  test('(b) srflx alone does not connect: ICE fails on both sides', async () => {
    const since = Date.now();
    await expect(
      openPlainCall(h, { seqMs: 50, iceServers: [h.turn.stun()] }, 3_000),
    ).rejects.toThrow(/did not come up/);
    for (const peer of PEERS) {
      const pairs = await plainCandidatePairs(h, peer);
      expect(pairs.filter((pair) => pair.state === 'succeeded')).toEqual([]);
      // Not for want of candidates: each side is trying the other's srflx (Chromium drops the
      // pairs from getStats once it has failed, so look while it still checks).
      expect(pairs.some((pair) => pair.remote?.type === 'srflx')).toBe(true);
    }
    const failed = await Promise.all(
      PEERS.map((peer) =>
        h.timeline.waitFor(peer, 'connectionState', {
          since,
          where: (d) => d.state === 'failed',
          timeoutMs: 30_000,
        }),
      ),
    );
    const checking = PEERS.map((peer) =>
      h.timeline.find(peer, 'connectionState', since, (d) => d.state === 'connecting'),
    );
    console.log(
      `[nat] (b) srflx only: failed ${failed.map((f, i) => f.t - (checking[i]?.t ?? NaN)).join(' / ')} ms after connecting (a / b)`,
    );
  });

  test('(b) with TURN it connects, over a relay', async () => {
    await openPlainCall(h, {
      seqMs: 50,
      iceServers: [h.turn.stun(), h.turn.longTermIceServer(['udp'])],
    });
    for (const peer of PEERS) {
      const path = await plainSelectedPath(h, peer);
      console.log(`[nat] (b) with TURN, ${peer}: ${describePair(path)}`);
      expect([path?.local?.type, path?.remote?.type]).toContain('relay');
    }
  });

  test('an untrusted self-signed certificate: Chromium gets no relay from turns: (701)', async () => {
    await openPlainPage(h, 'a');
    const gathered = await plainGather(h, 'a', {
      iceServers: [h.turn.longTermIceServer(['tls'])],
      iceTransportPolicy: 'relay',
    });
    console.log(`[nat] TLS untrusted: ${JSON.stringify(gathered)}`);
    expect(gathered.candidates).toEqual([]);
    expect(gathered.errors).toEqual([expect.objectContaining({ errorCode: 701 })]);
  });
});
