// Owns the TURN servers in the NAT topology's core: two coturn processes (coturn cannot mix
// long-term users and REST secrets: "Shared secret overrides username/password"), the config
// each one runs with, a self-signed TLS certificate, start and stop by PID, readiness, and
// killing them on every exit path.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './cleanup';
import type { TurnControl } from './nat-faults';
import { startTurnProbe } from './probes';
import { run, sleep } from './sh';
import { PREFIX, type NatTopology } from './topology';
import {
  restCredentials,
  stunServer,
  TURN_PORTS,
  turnUrls,
  type RestCredentialOptions,
  type RestCredentials,
  type TurnTransport,
} from './turn-credentials';

/** Which credential scheme a server checks. */
export type TurnAuth = 'long-term' | 'rest';

/** One coturn process. */
export interface TurnServer {
  readonly auth: TurnAuth;
  /** Where it listens (UDP + TCP on 3478, TLS on 5349) and relays from. */
  readonly address: string;
  readonly running: boolean;
  /** Its PID while running. */
  readonly pid: number | undefined;
  /** Everything it logged (verbose) since the harness started it, across restarts; last 256 KB. */
  log(): string;
  /** Kills it (SIGKILL: allocations are lost, as in a crash) and resolves once it exited. */
  stop(): Promise<void>;
  /** Starts it again with the same configuration; resolves once it listens and allocates. */
  start(): Promise<void>;
}

/** Both servers, their credentials, and the `RTCIceServer` entries pages use. */
export interface TurnServers extends TurnControl {
  readonly longTerm: TurnServer;
  readonly rest: TurnServer;
  readonly realm: string;
  /** The long-term server's one user. */
  readonly user: { readonly username: string; readonly password: string };
  /** The REST server's shared secret (random per run). */
  readonly secret: string;
  /** The self-signed certificate both servers present on their TLS port. */
  readonly certificate: TurnCertificate;
  /** STUN only, on the long-term server. */
  stun(): RTCIceServer;
  /** TURN on the long-term server. @param transports @default ['udp', 'tcp'] */
  longTermIceServer(transports?: readonly TurnTransport[]): RTCIceServer;
  /** TURN on the REST server with fresh time-limited credentials. */
  restIceServer(
    options: RestCredentialOptions & { readonly transports?: readonly TurnTransport[] },
  ): RTCIceServer & RestCredentials;
  /** Stops both and removes their files; idempotent. */
  close(): Promise<void>;
}

/** A TLS certificate of the TURN servers. */
export interface TurnCertificate {
  /** PEM file (valid 2 days, subjectAltName: both servers' IPs). */
  readonly path: string;
  /** Base64 SHA-256 of its SubjectPublicKeyInfo, as `--ignore-certificate-errors-spki-list` wants it. */
  readonly spkiSha256: string;
}

const REALM = 'rpt.test';
const USER = { username: 'rpt', password: 'rpt-password' } as const;
const DEFAULT_TRANSPORTS: readonly TurnTransport[] = ['udp', 'tcp'];
const LOG_LIMIT = 256 * 1024;

/** The temp dir of one run's TURN servers is this plus mkdtemp's 6 characters. */
const DIR_PREFIX = `${PREFIX}turnd-`;

