// Opening a call between the two harness pages, for every netns call page (app.html, plain.html,
// the bench page): a fresh trial, A loaded until it joined its relay room (the relay makes the
// first client of a room its impolite slot 0), then B, then both polled until the call is up.

import type { AnyHarness, Peer, PeerPage } from './harness';
import { PEERS } from './harness';
import { sleep } from './sh';

/** Both pages on about:blank, faults lifted, relay and timeline emptied. */
export async function freshTrial(h: AnyHarness): Promise<void> {
  await Promise.all(PEERS.map((peer) => h.peers[peer].goto('about:blank')));
  await h.resetTrial();
}

/** How one kind of call page is opened and when its call counts as up; `S` is a page's state. */
export interface CallPages<S> {
  /** The URL each peer's page loads. */
  readonly url: (peer: Peer) => string;
  /** Runs in the page: true once it has joined its relay room(s) and can be driven. */
  readonly joined: () => boolean;
  /** Reads one page's state. */
  readonly state: (page: PeerPage) => Promise<S>;
  /** Whether one page's state shows the call up. */
  readonly up: (state: S) => boolean;
  /** How long each page may take to load and join. @default 15_000 */
  readonly joinTimeoutMs?: number;
  /** How long the call may take to come up once both joined. @default 20_000 */
  readonly upTimeoutMs?: number;
  /** Added to the error when the call does not come up (e.g. the timeline). */
  readonly explain?: () => string;
}

/** Loads A, then B, and waits until both pages' states are up; resolves with those states. */
export async function openCall<S>(h: AnyHarness, pages: CallPages<S>): Promise<Record<Peer, S>> {
  const { joinTimeoutMs = 15_000, upTimeoutMs = 20_000 } = pages;
  for (const peer of PEERS) {
    await h.peers[peer].goto(pages.url(peer));
    await h.peers[peer].waitForFunction(pages.joined, null, { timeout: joinTimeoutMs });
  }
  const deadline = Date.now() + upTimeoutMs;
  for (;;) {
    const [a, b] = await Promise.all(PEERS.map((peer) => pages.state(h.peers[peer])));
    if (a === undefined || b === undefined) throw new Error('unreachable');
    if (pages.up(a) && pages.up(b)) return { a, b };
    if (Date.now() > deadline) {
      const explained = pages.explain?.() ?? '';
      throw new Error(
        `call did not come up within ${upTimeoutMs} ms: ${JSON.stringify({ a, b })}` +
          (explained === '' ? '' : `\n${explained}`),
      );
    }
    await sleep(200);
  }
}
