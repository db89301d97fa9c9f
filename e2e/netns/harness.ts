// The one entry point tests and the benchmark use: builds the namespaces (flat, or NAT with its
// TURN servers), starts the server and the two browsers (Chromium unless a spec asks for
// Firefox), and hands back pages, faults, a timeline and one teardown.

import {
  launchPeerBrowsers,
  type ChromiumPair,
  type PeerBrowserNames,
  type PeerBrowsers,
  type PeerPage,
} from './browsers';
import { createFaults, type Faults } from './faults';
import { startRouterServer, type RouterServer } from './router';
import { sleep } from './sh';
import { Timeline } from './timeline';
import {
  createTopology,
  natUnavailableReason,
  netnsUnavailableReason,
  PEERS,
  type FlatNetwork,
  type NatNetwork,
  type NatTopology,
  type NetworkSpec,
  type Peer,
  type Topology,
} from './topology';
import { startTurnServers, type TurnServers } from './turn';

export { firefoxUnavailableReason } from './firefox';
export { natUnavailableReason, netnsUnavailableReason, PEERS, Timeline };
export type { BrowserName, ChromiumPair, PeerBrowserNames, PeerPage } from './browsers';
export type { Faults, NatNetwork, NatTopology, NetworkSpec, Peer, Topology, TurnServers };
export type { Cut, CutWindow, FaultSpec } from './faults';
export type { NatKind } from './home-nat';
export type { TimelineEvent } from './timeline';
export type { TurnTransport } from './turn-credentials';

/** What `setUpHarness` accepts. */
export interface HarnessOptions<C extends PeerBrowserNames, N extends NetworkSpec = NetworkSpec> {
  /** The router server's port inside its namespace. @default 8080 */
  readonly port?: number;
  /** Which browser each peer runs, e.g. `{ a: 'firefox', b: 'chromium' }`. @default Chromium both */
  readonly browsers?: C;
  /** Which network to build, e.g. `{ kind: 'nat', a: 'eim', b: 'symmetric' }`. @default { kind: 'flat' } */
  readonly network?: N;
  /**
   * NAT topology: Chromium peers accept the TURN servers' self-signed certificate (by its key
   * hash, nothing else), as they would a CA-signed one in production; false shows what an
   * untrusted certificate does. Firefox peers never trust it. @default true
   */
  readonly trustTurnCertificate?: boolean;
}

/** Everything a netns test needs; `C` says which browser each peer runs. */
export interface Harness<C extends PeerBrowserNames = ChromiumPair> {
  /** The native pages: Playwright's for Chromium, puppeteer's for Firefox. */
  readonly pages: PeerBrowsers<C>['pages'];
  /** The same pages behind one interface, whatever the browser. */
  readonly peers: Readonly<Record<Peer, PeerPage>>;
  /** Base URL of the router's server, e.g. http://10.77.0.1:8080 (reachable from both pages). */
  readonly routerUrl: string;
  readonly faults: Faults;
  /** Both pages' "[rpt] " logs, attached before any navigation. */
  readonly timeline: Timeline;
  readonly topology: Topology;
  /** The page and signaling server now (a new one after `restartServer`). */
  readonly server: RouterServer;
  /** The TURN (and STUN) servers in the NAT topology's core; none in the flat topology. */
  readonly turn: TurnServers | undefined;
  readonly browsers: PeerBrowsers<C>;
  /**
   * Kills the server and starts a new one on the same address (a signaling server restarted):
   * resolves with when it stopped and when the new one answered.
   */
  restartServer(downMs?: number): Promise<{ stoppedAt: number; startedAt: number }>;
  /** Between trials: lifts all faults, empties the relay and the timeline. */
  resetTrial(): Promise<void>;
  /** Closes browsers, stops the servers, removes the namespaces; idempotent, never throws. */
  teardown(): Promise<void>;
}

/** A harness in the NAT topology: always with its TURN servers. */
export interface NatHarness<C extends PeerBrowserNames = ChromiumPair> extends Harness<C> {
  readonly topology: NatTopology;
  readonly turn: TurnServers;
}

/** A harness whatever its browsers, for helpers that use only `peers` and the browser-neutral parts. */
export type AnyHarness = Harness<PeerBrowserNames>;

/** Builds the whole harness; on failure, undoes whatever part was already built. */
export function setUpHarness<C extends PeerBrowserNames = ChromiumPair>(
  options: HarnessOptions<C, NatNetwork> & { readonly network: NatNetwork },
): Promise<NatHarness<C>>;
export function setUpHarness<C extends PeerBrowserNames = ChromiumPair>(
  options?: HarnessOptions<C, FlatNetwork>,
): Promise<Harness<C>>;
export async function setUpHarness<C extends PeerBrowserNames = ChromiumPair>(
  options: HarnessOptions<C> = {},
): Promise<Harness<C>> {
  const topology = await createTopology({ network: options.network });
  let server: RouterServer | undefined;
  let turn: TurnServers | undefined;
  let browsers: PeerBrowsers<C> | undefined;
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
    server = await startRouterServer(topology, { port: options.port });
    if (topology.kind === 'nat') turn = await startTurnServers(topology);
    browsers = await launchPeerBrowsers(topology, {
      origin: server.url,
      browsers: options.browsers,
      trustSpki:
        turn && options.trustTurnCertificate !== false ? [turn.certificate.spkiSha256] : [],
    });
    const faults = createFaults(topology, { turn });
    const timeline = new Timeline();
    timeline.attach('a', browsers.peers.a);
    timeline.attach('b', browsers.peers.b);
    const routerUrl = server.url;
    let current = server;
    return {
      pages: browsers.pages,
      peers: browsers.peers,
      routerUrl,
      faults,
      timeline,
      topology,
      get server() {
        return current;
      },
      turn,
      browsers,
      async restartServer(downMs = 0) {
        await current.stop();
        const stoppedAt = Date.now();
        await sleep(downMs);
        current = server = await startRouterServer(topology, { port: options.port });
        return { stoppedAt, startedAt: Date.now() };
      },
      async resetTrial() {
        await faults.clear();
        await current.reset();
        timeline.clear();
      },
      teardown,
    };
  } catch (error) {
    await teardown();
    throw error;
  }
}
