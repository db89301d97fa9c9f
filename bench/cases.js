// @ts-check
// The benchmark's vocabulary, in one place for bench/run.mjs (plain Node) and the TypeScript
// runner and report: the handlers under test, the case kinds, which variants each case runs, the
// network each kind needs, the browser pairings, the full and the --quick plan, and the `--cases`
// and `--browsers` syntax. Free of browser and harness imports.

/** The five handlers under test (bench/pages/handlers.js). */
export const VARIANTS = Object.freeze({
  a: 'MDN naive: restartIce() on iceConnectionState failed',
  b: 'naive: restartIce() on connectionState failed',
  c: 'resilient-peer defaults',
  d: 'resilient-peer, LiveKit delay table, detection on failed only',
  e: 'resilient-peer, stall probe off',
});

/** @typedef {keyof typeof VARIANTS} Variant */

/** @type {readonly Variant[]} */
export const ALL_VARIANTS = ['a', 'b', 'c', 'd', 'e'];

/** @type {readonly Variant[]} the variants built on the library, which the N-call cases need */
export const LIBRARY_VARIANTS = ['c', 'd', 'e'];

/**
 * One call, one incident. `media`: the router drops forwarded packets (signaling stays up);
 * `full`: the same plus everything of peer A's link (its WebSocket blackholed); `linkdown`: peer
 * A's link loses carrier (Chromium goes offline, and online at the restore); each restored after
 * `outageMs`. `readdress`: peer A moves to another address, nothing is restored (`outageMs` 0).
 * `srflx`, `relay`: the NAT topology (see NETWORKS), every path between the peers cut for
 * `outageMs` while signaling stays up, as `media` in the flat one.
 * @typedef {{ readonly kind: 'media' | 'full' | 'linkdown' | 'readdress' | 'srflx' | 'relay', readonly outageMs: number }} CallCase
 */

/**
 * `calls` library calls in each page. `mass-restart`: A's page calls restart() on every call at
 * once (`outageMs` 0); `mass-cut`: a full cut of peer A for `outageMs`.
 * @typedef {{ readonly kind: 'mass-restart' | 'mass-cut', readonly calls: number, readonly outageMs: number }} MassCase
 */

/**
 * `calls` healthy calls in each page: the browsers' CPU over a window, no fault.
 * @typedef {{ readonly kind: 'cost', readonly calls: number }} CostCase
 */

/** @typedef {CallCase | MassCase | CostCase} Case */
/** @typedef {Case['kind']} CaseKind */

/** @typedef {'chromium' | 'firefox'} BrowserName */

/**
 * Which browser each peer runs; A offers first (the relay's impolite slot 0).
 * @typedef {{ readonly a: BrowserName, readonly b: BrowserName }} Browsers
 */

/**
 * One case, the browsers it runs in and the variants it runs, in the order they run.
 * @typedef {{ readonly case: Case, readonly browsers: Browsers, readonly variants: readonly Variant[] }} PlannedCase
 */

/**
 * The network a kind runs on, as the harness's `network` option takes it. `srflx`: both peers
 * behind endpoint-independent NATs, STUN only, so the call runs over server-reflexive
 * candidates; `relay`: B behind a symmetric NAT, where only a TURN relay connects the peers (as
 * e2e/netns/nat-recovery.spec.ts scenarios 1 and 2).
 * @type {Readonly<Record<CaseKind, { readonly kind: 'flat' } | { readonly kind: 'nat', readonly a: 'eim' | 'symmetric', readonly b: 'eim' | 'symmetric' }>>}
 */
export const NETWORKS = {
  media: { kind: 'flat' },
  full: { kind: 'flat' },
  linkdown: { kind: 'flat' },
  readdress: { kind: 'flat' },
  srflx: { kind: 'nat', a: 'eim', b: 'eim' },
  relay: { kind: 'nat', a: 'eim', b: 'symmetric' },
  'mass-restart': { kind: 'flat' },
  'mass-cut': { kind: 'flat' },
  cost: { kind: 'flat' },
};

/**
 * What each kind runs without `--variants`: a–e where they compare handlers, else the library.
 * @type {Readonly<Record<CaseKind, readonly Variant[]>>}
 */
export const DEFAULT_VARIANTS = {
  media: ALL_VARIANTS,
  full: ALL_VARIANTS,
  srflx: ALL_VARIANTS,
  relay: ALL_VARIANTS,
  linkdown: ['c'],
  readdress: ['c'],
  'mass-restart': ['c'],
  'mass-cut': ['c'],
  // While healthy a and b are the same plain connection, and d and e the library without probe.
  cost: ['a', 'c', 'e'],
};

