// Owns the network faults between the peers: what each one is, applying it (flat topology: in the
// router namespace; NAT: nat-faults.ts) with exact timestamps of when it took effect and when it
// was lifted, and lifting everything between trials.

import { clearTaggedRules, dropRule, ipStep, type Step } from './fault-steps';
import { clearNatFaults, natSteps, type TurnControl } from './nat-faults';
import { readdressSteps, readdressTarget, restoreOriginalAddress } from './readdress';
import { run, sleep } from './sh';
import { PEERS, type FlatTopology, type Peer, type Topology } from './topology';

export { RULE_COMMENT } from './fault-steps';
export { readdressTarget };
export type { TurnControl };

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
  | { readonly kind: 'loss'; readonly probability: number }
  /**
   * NAT topology only: `peer`'s home router drops every UDP packet it would forward, both ways.
   * TCP still passes: signaling, and TURN over TCP or TLS.
   */
  | { readonly kind: 'udpBlocked'; readonly peer: Peer }
  /**
   * NAT topology only: `peer`'s home router loses its NAT state (conntrack flushed, mapping rule
   * switched), so every flow it carries, UDP or TCP, gets a new public port. An event rather than
   * a state: the old mappings stay dead, `restore()` has nothing to lift and returns at once.
   */
  | { readonly kind: 'natReset'; readonly peer: Peer }
  /**
   * NAT topology only: every TURN server is killed, losing its allocations; restore starts them
   * again with the same configuration and resolves once they answer.
   */
  | { readonly kind: 'turnDown' };

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
  udpBlocked(peer: Peer): Promise<Cut>;
  natReset(peer: Peer): Promise<Cut>;
  turnDown(): Promise<Cut>;
  /**
   * Lifts every fault this harness ever applied (tagged rules, downed links; in NAT also the
   * mapping switch and a stopped TURN server), and gives each peer back its original address.
   */
  clear(): Promise<void>;
}

/** What `createFaults` needs besides the topology. */
export interface FaultsOptions {
  /** The TURN servers, for 'turnDown' (NAT topology). */
  readonly turn?: TurnControl;
}

/** Creates the fault controller for `topology`. */
export function createFaults(topology: Topology, options: FaultsOptions = {}): Faults {
  const stepsFor = (spec: FaultSpec): Step[] =>
    topology.kind === 'nat' ? natSteps(topology, spec, options.turn) : flatSteps(topology, spec);

  const cut = async (spec: FaultSpec): Promise<Cut> => {
    const steps = stepsFor(spec);
    const cutBeganAt = Date.now();
    for (const step of steps) await step.apply();
    const cutAt = Date.now();
    let restoring: Promise<CutWindow> | undefined;
    const restore = (): Promise<CutWindow> => {
      restoring ??= (async () => {
        const restoreBeganAt = Date.now();
        for (const step of [...steps].reverse()) await step.undo();
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
    udpBlocked: (peer) => cut({ kind: 'udpBlocked', peer }),
    natReset: (peer) => cut({ kind: 'natReset', peer }),
    turnDown: () => cut({ kind: 'turnDown' }),
    async clear() {
      if (topology.kind === 'nat') {
        await clearNatFaults(topology, options.turn);
      } else {
        await clearTaggedRules(topology.namespaces.router);
        for (const peer of PEERS) {
          const dev = topology.links[peer].router;
          await run('ip', ['-n', topology.namespaces.router, 'link', 'set', dev, 'up']);
        }
      }
      for (const peer of PEERS) await restoreOriginalAddress(topology, peer);
    },
  };
}

/** The loss fault's match, checked. */
export function lossMatch(probability: number): string[] {
  if (!(probability >= 0 && probability <= 1)) {
    throw new Error(`loss: probability must be in [0, 1], got ${probability}`);
  }
  return ['-m', 'statistic', '--mode', 'random', '--probability', String(probability)];
}

// Steps are applied in order and undone in reverse, so the step that cuts the peer-to-peer path
// goes last: `cutAt` is the moment the cut is complete, `restoredAt` the moment all is open again.
function flatSteps(topology: FlatTopology, spec: FaultSpec): Step[] {
  const router = topology.namespaces.router;
  const routerLink = (peer: Peer): string => topology.links[peer].router;
  const rule = (chain: string, ...match: string[]): Step => dropRule(router, chain, ...match);
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
        ipStep(
          ['-n', router, 'link', 'set', dev, 'down'],
          ['-n', router, 'link', 'set', dev, 'up'],
        ),
      ];
    }
    case 'oneDirection':
      return [rule('FORWARD', '-i', routerLink(spec.from), '-o', routerLink(spec.to))];
    case 'readdress':
      return readdressSteps(topology, spec.peer, spec.address);
    case 'loss':
      return [rule('FORWARD', ...lossMatch(spec.probability))];
    case 'udpBlocked':
    case 'natReset':
    case 'turnDown':
      throw new Error(
        `${spec.kind} needs the NAT topology: setUpHarness({ network: { kind: 'nat', a, b } })`,
      );
  }
}
