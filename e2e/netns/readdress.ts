// The 'readdress' fault's steps and their cleanup, the same in both topologies: they touch only
// the peer's own end of its link, never a router.

import type { Step } from './fault-steps';
import { ipStep } from './fault-steps';
import { run } from './sh';
import type { Peer, Topology } from './topology';

/** Prefix length of every peer link's subnet (see topology.ts and nat-topology.ts). */
const LINK_PREFIX = 24;

/** The address a 'readdress' fault moves `peer` to by default: host 50 on the same subnet. */
export function readdressTarget(topology: Topology, peer: Peer): string {
  return topology.addresses[peer].replace(/\.\d+$/, '.50');
}

// With promotion, deleting a link's primary address promotes the next one instead of deleting
// every address of the subnet with it, so the routes via the router survive a readdress.
function promoteSecondaries(topology: Topology, peer: Peer): string[] {
  return [
    ...['netns', 'exec', topology.namespaces[peer], 'sysctl', '-qw'],
    `net.ipv4.conf.${topology.links[peer].peer}.promote_secondaries=1`,
  ];
}

function addrCmd(topology: Topology, peer: Peer, op: 'add' | 'del', address: string): string[] {
  const dev = topology.links[peer].peer;
  return ['-n', topology.namespaces[peer], 'addr', op, `${address}/${LINK_PREFIX}`, 'dev', dev];
}

/** Adds `next` on `peer`'s link, then deletes the original address; undo does the reverse. */
export function readdressSteps(topology: Topology, peer: Peer, address?: string): Step[] {
  const original = topology.addresses[peer];
  const next = address ?? readdressTarget(topology, peer);
  if (next === original) throw new Error(`readdress: ${peer} already has ${next}`);
  const promote = promoteSecondaries(topology, peer);
  const add = addrCmd(topology, peer, 'add', next);
  const del = addrCmd(topology, peer, 'del', next);
  const addOriginal = addrCmd(topology, peer, 'add', original);
  const delOriginal = addrCmd(topology, peer, 'del', original);
  return [ipStep(promote, promote), ipStep(add, del), ipStep(delOriginal, addOriginal)];
}

/** Gives `peer` back exactly its original address, whatever a test left behind. */
export async function restoreOriginalAddress(topology: Topology, peer: Peer): Promise<void> {
  const ns = topology.namespaces[peer];
  const dev = topology.links[peer].peer;
  // Original address first, then the others: with promotion, the routes never go away.
  await run('ip', promoteSecondaries(topology, peer));
  const original = topology.addresses[peer];
  const shown = await run('ip', ['-n', ns, '-4', '-o', 'addr', 'show', 'dev', dev]);
  const present = [...shown.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\/(\d+)/g)].map((m) => ({
    address: m[1] ?? '',
    cidr: `${m[1] ?? ''}/${m[2] ?? ''}`,
  }));
  if (!present.some((p) => p.address === original)) {
    await run('ip', addrCmd(topology, peer, 'add', original));
  }
  for (const other of present.filter((p) => p.address !== original)) {
    await run('ip', ['-n', ns, 'addr', 'del', other.cidr, 'dev', dev]);
  }
}
