// Owns the page + signaling server (scripts/serve.mjs) inside the router namespace: start,
// readiness, relay reset between trials, and killing it (by PID) on every exit path.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onProcessExit } from './cleanup';
import { run, sleep } from './sh';
import type { Topology } from './topology';

/** The running server. */
export interface RouterServer {
  /** Base URL, reachable from both peer namespaces (not from the root namespace). */
  readonly url: string;
  readonly pid: number;
  /** Drops every relay socket and queued message, so one trial's signals cannot leak into the next. */
  reset(): Promise<void>;
  /** Kills the server; idempotent. */
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVER_SCRIPT = fileURLToPath(new URL('../../scripts/serve.mjs', import.meta.url));

/** Starts the server in the router namespace and waits until a peer namespace can reach it. */
export async function startRouterServer(
  topology: Topology,
  options: { port?: number; readyTimeoutMs?: number } = {},
): Promise<RouterServer> {
  const port = options.port ?? 8080;
  const url = `http://${topology.addresses.service}:${port}`;
  const script = SERVER_SCRIPT;
  const args = ['netns', 'exec', topology.namespaces.router, process.execPath, script];
  // Piped, not inherited, stdio: an inherited pipe can outlive this process and hang the runner.
  const child = spawn(
    'ip',
    [...args, '--host', '0.0.0.0', '--port', String(port), '--test-hooks'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${script} in the router namespace`);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // An object, not a `let`: TypeScript cannot see the callback change a local it narrowed.
  const status = { exited: false };
  child.on('exit', () => {
    status.exited = true;
  });

  let stopped = false;
  const kill = (): void => {
    if (stopped) return;
    stopped = true;
    unregister();
    // `ip netns exec` execs node in place, so this PID is the server itself.
    if (!status.exited) child.kill('SIGKILL');
  };
  const unregister = onProcessExit(kill);

  // The test process lives in the root namespace, which has no route to the server by design;
  // ask from inside peer A's namespace, which also proves the route through the router works.
  const probe = (path: string, method = 'GET'): Promise<string> =>
    run('ip', [
      ...['netns', 'exec', topology.namespaces.a, process.execPath, '-e'],
      `fetch(${JSON.stringify(url + path)}, { method: ${JSON.stringify(method)} })` +
        `.then(async (r) => { if (!r.ok) throw new Error('HTTP ' + r.status); ` +
        `process.stdout.write(await r.text()); })`,
    ]);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (status.exited) {
      kill();
      throw new Error(`${script} exited during start-up:\n${output}`);
    }
    try {
      await probe('/healthz');
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        kill();
        throw new Error(`${script} not reachable at ${url}/healthz:\n${output}`, { cause: error });
      }
      await sleep(100);
    }
  }

  return {
    url,
    pid,
    async reset() {
      await probe('/__relay/reset', 'POST');
    },
    async stop() {
      if (stopped) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      kill();
      if (!status.exited) await gone;
    },
  };
}
