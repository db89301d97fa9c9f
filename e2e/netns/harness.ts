// The one entry point tests and the benchmark use: builds the namespaces, starts the router's
// server and the two browsers, and hands back pages, faults, a timeline and one teardown.

import type { Page } from '@playwright/test';
import { launchPeerBrowsers, type PeerBrowsers } from './browsers';
import { createFaults, type Faults } from './faults';
import { startRouterServer, type RouterServer } from './router';
import { Timeline } from './timeline';
import { createTopology, netnsUnavailableReason, type Peer, type Topology } from './topology';

export { netnsUnavailableReason, Timeline };
export type { Faults, Peer, Topology };
export type { Cut, CutWindow, FaultSpec } from './faults';
export type { TimelineEvent } from './timeline';

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
  readonly browsers: PeerBrowsers;
  /** Between trials: lifts all faults, empties the relay and the timeline. */
  resetTrial(): Promise<void>;
  /** Closes browsers, stops the server, removes the namespaces; idempotent, never throws. */
  teardown(): Promise<void>;
}

/** Builds the whole harness; on failure, undoes whatever part was already built. */
export async function setUpHarness(options: { port?: number } = {}): Promise<Harness> {
  const topology = await createTopology();
  let server: RouterServer | undefined;
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
      topology.destroy();
    })();
    return tearingDown;
  };
  try {
    server = await startRouterServer(topology, options);
    browsers = await launchPeerBrowsers(topology, { origin: server.url });
    const faults = createFaults(topology);
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