/** @type {Readonly<Record<CaseKind, readonly Variant[]>>} which variants a kind can run at all */
const ALLOWED_VARIANTS = {
  media: ALL_VARIANTS,
  full: ALL_VARIANTS,
  srflx: ALL_VARIANTS,
  relay: ALL_VARIANTS,
  linkdown: ALL_VARIANTS,
  readdress: ALL_VARIANTS,
  'mass-restart': LIBRARY_VARIANTS,
  'mass-cut': LIBRARY_VARIANTS,
  cost: ALL_VARIANTS,
};

/** Chromium on both sides: the pairing of every case unless `--browsers` says otherwise. */
export const CHROMIUM_PAIR = Object.freeze(
  /** @type {Browsers} */ ({ a: 'chromium', b: 'chromium' }),
);

/** The `--browsers` pairings, by name: one browser for both peers, or A's-B's. */
export const PAIRINGS = ['chromium', 'firefox', 'chromium-firefox', 'firefox-chromium'];

/**
 * The kinds a pairing with Firefox can run: one call in the flat or NAT topology. Not
 * `linkdown` (Firefox's offline/online handling has not been looked at here), nor the N-call
 * and cost cases, whose pages and CPU figures are sized and read for Chromium.
 * @type {readonly CaseKind[]}
 */
export const FIREFOX_KINDS = ['media', 'full', 'readdress', 'srflx', 'relay'];

/**
 * Parses one `--browsers` entry: `chromium`, `firefox` (both peers), or `A-B` such as
 * `chromium-firefox` (A Chromium, B Firefox); throws a message naming it.
 * @param {string} text
 * @returns {Browsers}
 */
export function parseBrowsers(text) {
  const names = text.trim().split('-');
  const known = (/** @type {string | undefined} */ name) =>
    name === 'chromium' || name === 'firefox';
  if (names.length > 2 || !names.every(known)) {
    throw new Error(`${text}: expected ${PAIRINGS.join(', ')}`);
  }
  const [a, b = a] = /** @type {BrowserName[]} */ (names);
  return { a: a ?? 'chromium', b: b ?? 'chromium' };
}

/**
 * The `--browsers` name of a pairing: `chromium`, `firefox`, `chromium-firefox`, ...
 * @param {Browsers} browsers
 */
export function pairingName(browsers) {
  return browsers.a === browsers.b ? browsers.a : `${browsers.a}-${browsers.b}`;
}

/**
 * Whether `browsers` is Chromium on both sides, the pairing every figure before Firefox had.
 * @param {Browsers} browsers
 */
export function isChromiumPair(browsers) {
  return browsers.a === 'chromium' && browsers.b === 'chromium';
}

/**
 * Whether `kind` can run with `browsers`.
 * @param {CaseKind} kind
 * @param {Browsers} browsers
 */
export function runsIn(kind, browsers) {
  return isChromiumPair(browsers) || FIREFOX_KINDS.includes(kind);
}

/** A mass cut's outage when `--cases` names none. */
export const MASS_CUT_DEFAULT_S = 10;

/** Every case of the full benchmark, in `--cases` syntax. */
export const ALL_CASES = [
  ...['media', 'full'].flatMap((kind) => [3, 10, 30, 90].map((s) => `${kind}:${s}`)),
  ...[10, 30, 90].map((s) => `linkdown:${s}`),
  'readdress',
  ...['srflx', 'relay'].flatMap((kind) => [10, 30].map((s) => `${kind}:${s}`)),
  ...[1, 10, 25].map((n) => `mass-restart:${n}`),
  ...[1, 10, 25].map((n) => `mass-cut:${n}`),
  ...[1, 10, 25].map((n) => `cost:${n}`),
];

/**
 * The `--quick` smoke (one run): a 3 s media cut for a and c, and a mass restart of 2 calls per
 * page (c), all on one harness, the N-call case's healthy CPU measured for 2 s only.
 */
export const QUICK = Object.freeze({
  cases: ['media:3', 'mass-restart:2'],
  /** @type {readonly Variant[]} */
  variants: ['a', 'c'],
  shareHarness: true,
  healthyCpuMs: 2_000,
});

/**
 * Parses one `--cases` entry: `media:S`, `full:S`, `linkdown:S`, `srflx:S`, `relay:S` (S
 * seconds), `readdress`, `mass-restart:N`, `mass-cut:N[:S]`, `cost:N` (N calls per page); throws
 * a message naming it.
 * @param {string} text
 * @returns {Case}
 */
