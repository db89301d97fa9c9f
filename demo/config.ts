// What the page is asked to do: URL parameters (room, autojoin, policy, signal) and the policy
// presets the join form offers.

import { delayTable, exponentialBackoff, LIVEKIT_DELAYS_MS, type Policy } from 'resilient-peer';

/** A restart policy the user can pick. */
export interface PolicyPreset {
  readonly id: string;
  readonly label: string;
  /** How the delays go, in words. */
  readonly summary: string;
  readonly create: () => Policy;
}

export const POLICY_PRESETS: readonly PolicyPreset[] = [
  {
    id: 'default',
    label: 'Exponential (default)',
    summary: 'First attempt at once, then 0.5 s doubling to 5 s, with jitter.',
    create: () => exponentialBackoff(),
  },
  {
    id: 'livekit',
    label: 'LiveKit table',
    summary: `Fixed delays ${LIVEKIT_DELAYS_MS.map((ms) => `${ms / 1000}`).join(', ')} s; then gives up.`,
    create: () => delayTable(LIVEKIT_DELAYS_MS),
  },
  {
    id: 'aggressive',
    label: 'Aggressive',
    summary: 'First attempt at once, then 0.25 s doubling to 2 s, with jitter.',
    create: () => exponentialBackoff({ baseDelayMs: 250, maxDelayMs: 2000 }),
  },
];

/** The relay's room names: 1-64 of A-Za-z0-9_- (see relay/relay.js). */
export const ROOM_PATTERN = '[A-Za-z0-9_\\-]{1,64}';

export interface PageParams {
  readonly room: string;
  readonly autojoin: boolean;
  readonly policy: PolicyPreset;
  /** The relay's URL without the room, e.g. ws://host:8787/signal. */
  readonly signal: string;
  /** Print the library's log lines to the console (`?log=1`). */
  readonly log: boolean;
}

/** Reads the page's URL; anything missing or wrong falls back to a default. */
export function readParams(location: Location): PageParams {
  const params = new URLSearchParams(location.search);
  const room = params.get('room') ?? '';
  const policyId = params.get('policy') ?? 'default';
  const policy = POLICY_PRESETS.find((preset) => preset.id === policyId) ?? defaultPreset();
  return {
    room: new RegExp(`^${ROOM_PATTERN}$`).test(room) ? room : randomRoom(),
    autojoin: params.get('autojoin') === '1',
    policy,
    signal: params.get('signal') ?? sameOriginRelay(location),
    log: params.get('log') === '1',
  };
}

export function findPreset(id: string): PolicyPreset {
  return POLICY_PRESETS.find((preset) => preset.id === id) ?? defaultPreset();
}

/** The relay URL for `room`. */
export function signalingUrl(base: string, room: string): string {
  const url = new URL(base);
  url.searchParams.set('room', room);
  return url.href;
}

/** A link that opens this page in the same room and joins at once. */
export function inviteLink(location: Location, room: string, policy: PolicyPreset): string {
  const url = new URL(location.href);
  url.search = '';
  url.searchParams.set('room', room);
  if (policy.id !== 'default') url.searchParams.set('policy', policy.id);
  const signal = new URLSearchParams(location.search).get('signal');
  if (signal !== null) url.searchParams.set('signal', signal);
  url.searchParams.set('autojoin', '1');
  return url.href;
}

function defaultPreset(): PolicyPreset {
  const [first] = POLICY_PRESETS;
  if (first === undefined) throw new Error('no policy presets');
  return first;
}

function sameOriginRelay(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/signal`;
}

function randomRoom(): string {
  const words = ['amber', 'brook', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'harbor'];
  const word = words[Math.floor(Math.random() * words.length)] ?? 'room';
  return `${word}-${Math.floor(100 + Math.random() * 900)}`;
}
