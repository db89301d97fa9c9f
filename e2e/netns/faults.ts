// Owns the network faults between the peers: each cut is applied in the router namespace, tagged
// so cleanup finds it, and reports exactly when it took effect and when it was lifted.

import type { Peer, Topology } from './topology';
import { run, sleep } from './sh';

/** Which fault to apply. */
export type FaultSpec =
  /** Router drops forwarded packets: the peer-to-peer path dies, signaling to the router stays up. */
  | 'media'
  /** As 'media', plus the router's traffic on `peer`'s link: that peer's WebSocket is blackholed. */
  | { readonly kind: 'full'; readonly peer: Peer }
  /** The router's end of `peer`'s link goes down: the kernel sees it, TCP gets errors. */
  | { readonly kind: 'linkDown'; readonly peer: Peer }
  /** Router drops forwarded packets from `from` to `to` only. */
  | { readonly kind: 'oneDirection'; readonly from: Peer; readonly to: Peer }
  /**
   * `peer` moves to another address on its link (a laptop changing networks): `address` (default
   * `readdressTarget(peer)`) is added, then the original one deleted, so every socket bound to the
   * old address is dead (media path and WebSocket alike) while new ones work. Restore puts the
   * original address back and deletes the new one.
   */
  | { readonly kind: 'readdress'; readonly peer: Peer; readonly address?: string }
  /** Router drops each forwarded packet with `probability` (0..1), both directions. */
  | { readonly kind: 'loss'; readonly probability: number };

/** Prefix length of every peer link's subnet (see topology.ts). */
const LINK_PREFIX = 24;

/** The address a 'readdress' fault moves `peer` to by default: host 50 on the same subnet. */
export function readdressTarget(topology: Topology, peer: Peer): string {
  return topology.addresses[peer].replace(/\.\d+$/, '.50');
}

/**
 * When a fault took effect and when it was lifted, `Date.now()` ms. A command takes ~10-20 ms and
 * its effect lands somewhere inside it, so each instant has an "began" bound: the cut took effect
 * in (cutBeganAt, cutAt], the path reopened in (restoreBeganAt, restoredAt]. Wait for events from
 * the "began" bound, or a reconnection that happens within those milliseconds is missed.
 */
export interface CutWindow {
  readonly cutBeganAt: number;
  readonly cutAt: number;
  readonly restoreBeganAt: number;
  readonly restoredAt: number;
}

/** A fault in effect; `restore` is idempotent and resolves with the same window every time. */
export interface Cut {
  readonly spec: FaultSpec;
  readonly cutBeganAt: number;
  readonly cutAt: number;
  restore(): Promise<CutWindow>;
}

/** Applies faults to one topology. */
export interface Faults {
  cut(spec: FaultSpec): Promise<Cut>;
  /** Cuts, holds the cut for `durationMs` from `cutAt`, restores. */
  outage(spec: FaultSpec, durationMs: number): Promise<CutWindow>;
  mediaPath(): Promise<Cut>;
  fullCut(peer: Peer): Promise<Cut>;
  linkDown(peer: Peer): Promise<Cut>;
  oneDirection(from: Peer, to: Peer): Promise<Cut>;
  readdress(peer: Peer, address?: string): Promise<Cut>;
  loss(probability: number): Promise<Cut>;
  /**
   * Lifts every fault this harness ever applied (tagged rules, downed links), and gives each peer
   * back exactly its original address.
   */
  clear(): Promise<void>;
}

/** Every iptables rule a fault adds carries this comment. */
export const RULE_COMMENT = 'rpt-fault';

type Step = { readonly apply: string[]; readonly undo: string[] };