export function parseCase(text) {
  const [kind, ...rest] = text.trim().split(':');
  const number = (/** @type {string | undefined} */ value, /** @type {string} */ what) => {
    const n = Number(value);
    if (value === undefined || value === '' || !(n > 0)) {
      throw new Error(`${text}: expected ${what} as a positive number`);
    }
    return n;
  };
  const calls = (/** @type {string | undefined} */ value) => {
    const n = number(value, 'calls per page');
    if (!Number.isInteger(n) || n > 100) throw new Error(`${text}: calls must be 1-100`);
    return n;
  };
  const seconds = (/** @type {string | undefined} */ value) =>
    Math.round(number(value, 'seconds') * 1000);
  const arity = (/** @type {number} */ min, /** @type {number} */ max) => {
    if (rest.length < min || rest.length > max) throw new Error(`${text}: wrong number of fields`);
  };
  switch (kind) {
    case 'media':
    case 'full':
    case 'linkdown':
    case 'srflx':
    case 'relay':
      arity(1, 1);
      return { kind, outageMs: seconds(rest[0]) };
    case 'readdress':
      arity(0, 0);
      return { kind, outageMs: 0 };
    case 'mass-restart':
      arity(1, 1);
      return { kind, calls: calls(rest[0]), outageMs: 0 };
    case 'mass-cut':
      arity(1, 2);
      return {
        kind,
        calls: calls(rest[0]),
        outageMs: rest[1] === undefined ? MASS_CUT_DEFAULT_S * 1000 : seconds(rest[1]),
      };
    case 'cost':
      arity(1, 1);
      return { kind, calls: calls(rest[0]) };
    default:
      throw new Error(
        `${text}: expected media:S, full:S, linkdown:S, srflx:S, relay:S, readdress, mass-restart:N, mass-cut:N[:S] or cost:N`,
      );
  }
}

/**
 * Every case in every pairing that can run it (pairing by pairing, cases in the order given),
 * with the variants it runs: `variants` (those the case can run) when given, else the kind's
 * default. Cases left with no variant are dropped, and so are cases a pairing cannot run.
 * @param {readonly string[]} cases in `--cases` syntax
 * @param {readonly Variant[]} [variants]
 * @param {readonly Browsers[]} [pairings] default Chromium on both sides
 * @returns {PlannedCase[]}
 */
export function planCases(cases, variants, pairings = [CHROMIUM_PAIR]) {
  for (const v of variants ?? []) {
    if (!ALL_VARIANTS.includes(v)) throw new Error(`unknown variant ${v}`);
  }
  const parsed = cases.map(parseCase);
  return pairings.flatMap((browsers) =>
    parsed.flatMap((c) => {
      const chosen = variants
        ? variants.filter((v) => ALLOWED_VARIANTS[c.kind].includes(v))
        : DEFAULT_VARIANTS[c.kind];
      return chosen.length > 0 && runsIn(c.kind, browsers)
        ? [{ case: c, browsers, variants: chosen }]
        : [];
    }),
  );
}

/**
 * Whether `c` is one of the N-call cases.
 * @param {Case} c
 * @returns {c is MassCase}
 */
export function isMassCase(c) {
  return c.kind === 'mass-restart' || c.kind === 'mass-cut';
}

/**
 * Short name of a case, e.g. "media 10 s", "relay 30 s", "readdress", "mass cut 10 s × 25",
 * "cost × 10".
 * @param {Case} c
 */
export function caseName(c) {
  switch (c.kind) {
    case 'readdress':
      return 'readdress';
    case 'mass-restart':
      return `mass restart × ${c.calls}`;
    case 'mass-cut':
      return `mass cut ${c.outageMs / 1000} s × ${c.calls}`;
    case 'cost':
      return `cost × ${c.calls}`;
    default:
      return `${c.kind} ${c.outageMs / 1000} s`;
  }
}

/**
 * "chromium ↔ firefox": A's browser, then B's.
 * @param {Browsers} browsers
 */
export function pairingLabel(browsers) {
  return `${browsers.a} ↔ ${browsers.b}`;
}

/**
 * A case as the tables show it: its name, and the browsers where they are not Chromium on both
 * sides (the pairing of every figure before), e.g. "media 10 s", "media 10 s · firefox ↔ firefox".
 * @param {Case} c
 * @param {Browsers} [browsers]
 */
export function caseLabel(c, browsers = CHROMIUM_PAIR) {
  return isChromiumPair(browsers) ? caseName(c) : `${caseName(c)} · ${pairingLabel(browsers)}`;
}