/** Starts both TURN servers in the core of `topology`. */
export async function startTurnServers(topology: NatTopology): Promise<TurnServers> {
  removeStaleDirs();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  const servers: OwnedTurnServer[] = [];
  const removeDir = (): void => {
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onProcessExit(removeDir);
  const close = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.dispose()));
    unregister();
    removeDir();
  };
  try {
    const { longTerm: longTermAddress, rest: restAddress } = topology.nat.turnAddresses;
    const tls = await selfSignedCertificate(dir, [longTermAddress, restAddress]);
    const secret = randomBytes(16).toString('hex');
    const common = { namespace: topology.nat.core, dir, tls };
    const longTerm = await startTurnServer({
      ...common,
      auth: 'long-term',
      address: longTermAddress,
      relayPorts: [49152, 49999],
      authLines: ['lt-cred-mech', `user=${USER.username}:${USER.password}`],
      credentials: () => ({ username: USER.username, credential: USER.password }),
    });
    servers.push(longTerm);
    const rest = await startTurnServer({
      ...common,
      auth: 'rest',
      address: restAddress,
      relayPorts: [50000, 50999],
      authLines: ['use-auth-secret', `static-auth-secret=${secret}`],
      credentials: () => restCredentials(secret, { lifetimeS: 60 }),
    });
    servers.push(rest);
    return {
      longTerm,
      rest,
      realm: REALM,
      user: USER,
      secret,
      certificate: { path: tls.cert, spkiSha256: spkiSha256(tls.cert) },
      stun: () => stunServer(longTerm.address),
      longTermIceServer: (transports = DEFAULT_TRANSPORTS) => ({
        urls: turnUrls(longTerm.address, transports),
        username: USER.username,
        credential: USER.password,
      }),
      restIceServer: (options) => ({
        urls: turnUrls(rest.address, options.transports ?? DEFAULT_TRANSPORTS),
        ...restCredentials(secret, options),
      }),
      async stop() {
        await Promise.all(servers.map((server) => server.stop()));
      },
      async start() {
        await Promise.all(servers.map((server) => server.start()));
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A server plus what only its owner may call. */
interface OwnedTurnServer extends TurnServer {
  /** Stops it for good and drops its exit handler. */
  dispose(): Promise<void>;
}

interface ServerSpec {
  readonly auth: TurnAuth;
  readonly namespace: string;
  readonly address: string;
  readonly relayPorts: readonly [number, number];
  readonly authLines: readonly string[];
  /** Credentials this server accepts, for the readiness check. */
  readonly credentials: () => { readonly username: string; readonly credential: string };
  readonly dir: string;
  readonly tls: { readonly cert: string; readonly key: string };
}

/**
 * coturn's configuration for one server. Everything that would otherwise reach outside its own
 * address or the run's temp dir is pinned or off: the listener and relay address, the telnet CLI
 * (on by default), the pid file and SQLite database (default /var/run and /var/lib/turn).
 */
function configText(spec: ServerSpec): string {
  const file = (name: string): string => join(spec.dir, `${spec.auth}-${name}`);
  return [
    '# Written by e2e/netns/turn.ts for one harness run (see coturn README.turnserver).',
    `listening-ip=${spec.address}`,
    `relay-ip=${spec.address}`,
    `listening-port=${TURN_PORTS.plain}`,
    `tls-listening-port=${TURN_PORTS.tls}`,
    `min-port=${spec.relayPorts[0]}`,
    `max-port=${spec.relayPorts[1]}`,
    `realm=${REALM}`,
    ...spec.authLines,
    'fingerprint',
    `cert=${spec.tls.cert}`,
    `pkey=${spec.tls.key}`,
    'no-tlsv1',
    'no-tlsv1_1',
    // Browsers speak TURN over UDP, TCP and TLS, never DTLS.
    'no-dtls',
    'no-cli',
    'no-multicast-peers',
    // The core routes no private range, and coturn ends an allocation when a send to one of its
    // peers fails (ENETUNREACH), so a peer's host candidate would kill the relay it was paired
    // with. Denied, a permission for one is refused (403) instead; production servers deny them
    // anyway, against relaying into private networks.
    'denied-peer-ip=10.0.0.0-10.255.255.255',
    'denied-peer-ip=172.16.0.0-172.31.255.255',
    'denied-peer-ip=192.168.0.0-192.168.255.255',
    // Debian's defaults (/etc/turnserver.conf), against amplification.
    'no-rfc5780',
    'no-stun-backward-compatibility',
    'response-origin-only-with-rfc5780',
    `pidfile=${file('turnserver.pid')}`,
    `userdb=${file('turndb')}`,
    'no-dynamic-ip-list',
    'no-dynamic-realms',
    'no-auth-pings',
    'log-file=stdout',
    'simple-log',
    'verbose',
    '',
  ].join('\n');
}

async function startTurnServer(spec: ServerSpec): Promise<OwnedTurnServer> {
  const config = join(spec.dir, `${spec.auth}.conf`);
  writeFileSync(config, configText(spec));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = '';
  const collect = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-LOG_LIMIT);
  };
  const kill = (): void => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const unregister = onProcessExit(kill);

  const launch = async (): Promise<void> => {
    // `ip netns exec` execs turnserver in place, so the child's PID is the server's.
    const started = spawn('ip', ['netns', 'exec', spec.namespace, 'turnserver', '-c', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout.on('data', collect);
    started.stderr.on('data', collect);
    exited = new Promise((resolve) =>
      started.once('exit', () => {
        resolve();
      }),
    );
    const deadline = Date.now() + 10_000;
    while (!(await listening(spec)) || !(await allocates(spec))) {
      if (started.exitCode !== null || Date.now() > deadline) {
        kill();
        throw new Error(`turnserver (${spec.auth}) did not come up:\n${log.slice(-4000)}`);
      }
      await sleep(50);
    }
  };
  const running = (): boolean => child?.exitCode === null && child.signalCode === null;
  try {
    await launch();
  } catch (error) {
    unregister();
    throw error;
  }
  return {
    auth: spec.auth,
    address: spec.address,
    get running() {
      return running();
    },
    get pid() {
      return running() ? child?.pid : undefined;
    },
    log: () => log,
    async stop() {
      kill();
      await exited;
    },
    async start() {
      if (!running()) await launch();
    },
    async dispose() {
      kill();
      await exited;
      unregister();
    },
  };
}

/**
 * Whether the server listens on UDP and TCP on the plain port and on TCP on the TLS port. `ss`
 * answers in milliseconds where a probe would first have to start Node.
 */
async function listening(spec: ServerSpec): Promise<boolean> {
  const out = await run('ip', [
    ...['netns', 'exec', spec.namespace, 'ss', '-Hlnut', 'src', spec.address],
  ]);
  const has = (proto: 'udp' | 'tcp', port: number): boolean =>
    new RegExp(`^${proto}\\s.*\\s${spec.address.replaceAll('.', '\\.')}:${port}\\s`, 'm').test(out);
  return has('udp', TURN_PORTS.plain) && has('tcp', TURN_PORTS.plain) && has('tcp', TURN_PORTS.tls);
}

/**
 * Whether an authenticated Allocate succeeds (the allocation is released at once). Also the
 * warm-up the server needs: each of coturn's auth threads opens the SQLite database on its first
 * request and creates the schema if missing, and two doing it at once on a fresh file made one
 * fail ("database is locked", a 401 for a valid user: seen on the first call after start). Once
 * one request created the schema, the others only read it.
 */
async function allocates(spec: ServerSpec): Promise<boolean> {
  const probe = startTurnProbe(
    spec.namespace,
    `${spec.address}:${TURN_PORTS.plain}`,
    spec.credentials(),
  );
  try {
    if ((await probe.allocate()).code !== 200) return false;
    await probe.release();
    return true;
  } finally {
    probe.close();
  }
}

/** A self-signed certificate for `addresses` (subjectAltName IPs), made with openssl. */
async function selfSignedCertificate(
  dir: string,
  addresses: readonly string[],
): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-days', '2', '-subj', '/CN=rpt-turn', '-keyout', key, '-out', cert],
    ...['-addext', `subjectAltName=${addresses.map((a) => `IP:${a}`).join(',')}`],
  ]);
  return { cert, key };
}

/** Base64 SHA-256 of the SubjectPublicKeyInfo of the certificate in PEM file `path`. */
function spkiSha256(path: string): string {
  const spki = new X509Certificate(readFileSync(path)).publicKey.export({
    type: 'spki',
    format: 'der',
  });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Deletes the dirs (config, key, database) a killed run of this prefix left behind: a live
 * topology means this process holds the prefix's lock, so no other run is using one.
 */
function removeStaleDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (name.startsWith(DIR_PREFIX) && /^[A-Za-z0-9]{6}$/.test(name.slice(DIR_PREFIX.length))) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}
