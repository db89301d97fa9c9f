// Owns the network namespaces (flat: peer A, peer B, router; NAT: see nat-topology.ts), their
// veth links, addresses and routes; the lock that keeps two harness runs from sharing them; and
// their removal on every exit.

import { accessSync, constants, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { onProcessExit } from './cleanup';
import type { NatKind } from './home-nat';
import { buildNat, natNames, NAT_ADDRESSES, type NatLayout } from './nat-topology';
import { run, runSync, sleep } from './sh';

export type { NatKind, NatLayout };

/** One of the two call peers. */
export type Peer = 'a' | 'b';

/** Both peers, A first (A joins a relay room first, so it is the impolite side). */
export const PEERS: readonly Peer[] = ['a', 'b'];

/** Which network to build. */
export type NetworkSpec = FlatNetwork | NatNetwork;
/** Today's routed topology: A – router – B, no NAT; the router hosts the server. */
export interface FlatNetwork {
  readonly kind: 'flat';
}
/** Each peer behind its own home router, NATing as `a` / `b` say; a public core in between. */
export interface NatNetwork {
  readonly kind: 'nat';
  readonly a: NatKind;
  readonly b: NatKind;
}

/**
 * Every name this harness creates is this prefix plus [a-z0-9]+, so it never touches anything
 * else. `RPT_NETNS_PREFIX` (e.g. `rpt2-`) gives a second, concurrent run its own namespaces.
 */
export const PREFIX = netnsPrefix(process.env.RPT_NETNS_PREFIX ?? workerPrefix());

/** Namespace names. */
export const NAMESPACES = { a: `${PREFIX}a`, b: `${PREFIX}b`, router: `${PREFIX}r` } as const;

/** Interface names: each peer's end of its link, and the router's end of the same link. */
export const LINKS = {
  a: { peer: `${PREFIX}a0`, router: `${PREFIX}ra` },
  b: { peer: `${PREFIX}b0`, router: `${PREFIX}rb` },
} as const;

/**
 * Playwright runs netns spec files in several workers at once (playwright.config.ts); each worker
 * gets its own namespaces. The first keeps the historical `rpt-`.
 */
function workerPrefix(): string | undefined {
  const index = Number(process.env.TEST_PARALLEL_INDEX ?? '0');
  return index > 0 ? `rpt${index}-` : undefined;
}

/** The prefix from the environment, checked: short enough for interface names (15 chars). */
function netnsPrefix(fromEnv: string | undefined): string {
  const prefix = fromEnv ?? 'rpt-';
  if (!/^[a-z][a-z0-9]{1,5}-$/.test(prefix)) {
    throw new Error(
      `RPT_NETNS_PREFIX must be 2-6 of a-z0-9 and a dash, like "rpt2-"; got ${prefix}`,
    );
  }
  return prefix;
}

/** Whether `name` is one of this prefix's namespaces (and not another prefix's, e.g. rpt-x-a). */
export function ownsName(name: string): boolean {
  return name.startsWith(PREFIX) && /^[a-z0-9]+$/.test(name.slice(PREFIX.length));
}

/**
 * Addresses; they exist only inside the namespaces. The server listens on `service`, an address on
 * the router's loopback routed from both peers, so one URL works for both and taking one peer's
 * link down does not take the other's signaling with it (a downed link's own addresses vanish).
 */
export const ADDRESSES = {
  a: '10.77.1.2',
  routerOnA: '10.77.1.1',
  b: '10.77.2.2',
  routerOnB: '10.77.2.1',
  service: '10.77.0.1',
} as const;

/** What both topologies have; `destroy` is idempotent and synchronous so exit handlers can call it. */
interface TopologyBase {
  /** The peers' namespaces, and `router`: where the server runs (the router; the core in NAT). */
  readonly namespaces: { readonly a: string; readonly b: string; readonly router: string };
  /** Each peer's link: the peer's end, and the far end (in the router; in its home router in NAT). */
  readonly links: Readonly<Record<Peer, { readonly peer: string; readonly router: string }>>;
  /** The peers' own addresses, and the server's, reachable from both peers. */
  readonly addresses: { readonly a: string; readonly b: string; readonly service: string };
  destroy(): void;
}

/** The flat routed topology (the default). */
export interface FlatTopology extends TopologyBase {
  readonly kind: 'flat';
  readonly namespaces: typeof NAMESPACES;
  readonly links: typeof LINKS;
  readonly addresses: typeof ADDRESSES;
}

/** The NAT topology: home routers and a public core (nat-topology.ts). */
export interface NatTopology extends TopologyBase {
  readonly kind: 'nat';
  readonly nat: NatLayout;
}

/** The live topology. */
export type Topology = FlatTopology | NatTopology;

const LOCK_FILE = join(tmpdir(), `${PREFIX}netns.lock`);

/** Why network namespaces cannot be used here, or undefined when they can. */
export function netnsUnavailableReason(): string | undefined {
  if (process.platform !== 'linux')
    return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0 && !hasCapNetAdmin()) {
    return 'network namespaces need root or CAP_NET_ADMIN';
  }
  for (const tool of ['ip', 'iptables']) {
    if (!onPath(tool)) return `\`${tool}\` is not installed (apt-get install iproute2 iptables)`;
  }
  return undefined;
}

