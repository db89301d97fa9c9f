// Owns the two peer browsers, one inside each peer namespace: which browser each peer runs
// (Chromium by default, Firefox on request), launching them, the browser-neutral page of each,
// and closing both on every exit path.

import type { Browser as PlaywrightBrowser, Page as PlaywrightPage } from '@playwright/test';
import type { Browser as PuppeteerBrowser, Page as PuppeteerPage } from 'puppeteer-core';
import { launchNetnsChromium } from './chromium';
import { launchNetnsFirefox } from './firefox';
import {
  playwrightPeerPage,
  puppeteerPeerPage,
  type BrowserName,
  type PeerPage,
} from './peer-page';
import { PEERS, type Peer, type Topology } from './topology';

export { netnsChromiumArgs } from './chromium';
export type { BrowserName, PeerPage };

/** Which browser each peer runs. */
export type PeerBrowserNames = { readonly [P in Peer]: BrowserName };

/** The default: Chromium on both sides. */
export interface ChromiumPair {
  readonly a: 'chromium';
  readonly b: 'chromium';
}

/** The native objects of each browser: Playwright's for Chromium, puppeteer's for Firefox. */
interface Native {
  readonly chromium: { readonly browser: PlaywrightBrowser; readonly page: PlaywrightPage };
  readonly firefox: { readonly browser: PuppeteerBrowser; readonly page: PuppeteerPage };
}

/** The launched browsers and one page in each. */
export interface PeerBrowsers<C extends PeerBrowserNames = ChromiumPair> {
  readonly names: C;
  readonly browsers: { readonly [P in Peer]: Native[C[P]]['browser'] };
  /** The native pages, for what only one browser's driver offers (locators, screenshots). */
  readonly pages: { readonly [P in Peer]: Native[C[P]]['page'] };
  /** The same pages behind the browser-neutral interface. */
  readonly peers: Readonly<Record<Peer, PeerPage>>;
  /** Closes both browsers and removes their temporary files; idempotent. */
  close(): Promise<void>;
}

/** One launched peer, whatever its browser. */
interface Launched<N extends BrowserName> {
  readonly browser: Native[N]['browser'];
  readonly page: Native[N]['page'];
  readonly peer: PeerPage;
  close(): Promise<void>;
}

export const CHROMIUM_PAIR: ChromiumPair = { a: 'chromium', b: 'chromium' };

/** Launches each peer's browser in its namespace (A first) and opens a page in each. */
export async function launchPeerBrowsers<C extends PeerBrowserNames = ChromiumPair>(
  topology: Topology,
  options: {
    origin: string;
    headless?: boolean;
    browsers?: C;
    /** Certificates a Chromium peer accepts although no CA signed them (see chromium.ts). */
    trustSpki?: readonly string[];
  },
): Promise<PeerBrowsers<C>> {
  // Without `browsers`, C is its default, ChromiumPair, and so is the value.
  const names = options.browsers ?? (CHROMIUM_PAIR as PeerBrowserNames as C);
  const launched: Launched<BrowserName>[] = [];
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= Promise.allSettled(launched.map((peer) => peer.close())).then(() => undefined);
    return closing;
  };

  const launch = async (peer: Peer): Promise<Launched<BrowserName>> => {
    const ns = topology.namespaces[peer];
    const launchOptions = { origin: options.origin, headless: options.headless ?? true };
    if (names[peer] === 'firefox') {
      const firefox = await launchNetnsFirefox(ns, {
        ...launchOptions,
        allowNonLocalConnections: topology.kind === 'nat',
      });
      return { ...firefox, peer: puppeteerPeerPage(firefox.page) };
    }
    const chromium = await launchNetnsChromium(ns, {
      ...launchOptions,
      trustSpki: options.trustSpki ?? [],
    });
    return { ...chromium, peer: playwrightPeerPage(chromium.page) };
  };

  try {
    for (const peer of PEERS) launched.push(await launch(peer));
    const [a, b] = launched as [Launched<BrowserName>, Launched<BrowserName>];
    return {
      names,
      browsers: { a: a.browser, b: b.browser },
      pages: { a: a.page, b: b.page },
      peers: { a: a.peer, b: b.peer },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
