// Owns one Chromium inside a peer namespace: its wrapper script, flags, launch through Playwright,
// and closing it (or killing it by PID) on every exit path.

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { onProcessExit } from './cleanup';

/** A running Chromium in a namespace and the one page tests drive. */
export interface NetnsChromium {
  readonly browser: Browser;
  readonly page: Page;
  /** Closes the browser and removes its wrapper script; idempotent. */
  close(): Promise<void>;
}

/** What a Chromium in a peer namespace is started with besides its page origin. */
export interface NetnsChromiumOptions {
  readonly headless?: boolean;
  /**
   * Base64 SHA-256 hashes of certificates' SubjectPublicKeyInfo whose errors Chromium ignores
   * (`--ignore-certificate-errors-spki-list`, honoured because Playwright passes a
   * `--user-data-dir`): the harness's self-signed TURN certificate, for turns: URLs. Every
   * other certificate is verified as usual. @default []
   */
  readonly trustSpki?: readonly string[];
}

/** Flags for a Chromium in a peer namespace that loads pages from `origin` (http://IP:PORT). */
export function netnsChromiumArgs(origin: string, trustSpki: readonly string[] = []): string[] {
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
    ...(trustSpki.length > 0
      ? [`--ignore-certificate-errors-spki-list=${trustSpki.join(',')}`]
      : []),
  ];
  return [...new Set(args)];
}

/** Launches Chromium in namespace `ns` and opens a page in it. */
export async function launchNetnsChromium(
  ns: string,
  options: NetnsChromiumOptions & { readonly origin: string },
): Promise<NetnsChromium> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath))
    throw new Error(`no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`);
  const dir = mkdtempSync(join(tmpdir(), 'rpt-chromium-'));
  const wrapper = join(dir, 'chromium.sh');
  const pidFile = join(dir, 'chromium.pid');

  // Last resort when Playwright cannot close it (signal, exit): the wrapper records its PID,
  // which `exec` hands on to `ip netns exec` and then to Chromium itself.
  const kill = (): void => {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
    } catch {
      // Never started, or already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onProcessExit(kill);

  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      `echo $$ > ${shellQuote(pidFile)}`,
      `exec ip netns exec ${ns} ${shellQuote(chromiumPath)} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);

  let browser: Browser | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await browser?.close().catch(() => undefined);
      unregister();
      kill();
    })();
    return closing;
  };

  try {
    browser = await chromium.launch({
      executablePath: wrapper,
      args: netnsChromiumArgs(options.origin, options.trustSpki),
      headless: options.headless ?? true,
    });
    const page = await (await browser.newContext()).newPage();
    return { browser, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