/** Why the NAT topology (and its TURN servers) cannot be used here, or undefined when it can. */
export function natUnavailableReason(): string | undefined {
  const tools = [
    ['nft', 'nftables'],
    ['conntrack', 'conntrack'],
    ['turnserver', 'coturn'],
    ['openssl', 'openssl'],
  ] as const;
  for (const [tool, pkg] of tools) {
    if (!onPath(tool)) return `\`${tool}\` is not installed (apt-get install ${pkg})`;
  }
  return netnsUnavailableReason();
}

/** Options of `createTopology`. */
export interface TopologyOptions<N extends NetworkSpec = NetworkSpec> {
  /** How long to wait for another live run of the same prefix. @default 120_000 */
  readonly lockTimeoutMs?: number;
  /** @default { kind: 'flat' } */
  readonly network?: N;
}

/**
 * Creates the namespaces, replacing stale ones a crashed earlier run left behind. Waits up to
 * `lockTimeoutMs` while another live process holds them, since the names are fixed.
 */
export function createTopology(options?: TopologyOptions<FlatNetwork>): Promise<FlatTopology>;
export function createTopology(
  options: TopologyOptions<NatNetwork> & { readonly network: NatNetwork },
): Promise<NatTopology>;
export function createTopology(options?: TopologyOptions): Promise<Topology>;
export async function createTopology(options: TopologyOptions = {}): Promise<Topology> {
  const network = options.network ?? { kind: 'flat' };
  const reason = network.kind === 'nat' ? natUnavailableReason() : netnsUnavailableReason();
  if (reason) throw new Error(reason);
  await acquireLock(options.lockTimeoutMs ?? 120_000);
  removeNamespaces();
  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    unregister();
    removeNamespaces();
    releaseLock();
  };
  const unregister = onProcessExit(destroy);
  try {
    if (network.kind === 'flat') {
      await build();
      return { kind: 'flat', namespaces: NAMESPACES, links: LINKS, addresses: ADDRESSES, destroy };
    }
    const nat = await buildNat(PREFIX, { a: network.a, b: network.b });
    const { namespaces, links } = natNames(PREFIX);
    const { a, b, service } = NAT_ADDRESSES;
    return { kind: 'nat', namespaces, links, addresses: { a, b, service }, nat, destroy };
  } catch (error) {
    destroy();
    throw error;
  }
}

async function build(): Promise<void> {
  const { a, b, router } = NAMESPACES;
  for (const ns of [a, b, router]) {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // IPv6 link-local addresses would only add candidates that can never connect across the router.
    await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
  }
  // Create each veth pair directly inside its namespaces: the root namespace never sees them.
  for (const peer of PEERS) {
    const link = LINKS[peer];
    await run('ip', [
      ...['-n', NAMESPACES[peer], 'link', 'add', link.peer, 'type', 'veth'],
      ...['peer', 'name', link.router, 'netns', router],
    ]);
  }
  const addr = async (ns: string, dev: string, cidr: string): Promise<void> => {
    await run('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', dev]);
    await run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  };
  await addr(a, LINKS.a.peer, `${ADDRESSES.a}/24`);
  await addr(router, LINKS.a.router, `${ADDRESSES.routerOnA}/24`);
  await addr(b, LINKS.b.peer, `${ADDRESSES.b}/24`);
  await addr(router, LINKS.b.router, `${ADDRESSES.routerOnB}/24`);
  await run('ip', ['-n', router, 'addr', 'add', `${ADDRESSES.service}/32`, 'dev', 'lo']);
  // No default route anywhere: a packet for any other address has nowhere to go.
  for (const dest of ['10.77.2.0/24', `${ADDRESSES.service}/32`]) {
    await run('ip', ['-n', a, 'route', 'add', dest, 'via', ADDRESSES.routerOnA]);
  }
  for (const dest of ['10.77.1.0/24', `${ADDRESSES.service}/32`]) {
    await run('ip', ['-n', b, 'route', 'add', dest, 'via', ADDRESSES.routerOnB]);
  }
  await run('ip', ['netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
}

/**
 * Deletes every namespace of this prefix. Any process still inside one was started by this harness (the
 * lock guarantees no other live run owns them), so it is killed by PID first: deleting a namespace
 * does not stop its processes, and they would keep their veth alive.
 */
function removeNamespaces(): void {
  const list = runSync('ip', ['netns', 'list']) ?? '';
  const names = list
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(ownsName);
  for (const ns of names) {
    for (const pid of (runSync('ip', ['netns', 'pids', ns]) ?? '').split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    runSync('ip', ['netns', 'del', ns]);
  }
}

async function acquireLock(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: 'wx' });
      return;
    } catch {
      const owner = Number(readFileSync(LOCK_FILE, { encoding: 'utf8', flag: 'r' }).trim());
      if (owner === process.pid) return;
      if (!Number.isInteger(owner) || owner <= 0 || !isAlive(owner)) {
        rmSync(LOCK_FILE, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `another harness run (pid ${owner}) owns the ${PREFIX} namespaces (${LOCK_FILE})`,
        );
      }
      await sleep(500);
    }
  }
}

function releaseLock(): void {
  try {
    if (readFileSync(LOCK_FILE, 'utf8').trim() === String(process.pid)) rmSync(LOCK_FILE);
  } catch {
    // No lock file: nothing to release.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function hasCapNetAdmin(): boolean {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
    const CAP_NET_ADMIN = 12n;
    return ((BigInt(`0x${hex}`) >> CAP_NET_ADMIN) & 1n) === 1n;
  } catch {
    return false;
  }
}

function onPath(tool: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