/** Creates the fault controller for `topology`. */
export function createFaults(topology: Topology): Faults {
  const router = topology.namespaces.router;
  const routerLink = (peer: Peer): string => topology.links[peer].router;
  const peerLink = (peer: Peer): string => topology.links[peer].peer;
  const ns = (peer: Peer): string => topology.namespaces[peer];
  // With promotion, deleting a link's primary address promotes the next one instead of deleting
  // every address of the subnet with it, so the routes via the router survive a readdress.
  const promoteSecondaries = (peer: Peer): string[] => [
    ...['netns', 'exec', ns(peer), 'sysctl', '-qw'],
    `net.ipv4.conf.${peerLink(peer)}.promote_secondaries=1`,
  ];
  const addrCmd = (peer: Peer, op: 'add' | 'del', address: string): string[] => [
    ...['-n', ns(peer), 'addr', op, `${address}/${LINK_PREFIX}`, 'dev', peerLink(peer)],
  ];
  const rule = (chain: string, ...match: string[]): Step => {
    const spec = [chain, ...match, '-m', 'comment', '--comment', RULE_COMMENT, '-j', 'DROP'];
    return {
      apply: ['netns', 'exec', router, 'iptables', '-w', '-I', ...spec],
      undo: ['netns', 'exec', router, 'iptables', '-w', '-D', ...spec],
    };
  };

  // Steps are applied in order and undone in reverse, so the step that cuts the peer-to-peer path
  // goes last: `cutAt` is the moment the cut is complete, `restoredAt` the moment all is open again.
  const stepsFor = (spec: FaultSpec): Step[] => {
    if (spec === 'media') return [rule('FORWARD')];
    switch (spec.kind) {
      case 'full':
        return [
          rule('INPUT', '-i', routerLink(spec.peer)),
          rule('OUTPUT', '-o', routerLink(spec.peer)),
          rule('FORWARD'),
        ];
      case 'linkDown': {
        const dev = routerLink(spec.peer);
        return [
          {
            apply: ['-n', router, 'link', 'set', dev, 'down'],
            undo: ['-n', router, 'link', 'set', dev, 'up'],
          },
        ];
      }
      case 'oneDirection':
        return [rule('FORWARD', '-i', routerLink(spec.from), '-o', routerLink(spec.to))];
      case 'readdress': {
        const { peer } = spec;
        const original = topology.addresses[peer];
        const next = spec.address ?? readdressTarget(topology, peer);
        if (next === original) throw new Error(`readdress: ${peer} already has ${next}`);
        const promote = promoteSecondaries(peer);
        return [
          { apply: promote, undo: promote },
          { apply: addrCmd(peer, 'add', next), undo: addrCmd(peer, 'del', next) },
          { apply: addrCmd(peer, 'del', original), undo: addrCmd(peer, 'add', original) },
        ];
      }
      case 'loss': {
        const p = spec.probability;
        if (!(p >= 0 && p <= 1)) throw new Error(`loss: probability must be in [0, 1], got ${p}`);
        const match = ['-m', 'statistic', '--mode', 'random', '--probability', String(p)];
        return [rule('FORWARD', ...match)];
      }
    }
  };

  const cut = async (spec: FaultSpec): Promise<Cut> => {
    const steps = stepsFor(spec);
    const cutBeganAt = Date.now();
    for (const step of steps) await run('ip', step.apply);
    const cutAt = Date.now();
    let restoring: Promise<CutWindow> | undefined;
    const restore = (): Promise<CutWindow> => {
      restoring ??= (async () => {
        const restoreBeganAt = Date.now();
        for (const step of [...steps].reverse()) await run('ip', step.undo);
        return { cutBeganAt, cutAt, restoreBeganAt, restoredAt: Date.now() };
      })();
      return restoring;
    };
    return { spec, cutBeganAt, cutAt, restore };
  };

  return {
    cut,
    async outage(spec, durationMs) {
      const active = await cut(spec);
      await sleep(active.cutAt + durationMs - Date.now());
      return active.restore();
    },
    mediaPath: () => cut('media'),
    fullCut: (peer) => cut({ kind: 'full', peer }),
    linkDown: (peer) => cut({ kind: 'linkDown', peer }),
    oneDirection: (from, to) => cut({ kind: 'oneDirection', from, to }),
    readdress: (peer, address) =>
      cut(
        address === undefined ? { kind: 'readdress', peer } : { kind: 'readdress', peer, address },
      ),
    loss: (probability) => cut({ kind: 'loss', probability }),
    async clear() {
      const saved = await run('ip', ['netns', 'exec', router, 'iptables-save', '-t', 'filter']);
      for (const line of saved.split('\n')) {
        if (!line.startsWith('-A ') || !line.includes(`--comment ${RULE_COMMENT}`)) continue;
        // iptables-save prints the rule as it was added; the same words after -D delete it.
        const words = line.slice(3).split(' ');
        await run('ip', ['netns', 'exec', router, 'iptables', '-w', '-D', ...words]);
      }
      for (const peer of ['a', 'b'] as const) {
        await run('ip', ['-n', router, 'link', 'set', routerLink(peer), 'up']);
        // Original address first, then the others: with promotion, the routes never go away.
        await run('ip', promoteSecondaries(peer));
        const original = topology.addresses[peer];
        const shown = await run('ip', [
          '-n',
          ns(peer),
          '-4',
          '-o',
          'addr',
          'show',
          'dev',
          peerLink(peer),
        ]);
        const present = [...shown.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\/(\d+)/g)].map((m) => ({
          address: m[1] ?? '',
          cidr: `${m[1] ?? ''}/${m[2] ?? ''}`,
        }));
        if (!present.some((p) => p.address === original)) {
          await run('ip', addrCmd(peer, 'add', original));
        }
        for (const other of present.filter((p) => p.address !== original)) {
          await run('ip', ['-n', ns(peer), 'addr', 'del', other.cidr, 'dev', peerLink(peer)]);
        }
      }
    },
  };
}
