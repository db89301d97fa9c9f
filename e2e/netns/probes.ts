// Node-side wrappers for probe.mjs, which runs inside a namespace: the mapped address a STUN
// server sees, a UDP hole punch between the two peers, and whether an HTTP URL answers.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { run } from './sh';
import type { Peer } from './topology';

const PROBE = fileURLToPath(new URL('./probe.mjs', import.meta.url));

/** Options of `stunMapped`. */
export interface StunProbeOptions {
  /** Local address and port to send from. @default any */
  readonly bind?: string;
  readonly port?: number;
  /** @default 1000 */
  readonly timeoutMs?: number;
}

function localArgs(options: { bind?: string; port?: number }): string[] {
  return [
    ...(options.bind ? ['--bind', options.bind] : []),
    ...(options.port ? ['--port', String(options.port)] : []),
  ];
}

/** The mapped IP:PORT each STUN server (IP:PORT) reports to namespace `ns`, null if none answered. */
export async function stunMapped(
  ns: string,
  transport: 'udp' | 'tcp',
  servers: readonly string[],
  options: StunProbeOptions = {},
): Promise<(string | null)[]> {
  const out = await run('ip', [
    ...['netns', 'exec', ns, process.execPath, PROBE, 'stun', '--transport', transport],
    ...servers.flatMap((server) => ['--server', server]),
    ...localArgs(options),
    ...['--timeout-ms', String(options.timeoutMs ?? 1000)],
  ]);
  return parseMappedList(out);
}

function parseMappedList(out: string): (string | null)[] {
  const parsed: unknown = JSON.parse(out);
  if (!Array.isArray(parsed)) throw new Error(`probe.mjs stun printed ${out}`);
  return parsed.map((item: unknown) => (typeof item === 'string' ? item : null));
}

/** One peer's side of an observation: its namespace and the socket it punches from. */
export interface ObserveSide {
  readonly ns: string;
  readonly bind?: string;
  readonly port?: number;
}

/** What one peer could do after `between()`. */
export interface PeerObservation {
  /** Its punch socket's mapping, learned by STUN before `between()`; null if STUN failed. */
  readonly mapped: string | null;
  /** Whether the other peer's punch packets reached its punch socket. */
  readonly received: boolean;
  /** Whether the HTTP URL (signaling) answered. */
  readonly http: boolean;
  /** Whether the STUN server answered fresh sockets over UDP, over TCP. */
  readonly stunUdp: boolean;
  readonly stunTcp: boolean;
}

/** Options of `observePeers`. */
export interface ObserveOptions {
  /** STUN server IP:PORT for the mappings and the UDP/TCP checks. */
  readonly stun: string;
  /** URL both peers GET (signaling). */
  readonly http: string;
  /** How long each peer sends; it listens 400 ms longer, as the two start apart. @default 800 */
  readonly durationMs?: number;
  /**
   * For STUN and HTTP. Every blocked check costs all of it, but 800 ms lost a GET to a working
   * server now and then while other harness runs loaded the 2 cores (load average 16). @default 1500
   */
  readonly timeoutMs?: number;
}

/**
 * Both peers learn their punch socket's mapping by STUN, then `between()` runs (e.g. applies a
 * fault), then at once: each sends to the other's mapping every 50 ms from that socket (a hole
 * punch: through two endpoint-independent NATs it gets through both ways, a symmetric one defeats
 * it), GETs the URL, and asks the STUN server from fresh sockets over UDP and TCP.
 */
