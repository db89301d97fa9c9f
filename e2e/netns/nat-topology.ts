// Owns the NAT layout: each peer in its own private subnet behind a home-router namespace doing
// source NAT, and a public core between the two home routers that hosts the page + signaling
// server and the TURN servers. Names, addresses and building; topology.ts owns lock and removal.

import { installHomeNat, type HomeNat, type NatKind } from './home-nat';
import { run } from './sh';
import type { Peer } from './topology';

/** One peer's home router. */
export interface HomeRouter {
  readonly namespace: string;
  /** Its end of the peer's link, and its address there (the peer's gateway). */
  readonly lan: string;
  readonly lanAddress: string;
  /** Its link to the core, its public address on it (what the NAT maps to), the core's end. */
  readonly wan: string;
  readonly publicAddress: string;
  readonly coreAddress: string;
  readonly coreLink: string;
  readonly nat: HomeNat;
}

/** What the NAT topology adds to the common `Topology` fields. */
export interface NatLayout {
  readonly kinds: Readonly<Record<Peer, NatKind>>;
  readonly homes: Readonly<Record<Peer, HomeRouter>>;
  /** The public core's namespace (also `namespaces.router`, where the server runs). */
  readonly core: string;
  /** Addresses on the core's loopback for the TURN servers (long-term and REST credentials). */
  readonly turnAddresses: { readonly longTerm: string; readonly rest: string };
}

/**
 * Addresses. The peers keep the flat topology's private addresses; everything public is in the
 * documentation ranges (RFC 5737) and exists only inside the namespaces. The private subnets are
 * routed nowhere outside their home, so host candidates can never connect across.
 */
export const NAT_ADDRESSES = {
  a: '10.77.1.2',
  homeOnA: '10.77.1.1',
  b: '10.77.2.2',
  homeOnB: '10.77.2.1',
  publicA: '198.51.100.2',
  coreOnA: '198.51.100.1',
  publicB: '203.0.113.2',
  coreOnB: '203.0.113.1',
  /** Page + signaling server: the only destination the media faults leave open. */
  service: '192.0.2.1',
  turn: '192.0.2.2',
  turnRest: '192.0.2.3',
} as const;

const PUBLIC_NETS = { services: '192.0.2.0/24', a: '198.51.100.0/24', b: '203.0.113.0/24' };
/** Namespace and interface names for `prefix` (each ≤ 15 characters with a 6-character prefix). */
export function natNames(prefix: string) {
  return {
    namespaces: { a: `${prefix}a`, b: `${prefix}b`, router: `${prefix}c` },
    homes: { a: `${prefix}ha`, b: `${prefix}hb` },
    links: {
      a: { peer: `${prefix}a0`, router: `${prefix}la` },
      b: { peer: `${prefix}b0`, router: `${prefix}lb` },
    },
    wan: { a: `${prefix}wa`, b: `${prefix}wb` },
    coreLinks: { a: `${prefix}ca`, b: `${prefix}cb` },
  } as const;
}

/** Builds the NAT topology; the namespaces must not exist yet. Returns the layout. */
export async function buildNat(
  prefix: string,
  kinds: Readonly<Record<Peer, NatKind>>,
): Promise<NatLayout> {
  const names = natNames(prefix);
  const core = names.namespaces.router;
  const ip = (...args: string[]): Promise<string> => run('ip', args);
  const sysctl = (ns: string, setting: string): Promise<string> =>
    ip('netns', 'exec', ns, 'sysctl', '-qw', setting);
  const addr = async (ns: string, dev: string, cidr: string): Promise<void> => {
    await ip('-n', ns, 'addr', 'add', cidr, 'dev', dev);
    await ip('-n', ns, 'link', 'set', dev, 'up');
  };

  for (const ns of [names.namespaces.a, names.namespaces.b, names.homes.a, names.homes.b, core]) {
    await ip('netns', 'add', ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    // IPv6 link-local addresses would only add candidates that can never connect.
    await sysctl(ns, 'net.ipv6.conf.all.disable_ipv6=1');
  }
  for (const address of [NAT_ADDRESSES.service, NAT_ADDRESSES.turn, NAT_ADDRESSES.turnRest]) {
    await ip('-n', core, 'addr', 'add', `${address}/32`, 'dev', 'lo');
  }
  await sysctl(core, 'net.ipv4.ip_forward=1');

  const buildHome = async (peer: Peer): Promise<HomeRouter> => {
    const other: Peer = peer === 'a' ? 'b' : 'a';
    const home = names.homes[peer];
    const lanAddress = peer === 'a' ? NAT_ADDRESSES.homeOnA : NAT_ADDRESSES.homeOnB;
    const publicAddress = peer === 'a' ? NAT_ADDRESSES.publicA : NAT_ADDRESSES.publicB;
    const coreAddress = peer === 'a' ? NAT_ADDRESSES.coreOnA : NAT_ADDRESSES.coreOnB;
    // Each veth pair is created directly inside its namespaces: the root namespace never sees it.
    await ip(
      ...['-n', names.namespaces[peer], 'link', 'add', names.links[peer].peer, 'type', 'veth'],
      ...['peer', 'name', names.links[peer].router, 'netns', home],
    );
    await ip(
      ...['-n', home, 'link', 'add', names.wan[peer], 'type', 'veth'],
      ...['peer', 'name', names.coreLinks[peer], 'netns', core],
    );
    await addr(names.namespaces[peer], names.links[peer].peer, `${NAT_ADDRESSES[peer]}/24`);
    await addr(home, names.links[peer].router, `${lanAddress}/24`);
    await addr(home, names.wan[peer], `${publicAddress}/24`);
    await addr(core, names.coreLinks[peer], `${coreAddress}/24`);
    // No default route anywhere: only the public ranges are routed, and nothing leaves the core.
    for (const net of Object.values(PUBLIC_NETS)) {
      await ip('-n', names.namespaces[peer], 'route', 'add', net, 'via', lanAddress);
    }
    for (const net of [PUBLIC_NETS.services, PUBLIC_NETS[other]]) {
      await ip('-n', home, 'route', 'add', net, 'via', coreAddress);
    }
    await sysctl(home, 'net.ipv4.ip_forward=1');
    return {
      namespace: home,
      lan: names.links[peer].router,
      lanAddress,
      wan: names.wan[peer],
      publicAddress,
      coreAddress,
      coreLink: names.coreLinks[peer],
      nat: await installHomeNat(home, names.wan[peer], publicAddress, kinds[peer]),
    };
  };
  const homes = { a: await buildHome('a'), b: await buildHome('b') };
  return {
    kinds,
    homes,
    core,
    turnAddresses: { longTerm: NAT_ADDRESSES.turn, rest: NAT_ADDRESSES.turnRest },
  };
}
