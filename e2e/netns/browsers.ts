// Owns the two Chromium processes, one inside each peer namespace: their wrapper scripts, flags,
// launch through Playwright, and closing them (or killing them by PID) on every exit path.

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { onProcessExit } from './cleanup';
import type { Peer, Topology } from './topology';

/** The launched browsers and one page in each. */
export interface PeerBrowsers {
  readonly browsers: Readonly<Record<Peer, Browser>>;
  readonly pages: Readonly<Record<Peer, Page>>;
  /** Closes both browsers and removes the wrapper scripts; idempotent. */
  close(): Promise<void>;
}

/** Flags for a Chromium in a peer namespace that loads pages from `origin` (http://IP:PORT). */
export function netnsChromiumArgs(origin: string): string[] {
  const args = [
    ...CHROMIUM_ARGS,
    // Required whatever the config says: root needs --no-sandbox, and this list must not depend on it.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    // Raw IP host candidates: nothing resolves mDNS names across the router.
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    // Plain http on a non-loopback address is not a secure context; without this flag
    // navigator.mediaDevices is undefined.
    `--unsafely-treat-insecure-origin-as-secure=${origin}`,
  ];
  return [...new Set(args)];
}

/** Launches one Chromium per peer namespace and opens a page in each. */
export async function launchPeerBrowsers(
  topology: Topology,
  options: { origin: string; headless?: boolean },
): Promise<PeerBrowsers> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath))
    throw new Error(`no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`);
  const dir = mkdtempSync(join(tmpdir(), 'rpt-browsers-'));
  const pidFiles: string[] = [];
  const launched: Browser[] = [];

  // Last resort when Playwright cannot close them (signal, exit): the wrapper records its PID,
  // which `exec` hands on to `ip netns exec` and then to Chromium itself.
  const kill = (): void => {
    for (const file of pidFiles) {
      try {
        process.kill(Number(readFileSync(file, 'utf8').trim()), 'SIGKILL');
      } catch {
        // Never started, or already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onProcessExit(kill);

  const launch = async (peer: Peer): Promise<Browser> => {
    const wrapper = join(dir, `chromium-${peer}.sh`);
    const pidFile = join(dir, `chromium-${peer}.pid`);
    pidFiles.push(pidFile);
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `echo $$ > ${shellQuote(pidFile)}`,
        `exec ip netns exec ${topology.namespaces[peer]} ${shellQuote(chromiumPath)} "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    const browser = await chromium.launch({
      executablePath: wrapper,
      args: netnsChromiumArgs(options.origin),
      headless: options.headless ?? true,
    });
    launched.push(browser);
    return browser;
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await Promise.allSettled(launched.map((browser) => browser.close()));
      unregister();
      kill();
    })();
    return closing;
  };

  try {
    const a = await launch('a');
    const b = await launch('b');
    const pageA = await (await a.newContext()).newPage();
    const pageB = await (await b.newContext()).newPage();
    return { browsers: { a, b }, pages: { a: pageA, b: pageB }, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