export async function observePeers(
  sides: Readonly<Record<Peer, ObserveSide>>,
  options: ObserveOptions,
  between: () => Promise<unknown> = () => Promise.resolve(),
): Promise<Record<Peer, PeerObservation>> {
  const start = (side: ObserveSide) => {
    const child = spawn(
      'ip',
      [
        ...['netns', 'exec', side.ns, process.execPath, PROBE, 'observe'],
        ...['--stun', options.stun, '--http', options.http],
        ...localArgs(side),
        ...['--duration-ms', String(options.durationMs ?? 800)],
        ...['--timeout-ms', String(options.timeoutMs ?? 1500)],
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<Record<string, unknown>> => {
      const result = await lines.next();
      if (result.done === true) {
        throw new Error(`probe.mjs observe in ${side.ns} ended early: ${stderr}`);
      }
      const parsed: unknown = JSON.parse(result.value);
      return typeof parsed === 'object' && parsed !== null ? { ...parsed } : {};
    };
    return { child, next };
  };
  const a = start(sides.a);
  const b = start(sides.b);
  try {
    const mappedOf = async (side: typeof a): Promise<string | null> => {
      const { mapped } = await side.next();
      return typeof mapped === 'string' ? mapped : null;
    };
    const mapped = { a: await mappedOf(a), b: await mappedOf(b) };
    await between();
    a.child.stdin.end(`${JSON.stringify({ peer: mapped.b })}\n`);
    b.child.stdin.end(`${JSON.stringify({ peer: mapped.a })}\n`);
    const result = async (side: typeof a, peer: Peer): Promise<PeerObservation> => {
      const r = await side.next();
      return {
        mapped: mapped[peer],
        received: r.received === true,
        http: r.http === true,
        stunUdp: r.stunUdp === true,
        stunTcp: r.stunTcp === true,
      };
    };
    const [ra, rb] = await Promise.all([result(a, 'a'), result(b, 'b')]);
    return { a: ra, b: rb };
  } finally {
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
  }
}

/** Whether `url` answers 2xx from namespace `ns` within `timeoutMs`. */
export async function httpUp(ns: string, url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    await run('ip', [
      ...['netns', 'exec', ns, process.execPath, '-e'],
      `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(${timeoutMs}) })
        .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));`,
    ]);
    return true;
  } catch {
    return false;
  }
}

/** One answer of turn-probe.mjs: 200, the ERROR-CODE, or 0 when nothing answered. */
export interface TurnAnswer {
  readonly op: string;
  readonly code: number;
  readonly relayed?: string | null;
  readonly lifetime?: number | null;
  /** Whether a 438 (stale nonce) was retried with the new nonce. */
  readonly retried?: boolean;
}

/** A TURN client (turn-probe.mjs) running in a namespace; every call waits for its answer. */
export interface TurnProbe {
  /** A new allocation from a new socket. */
  allocate(): Promise<TurnAnswer>;
  /** Refresh of the last allocation. */
  refresh(): Promise<TurnAnswer>;
  /** CreatePermission for `peer` (an IP) on the last allocation. */
  permission(peer: string): Promise<TurnAnswer>;
  /** Deletes the last allocation (Refresh with LIFETIME 0). */
  release(): Promise<TurnAnswer>;
  close(): void;
}

/** Starts turn-probe.mjs in `ns` against `server` (IP:PORT) with long-term credentials. */
export function startTurnProbe(
  ns: string,
  server: string,
  credentials: { readonly username: string; readonly credential: string },
): TurnProbe {
  const script = fileURLToPath(new URL('./turn-probe.mjs', import.meta.url));
  const child = spawn(
    'ip',
    [
      ...['netns', 'exec', ns, process.execPath, script, '--server', server],
      ...['--username', credentials.username, '--password', credentials.credential],
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  // One command at a time: each answer is the next line.
  let queue: Promise<unknown> = Promise.resolve();
  const ask = (command: Record<string, string>): Promise<TurnAnswer> => {
    const answer = queue.then(async () => {
      child.stdin.write(`${JSON.stringify(command)}\n`);
      const result = await lines.next();
      if (result.done === true) throw new Error(`turn-probe.mjs ended early: ${stderr}`);
      const parsed: unknown = JSON.parse(result.value);
      if (typeof parsed !== 'object' || parsed === null || !('code' in parsed)) {
        throw new Error(`turn-probe.mjs printed ${result.value}`);
      }
      return parsed as TurnAnswer;
    });
    queue = answer.catch(() => undefined);
    return answer;
  };
  return {
    allocate: () => ask({ op: 'allocate' }),
    refresh: () => ask({ op: 'refresh' }),
    permission: (peer) => ask({ op: 'permission', peer }),
    release: () => ask({ op: 'release' }),
    close: () => {
      child.kill('SIGKILL');
    },
  };
}
