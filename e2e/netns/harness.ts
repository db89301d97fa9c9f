// The one entry point tests and the benchmark use: builds the namespaces (flat, or NAT with its
// TURN servers), starts the server and the two browsers, and hands back pages, faults, a
// timeline and one teardown.

import type { Page } from '@playwright/test';
import { launchPeerBrowsers, type PeerBrowsers } from './browsers';
import { createFaults, type Faults } from './faults';
import { startRouterServer, type RouterServer } from './router';
import { Timeline } from './timeline';
import {
  createTopology,
  natUnavailableReason,
  netnsUnavailableReason,
  type FlatNetwork,
  type NatNetwork,
  type NatTopology,
  type NetworkSpec,
  type Peer,
  type Topology,
} from './topology';
import { startTurnServers, type TurnServers } from './turn';

export { natUnavailableReason, netnsUnavailableReason, Timeline };
export type { Faults, NatNetwork, NatTopology, NetworkSpec, Peer, Topology, TurnServers };
export type { Cut, CutWindow, FaultSpec } from './faults';
export type { NatKind } from './home-nat';
export type { TimelineEvent } from './timeline';
export type { TurnTransport } from './turn-credentials';

/** Everything a netns test needs. */
export interface Harness {
  readonly pages: Readonly<Record<Peer, Page>>;
  /** Base URL of the router's server, e.g. http://10.77.0.1:8080 (reachable from both pages). */
  readonly routerUrl: string;
  readonly faults: Faults;
  /** Both pages' "[rpt] " logs, attached before any navigation. */
  readonly timeline: Timeline;
  readonly topology: Topology;
  readonly server: RouterServer;
  /** The TURN (and STUN) servers in the NAT topology's core; none in the flat topology. */
  readonly turn: TurnServers | undefined;
  readonly browsers: PeerBrowsers;
  /** Between trials: lifts all faults, empties the relay and the timeline. */
  resetTrial(): Promise<void>;
  /** Closes browsers, stops the server, removes the namespaces; idempotent, never throws. */
  teardown(): Promise<void>;
}

/** A harness in the NAT topology: always with its TURN servers. */
export interface NatHarness extends Harness {
  readonly topology: NatTopology;
  readonly turn: TurnServers;
}

/** Options of `setUpHarness`. */
export interface HarnessOptions<N extends NetworkSpec = NetworkSpec> {
  /** The server's port inside the namespaces. @default 8080 */
  readonly port?: number;
  /** Which network to build. @default { kind: 'flat' } */
  readonly network?: N;
}

/** Builds the whole harness; on failure, undoes whatever part was already built. */
export function setUpHarness(options?: HarnessOptions<FlatNetwork>): Promise<Harness>;
export function setUpHarness(
  options: HarnessOptions<NatNetwork> & { readonly network: NatNetwork },
): Promise<NatHarness>;
export async function setUpHarness(options: HarnessOptions = {}): Promise<Harness> {
  const topology = await createTopology(
    options.network === undefined ? {} : { network: options.network },
  );
  let server: RouterServer | undefined;
  let turn: TurnServers | undefined;
  let browsers: PeerBrowsers | undefined;
  let tearingDown: Promise<void> | undefined;
  const teardown = (): Promise<void> => {
    tearingDown ??= (async () => {
      await browsers?.close().catch((error: unknown) => {
        console.error('[rpt] browsers:', error);
      });
      await server?.stop().catch((error: unknown) => {
        console.error('[rpt] server:', error);
      });
      await turn?.close().catch((error: unknown) => {
        console.error('[rpt] turn:', error);
      });
      topology.destroy();
    })();
    return tearingDown;
  };
  try {
    server = await startRouterServer(
      topology,
      options.port === undefined ? {} : { port: options.port },
    );
    if (topology.kind === 'nat') turn = await startTurnServers(topology);
    browsers = await launchPeerBrowsers(topology, { origin: server.url });
    const faults = createFaults(topology, turn ? { turn } : {});
    const timeline = new Timeline();
    timeline.attach('a', browsers.pages.a);
    timeline.attach('b', browsers.pages.b);
    const started = server;
    return {
      pages: browsers.pages,
      routerUrl: server.url,
      faults,
      timeline,
      topology,
      server,
      turn,
      browsers,
      async resetTrial() {
        await faults.clear();
        await started.reset();
        timeline.clear();
      },
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}
