// The faults of the NAT topology, applied in the home routers (and to the TURN servers) so that
// each keeps the flat topology's meaning: 'media' cuts every path between the peers, relayed or
// not, while signaling stays up; 'full' and 'linkDown' cut everything of one peer.

import { clearTaggedRules, dropRule, ipStep, type Step } from './fault-steps';
import type { FaultSpec } from './faults';
import { lossMatch } from './faults';
import { readdressSteps } from './readdress';
import { run } from './sh';
import { PEERS, type NatTopology, type Peer } from './topology';

/** What the 'turnDown' fault needs from the TURN servers. */
export interface TurnControl {
  /** Kills every server and resolves once they are gone. */
  stop(): Promise<void>;
  /** Starts every stopped server and resolves once each answers; a no-op for running ones. */
  start(): Promise<void>;
}

/** The steps of `spec` in `topology`; see `FaultSpec` for what each one means. */
export function natSteps(topology: NatTopology, spec: FaultSpec, turn?: TurnControl): Step[] {
  const home = (peer: Peer) => topology.nat.homes[peer];
  const rule = (peer: Peer, chain: string, ...match: string[]): Step =>
    dropRule(home(peer).namespace, chain, ...match);
  // Only the page + signaling server lives on this address; TURN has addresses of its own, so
  // sparing it spares signaling alone.
  const service = topology.addresses.service;
  const notSignaling = ['!', '-s', service, '!', '-d', service];

  if (spec === 'media') return PEERS.map((peer) => rule(peer, 'FORWARD', ...notSignaling));
  switch (spec.kind) {
    case 'full': {
      const { lan } = home(spec.peer);
      return [
        rule(spec.peer, 'INPUT', '-i', lan),
        rule(spec.peer, 'OUTPUT', '-o', lan),
        rule(spec.peer, 'FORWARD'),
      ];
    }
    case 'linkDown': {
      const { namespace, lan } = home(spec.peer);
      const set = (state: string): string[] => ['-n', namespace, 'link', 'set', lan, state];
      return [ipStep(set('down'), set('up'))];
    }
    case 'oneDirection':
      // Dropped on the way in to `to`, not on the way out of `from`: a packet dropped before it
      // leaves would never open `from`'s NAT mapping, and `to`'s packets could not get in either.
      // A relayed path is cut too, and with it `to`'s own TURN traffic (it shares the server).
      return [rule(spec.to, 'FORWARD', '-o', home(spec.to).lan, '!', '-s', service)];
    case 'readdress':
      return readdressSteps(topology, spec.peer, spec.address);
    case 'loss': {
      // Each packet between the peers leaves exactly one home router towards the core, relayed or
      // not, so dropping there loses `probability` of each direction, not twice that.
      const match = lossMatch(spec.probability);
      return PEERS.map((peer) =>
        rule(peer, 'FORWARD', '-i', home(peer).lan, '!', '-d', service, ...match),
      );
    }
    case 'udpBlocked':
      return [rule(spec.peer, 'FORWARD', '-p', 'udp')];
    case 'natReset': {
      const { nat } = home(spec.peer);
      return [{ apply: () => nat.lose(), undo: () => Promise.resolve() }];
    }
    case 'turnDown': {
      if (!turn) throw new Error('turnDown: this harness runs no TURN server');
      return [{ apply: () => turn.stop(), undo: () => turn.start() }];
    }
  }
}

/** Lifts every NAT-topology fault: tagged rules, downed links, switched mappings, stopped TURN. */
export async function clearNatFaults(topology: NatTopology, turn?: TurnControl): Promise<void> {
  for (const peer of PEERS) {
    const { namespace, lan, nat } = topology.nat.homes[peer];
    await clearTaggedRules(namespace);
    await run('ip', ['-n', namespace, 'link', 'set', lan, 'up']);
    await nat.reset();
  }
  await turn?.start();
}
