// Checks that each fault cuts exactly what it claims, with no browser: UDP datagrams between the
// peer namespaces stand for the media path, an HTTP request to the router for signaling.

import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { createFaults, readdressTarget, type FaultSpec, type Faults } from './faults';
import { startRouterServer, type RouterServer } from './router';
import { run, sleep } from './sh';
import { createTopology, netnsUnavailableReason, type Peer, type Topology } from './topology';

const unavailable = netnsUnavailableReason();
if (unavailable && process.env.RP_REQUIRE_NETNS === '1') {
  throw new Error(`RP_REQUIRE_NETNS=1 but network namespaces are unavailable: ${unavailable}`);
}
test.describe.configure({ mode: 'serial' });
test.skip(unavailable !== undefined, `network namespaces unavailable: ${unavailable ?? ''}`);

let topology: Topology;
let server: RouterServer;
let faults: Faults;
test.beforeAll(async () => {
  topology = await createTopology();
  server = await startRouterServer(topology);
  faults = createFaults(topology);
});
test.afterAll(async () => {
  await server.stop();
  topology.destroy();
});

/**
 * Whether one of 5 UDP datagrams from `from` reaches `to`. The receiver gives up 300 ms after the
 * sender has finished, not at a fixed time from its own start: with other harness runs loading
 * the 2 cores, starting the sender's Node alone took longer than a fixed 1.5 s window.
 */
async function udpDelivered(from: Peer, to: Peer): Promise<boolean> {
  const port = 9999;
  const receiver = spawn(
    'ip',
    [
      ...['netns', 'exec', topology.namespaces[to], process.execPath, '-e'],
      `const s = require('node:dgram').createSocket('udp4');
       s.on('message', () => process.exit(0));
       s.bind(${port}, () => console.log('bound'));
       process.stdin.once('data', () => setTimeout(() => process.exit(1), 300));
       setTimeout(() => process.exit(1), 15000);`,
    ],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  const exit = new Promise<number | null>((resolve) => receiver.once('exit', resolve));
  await new Promise((resolve) => receiver.stdout.once('data', resolve));
  await run('ip', [
    ...['netns', 'exec', topology.namespaces[from], process.execPath, '-e'],
    `const s = require('node:dgram').createSocket('udp4');
     let n = 0;
     const t = setInterval(() => {
       s.send('x', ${port}, ${JSON.stringify(topology.addresses[to])});
       if (++n === 5) { clearInterval(t); setTimeout(() => s.close(), 50); }
     }, 100);`,
  ]);
  // The receiver may already have exited (delivered), and its stdin with it.
  receiver.stdin.on('error', () => undefined);
  receiver.stdin.end('sent\n');
  return (await exit) === 0;
}

/** Whether `peer` gets an answer from the router's server within 2 s. */
async function signalingUp(peer: Peer): Promise<boolean> {
  try {
    await run('ip', [
      ...['netns', 'exec', topology.namespaces[peer], process.execPath, '-e'],
      `fetch(${JSON.stringify(`${server.url}/healthz`)}, { signal: AbortSignal.timeout(4000) })
        .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));`,
    ]);
    return true;
  } catch {
    return false;
  }
}

async function observe() {
  const [ab, ba, a, b] = await Promise.all([
    udpDelivered('a', 'b'),
    udpDelivered('b', 'a'),
    signalingUp('a'),
    signalingUp('b'),
  ]);
  return { 'a→b': ab, 'b→a': ba, signalingA: a, signalingB: b };
}

const open = { 'a→b': true, 'b→a': true, signalingA: true, signalingB: true };
const cases: [string, FaultSpec, typeof open][] = [
  ['media', 'media', { ...open, 'a→b': false, 'b→a': false }],
  [
    'full cut of a',
    { kind: 'full', peer: 'a' },
    { ...open, 'a→b': false, 'b→a': false, signalingA: false },
  ],
  [
    'link down on a',
    { kind: 'linkDown', peer: 'a' },
    { ...open, 'a→b': false, 'b→a': false, signalingA: false },
  ],
  ['one direction a→b', { kind: 'oneDirection', from: 'a', to: 'b' }, { ...open, 'a→b': false }],
  // New sockets on A use its new address, so A still reaches B and the router; its old one is gone.
  ['readdress a', { kind: 'readdress', peer: 'a' }, { ...open, 'b→a': false }],
  [
    'loss with probability 1',
    { kind: 'loss', probability: 1 },
    { ...open, 'a→b': false, 'b→a': false },
  ],
];

/** The IPv4 addresses on `peer`'s end of its link. */
async function addressesOf(peer: Peer): Promise<string[]> {
  const shown = await run('ip', [
    ...['-n', topology.namespaces[peer], '-4', '-o', 'addr', 'show', 'dev'],
    topology.links[peer].peer,
  ]);
  return [...shown.matchAll(/\binet ([\d.]+)\//g)].map((m) => m[1] ?? '');
}

test('everything is reachable with no fault', async () => {
  expect(await observe()).toEqual(open);
});

for (const [name, spec, expected] of cases) {
  test(`${name} cuts what it claims and restores all of it`, async () => {
    const cut = await faults.cut(spec);
    expect(await observe()).toEqual(expected);
    const { cutAt, restoredAt } = await cut.restore();
    expect(restoredAt).toBeGreaterThan(cutAt);
    await sleep(100); // a link coming up needs a moment before it carries traffic
    expect(await observe()).toEqual(open);
  });
}

test('readdress moves the address and restore moves it back', async () => {
  const cut = await faults.readdress('a');
  expect(await addressesOf('a')).toEqual([readdressTarget(topology, 'a')]);
  await cut.restore();
  expect(await addressesOf('a')).toEqual([topology.addresses.a]);
});

test('clear() lifts faults left in place', async () => {
  await faults.cut('media');
  await faults.cut({ kind: 'linkDown', peer: 'b' });
  await faults.readdress('a');
  await faults.readdress('b', '10.77.2.77');
  await faults.clear();
  expect(await addressesOf('a')).toEqual([topology.addresses.a]);
  expect(await addressesOf('b')).toEqual([topology.addresses.b]);
  await sleep(100);
  expect(await observe()).toEqual(open);
});
