// Owns one Firefox inside a peer namespace: its profile (prefs, camera permission), the process,
// the WebDriver BiDi connection to it through bidi-bridge.mjs, and closing it (or killing its
// process group) and removing the profile on every exit path.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Browser as BrowserKind, createProfile } from '@puppeteer/browsers';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { bridgeTransport } from './bidi-transport';
import { onProcessExit } from './cleanup';
import { sleep } from './sh';

/** Where Firefox is looked for; `FIREFOX_PATH` overrides. */
export function firefoxPath(): string {
  return process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
}

/** Why Firefox cannot be started here, or undefined when it can. */
export function firefoxUnavailableReason(): string | undefined {
  const path = firefoxPath();
  return existsSync(path)
    ? undefined
    : `no Firefox at ${path} (apt-get install firefox-esr, or set FIREFOX_PATH)`;
}

/** Preferences for a Firefox in a peer namespace that loads pages from `origin` (http://IP:PORT). */
export function netnsFirefoxPrefs(
  origin: string,
  permissionsFile: string,
): Record<string, boolean | number | string> {
  return {
    // The fake camera, granted without a prompt.
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    // Plain http on a non-loopback address is not a secure context; without this,
    // navigator.mediaDevices is undefined (Chromium: --unsafely-treat-insecure-origin-as-secure).
    'dom.securecontext.allowlist': new URL(origin).hostname,
    // Raw IP host candidates: nothing resolves mDNS names across the router.
    'media.peerconnection.ice.obfuscate_host_addresses': false,
    // Without a stored camera permission for the origin, Firefox gathers no host candidates in a
    // namespace that has no default route (it then offers only the default-route address).
    'permissions.manager.defaultsUrl': pathToFileURL(permissionsFile).href,
    'network.proxy.type': 0,
  };
}

/** A running Firefox in a namespace and the one page tests drive. */
export interface NetnsFirefox {
  readonly browser: Browser;
  readonly page: Page;
  readonly pid: number;
  /** Closes Firefox (killing it if it does not exit), removes its profile; idempotent. */
  close(): Promise<void>;
}

const BRIDGE_SCRIPT = fileURLToPath(new URL('./bidi-bridge.mjs', import.meta.url));
const LISTENING = /^WebDriver BiDi listening on (ws:\/\/\S+)$/m;

/** Launches Firefox in namespace `ns` and connects to it over WebDriver BiDi. */
export async function launchNetnsFirefox(
  ns: string,
  options: {
    origin: string;
    headless?: boolean;
    startTimeoutMs?: number;
    /**
     * Leaves out MOZ_DISABLE_NONLOCAL_CONNECTIONS. It crashes Firefox (SIGSEGV, "FATAL ERROR:
     * Non-local network connections are disabled") on its first TCP connection to an address
     * outside loopback, RFC 1918 and link-local: the NAT topology's page and TURN servers, on
     * documentation ranges. Its calls home then fail at once, for want of a route. @default false
     */
    allowNonLocalConnections?: boolean;
  },
): Promise<NetnsFirefox> {
  const reason = firefoxUnavailableReason();
  if (reason) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), 'rpt-firefox-'));
  const profile = join(dir, 'profile');
  const permissionsFile = join(dir, 'permissions.txt');
  // PermissionManager's defaults format: matchtype, type, permission (1 = allow), origin.
  writeFileSync(
    permissionsFile,
    ['camera', 'microphone'].map((type) => `origin\t${type}\t1\t${options.origin}\n`).join(''),
  );

  // What to kill as a last resort (signal, exit, failed close): Firefox's process group, which
  // `detached` creates and its content processes inherit, and the bridge by PID.
  const targets: number[] = [];
  const kill = (): void => {
    for (const target of targets) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onProcessExit(kill);

  try {
    await createProfile(BrowserKind.FIREFOX, {
      path: profile,
      preferences: netnsFirefoxPrefs(options.origin, permissionsFile),
    });
    const args = [
      ...(options.headless === false ? [] : ['--headless']),
      '--no-remote',
      '--profile',
      profile,
      '--remote-debugging-port=0',
      'about:blank',
    ];
    const firefox = spawn('ip', ['netns', 'exec', ns, firefoxPath(), ...args], {
      detached: true,
      // Piped, not inherited: an inherited pipe can outlive this process and hang the runner.
      stdio: ['ignore', 'pipe', 'pipe'],
      // Else Firefox keeps trying to reach its settings and telemetry services, which cannot
      // answer in a namespace without a default route.
      env: {
        ...process.env,
        ...(options.allowNonLocalConnections === true
          ? {}
          : { MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' }),
        MOZ_CRASHREPORTER_DISABLE: '1',
      },
    });
    if (firefox.pid !== undefined) targets.push(-firefox.pid);
    const endpoint = await waitForEndpoint(firefox, options.startTimeoutMs ?? 30_000);

    const bridge = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, BRIDGE_SCRIPT, `${endpoint}/session`],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    if (bridge.pid !== undefined) targets.push(bridge.pid);
    const browser = await puppeteer.connect({
      transport: bridgeTransport(bridge),
      protocol: 'webDriverBiDi',
      defaultViewport: null,
    });
    const page = (await browser.pages())[0] ?? (await browser.newPage());

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        await Promise.race([browser.close().catch(() => undefined), sleep(5_000)]);
        await Promise.race([exited(firefox), sleep(5_000)]);
        unregister();
        kill();
      })();
      return closing;
    };
    return { browser, page, pid: firefox.pid ?? -1, close };
  } catch (error) {
    unregister();
    kill();
    throw error;
  }
}

/** Resolves with the BiDi WebSocket URL Firefox prints on stderr once its remote agent listens. */
function waitForEndpoint(firefox: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      finish(new Error(`Firefox printed no BiDi endpoint within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
      const url = LISTENING.exec(output)?.[1];
      if (url) finish(url);
    };
    const onExit = (code: number | null): void => {
      finish(new Error(`Firefox exited (${code}) during start-up:\n${output}`));
    };
    const finish = (result: string | Error): void => {
      clearTimeout(timer);
      firefox.stderr?.off('data', onData);
      firefox.off('exit', onExit);
      // Keep draining both pipes, or a chatty Firefox blocks once the pipe buffer is full.
      firefox.stderr?.resume();
      firefox.stdout?.resume();
      if (typeof result === 'string') resolve(result);
      else reject(result);
    };
    firefox.stderr?.on('data', onData);
    firefox.stdout?.resume();
    firefox.once('exit', onExit);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
}
