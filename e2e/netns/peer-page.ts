// The browser-neutral page the harness hands to call helpers and the timeline: the few methods
// they need, implemented once over a Playwright page (Chromium) and once over a puppeteer page
// (Firefox over WebDriver BiDi), so a spec drives either browser the same way.

import type { Page as PlaywrightPage } from '@playwright/test';
import type { Page as PuppeteerPage } from 'puppeteer-core';

/** A browser the harness can start in a peer namespace. */
export type BrowserName = 'chromium' | 'firefox';

/** One page in a peer's browser. */
export interface PeerPage {
  readonly browserName: BrowserName;
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>;
  /** Runs `fn` in the page and resolves with its (awaited, serialized) result. */
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Resolves once `fn(arg)` returns a truthy value in the page; rejects after `timeout` ms. */
  waitForFunction<A>(
    fn: (arg: A) => unknown,
    arg: A,
    options?: { readonly timeout?: number },
  ): Promise<void>;
  /** Calls `listener` for every console message the page prints from now on. */
  onConsole(listener: (type: string, text: string) => void): void;
  /** Calls `listener` for every uncaught exception in the page from now on. */
  onPageError(listener: (message: string) => void): void;
}

// Arguments and results here are plain JSON-like data, never element or JS handles, so the
// libraries' handle-unwrapping parameter types reduce to the argument's own type.
type PlainFn<R> = (arg: unknown) => R | Promise<R>;

/** The PeerPage of a Playwright (Chromium) page. */
export function playwrightPeerPage(page: PlaywrightPage): PeerPage {
  return {
    browserName: 'chromium',
    async goto(url) {
      await page.goto(url);
    },
    evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
      return page.evaluate(fn as PlainFn<R>, arg);
    },
    async waitForFunction(fn, arg, options = {}) {
      await page.waitForFunction(fn as PlainFn<unknown>, arg, {
        timeout: options.timeout ?? 30_000,
      });
    },
    onConsole(listener) {
      page.on('console', (message) => {
        listener(message.type(), message.text());
      });
    },
    onPageError(listener) {
      page.on('pageerror', (error) => {
        listener(error.message);
      });
    },
  };
}

/** The PeerPage of a puppeteer page (Firefox over WebDriver BiDi). */
export function puppeteerPeerPage(page: PuppeteerPage): PeerPage {
  return {
    browserName: 'firefox',
    async goto(url) {
      await page.goto(url);
    },
    evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
      return page.evaluate(fn as PlainFn<R>, arg);
    },
    async waitForFunction(fn, arg, options = {}) {
      // A fixed interval rather than puppeteer's default requestAnimationFrame polling, which a
      // headless, never-focused window may throttle.
      await page.waitForFunction(
        fn as PlainFn<unknown>,
        { timeout: options.timeout ?? 30_000, polling: 50 },
        arg,
      );
    },
    onConsole(listener) {
      page.on('console', (message) => {
        listener(message.type(), message.text());
      });
    },
    onPageError(listener) {
      page.on('pageerror', (error) => {
        listener(error instanceof Error ? error.message : String(error));
      });
    },
  };
}
