// @ts-check
// `npm run bench [-- --quick] [--runs N] [--variants a,c] [--cases media:3,full:30,cost:10]
// [--browsers chromium,firefox]`
// Builds the library if dist/ has no bundle, measures bundle sizes, then runs the benchmark as a
// Playwright test (bench/playwright.config.ts) on the network-namespace harness. Needs Linux,
// root (or CAP_NET_ADMIN), ip, iptables and Chromium, as e2e/netns does; coturn for the NAT
// cases, firefox-esr for the Firefox pairings.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ALL_CASES,
  ALL_VARIANTS,
  FIREFOX_KINDS,
  MASS_CUT_DEFAULT_S,
  PAIRINGS,
  parseBrowsers,
  planCases,
  QUICK,
} from './cases.js';
import { formatSizes, measureSizes } from './sizes.mjs';

const root = resolve(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    variants: { type: 'string' },
    cases: { type: 'string' },
    browsers: { type: 'string' },
    'observe-ms': { type: 'string' },
    'cost-ms': { type: 'string' },
    port: { type: 'string' },
    'no-sizes': { type: 'boolean', default: false },
    lib: { type: 'string', default: 'head' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run bench -- [options]
  --quick              1 run of ${QUICK.cases.join(', ')}, variants ${QUICK.variants.join(' and ')}
                       (the mass restart: c only), one harness for all (~1.5 min)
  --runs N             runs per case (default 3)
  --variants a,b,...   of ${ALL_VARIANTS.join(' ')}; every case runs those it can (the mass
                       cases need the library: c d e). Default: each case's own (below)
  --cases C,...        default ${ALL_CASES.join(',')}
                         media:S full:S   media path / everything of peer A cut for S s (a-e)
                         linkdown:S       peer A's link down for S s (c)
                         readdress        peer A changes address, no restore (c)
                         srflx:S          both peers behind endpoint-independent NATs, STUN
                                          only (a srflx call), every path cut for S s (a-e)
                         relay:S          B behind a symmetric NAT, STUN + TURN (a relayed
                                          call), every path cut for S s (a-e)
                         mass-restart:N   N calls per page, A restarts them all at once (c)
                         mass-cut:N[:S]   N calls per page, everything of peer A cut for S s
                                          (default ${MASS_CUT_DEFAULT_S}) (c)
                         cost:N           N healthy calls per page, the browsers' CPU (a c e)
  --browsers P,...     the browser pairings every case runs in (default chromium):
                       ${PAIRINGS.join(', ')}
                       (A-B: peer A's browser, then B's; A offers first). Those with Firefox
                       run only ${FIREFOX_KINDS.join(' ')}
  --observe-ms N       how long after restore a run may take to recover (default 60000)
  --cost-ms N          how long the cost case measures each variant (default 20000)
  --port N             port of the server inside the namespaces (default 8080, env BENCH_PORT)
  --no-sizes           skip the bundle sizes
  --lib head|dist      head (default): build the library of the checked-out commit (git HEAD)
                       once, outside the work tree, and load that copy (kept in dist/bench/), so
                       a rebuild of dist/ during a long run cannot change what is measured;
                       dist: load dist/resilient-peer.bundle.js as it is`);
  process.exit(0);
}

/** @param {string} what @param {string} text */
function fail(what, text) {
  console.error(`bench: ${what}: ${text}`);
  process.exit(2);
}

const quick = values.quick;
const runs = Number(values.runs ?? (quick ? '1' : '3'));
if (!Number.isInteger(runs) || runs < 1)
  fail('--runs', `expected a positive integer, got ${values.runs}`);
const variants = values.variants?.split(',').map((v) => v.trim());
/** @type {import('./cases.js').Browsers[] | undefined} */
let pairings;
try {
  pairings = values.browsers?.split(',').map(parseBrowsers);
} catch (error) {
  fail('--browsers', error instanceof Error ? error.message : String(error));
}
/** @type {import('./cases.js').PlannedCase[]} */
let plan = [];
try {
  plan = planCases(
    values.cases?.split(',') ?? (quick ? QUICK.cases : ALL_CASES),
    /** @type {import('./cases.js').Variant[] | undefined} */ (
      variants ?? (quick ? QUICK.variants : undefined)
    ),
    pairings,
  );
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  fail(message.startsWith('unknown variant') ? '--variants' : '--cases', message);
}
if (plan.length === 0)
  fail('--variants/--browsers', 'no case can run these variants in these browsers');
const observeMs = Number(values['observe-ms'] ?? '60000');
if (!(observeMs > 0))
  fail('--observe-ms', `expected a positive number, got ${values['observe-ms']}`);
const costWindowMs = Number(values['cost-ms'] ?? '20000');
if (!(costWindowMs > 0)) fail('--cost-ms', `expected a positive number, got ${values['cost-ms']}`);
const port = Number(values.port ?? process.env.BENCH_PORT ?? '8080');

if (!existsSync(resolve(root, 'dist/resilient-peer.bundle.js'))) {
  console.log('bench: dist/resilient-peer.bundle.js is missing; running npm run build');
  const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

/**
 * Builds the bundle of git HEAD's sources (not the work tree's) in a temp dir and copies it under
 * bench/frozen/, which the router's server serves. Returns what the pages should load.
 */
function freezeHead() {
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  const work = join(tmpdir(), `rp-bench-lib-${commit.slice(0, 12)}`);
  const built = join(work, 'dist/resilient-peer.bundle.js');
  if (!existsSync(built) || !existsSync(join(work, 'scripts/size.mjs'))) {
    console.log(`bench: building the library of ${commit.slice(0, 12)} (git HEAD) in ${work}`);
    mkdirSync(work, { recursive: true });
    const files = ['src', 'relay', 'scripts', 'package.json', 'vite.config.ts', 'tsconfig.json'];
    const tar = execFileSync('git', ['archive', '--format=tar', 'HEAD', ...files], { cwd: root });
    execFileSync('tar', ['-x', '-C', work], { input: tar });
    if (!existsSync(join(work, 'node_modules')))
      symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
    const vite = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/vite/bin/vite.js'),
        'build',
        '--mode',
        'bundle',
        '--logLevel',
        'warn',
      ],
      {
        cwd: work,
        stdio: 'inherit',
      },
    );
    if (vite.status !== 0) fail('--lib head', `vite build of HEAD failed in ${work}`);
  }
  const sha = createHash('sha256').update(readFileSync(built)).digest('hex');
  // Under dist/, which git, lint and the type check skip. A rebuild of dist/ empties it, so the
  // runner copies the file back from `source` before every run when it is missing or differs.
  const dir = join(root, 'dist/bench', commit.slice(0, 12));
  mkdirSync(dir, { recursive: true });
  copyFileSync(built, join(dir, 'resilient-peer.bundle.js'));
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  if (dirty.length > 0)
    console.log(
      `bench: measuring HEAD; uncommitted changes in src/ are not included: ${dirty.join(', ')}`,
    );
  return {
    work,
    source: built,
    url: `/dist/bench/${commit.slice(0, 12)}/resilient-peer.bundle.js`,
    commit,
    sha256: sha.slice(0, 12),
  };
}

let lib;
if (values.lib === 'head') lib = freezeHead();
else if (values.lib === 'dist')
  lib = {
    work: undefined,
    source: undefined,
    url: '/dist/resilient-peer.bundle.js',
    commit: 'work tree dist/',
    sha256: null,
  };
else fail('--lib', `expected head or dist, got ${values.lib}`);

let sizes = null;
if (!values['no-sizes']) {
  // Weigh the same library the pages load: HEAD's sources when frozen.
  sizes = await measureSizes(lib?.work === undefined ? {} : { libRoot: lib.work });
}

const command = [
  'npm run bench',
  ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
].join(' ');
const libInfo =
  lib === undefined ? undefined : { url: lib.url, commit: lib.commit, sha256: lib.sha256 };
const options = {
  runs,
  plan,
  ...(quick ? { shareHarness: QUICK.shareHarness, healthyCpuMs: QUICK.healthyCpuMs } : {}),
  observeMs,
  costWindowMs,
  port,
  command,
  sizes,
  libUrl: lib?.url,
  libSource: lib?.source,
  lib: libInfo,
};
const result = spawnSync('npx', ['playwright', 'test', '-c', 'bench/playwright.config.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    BENCH_OPTIONS: JSON.stringify(options),
    PW_OUTPUT_DIR: process.env.PW_OUTPUT_DIR ?? '/tmp/pw-bench',
  },
});
if (sizes !== null) console.log(`\n${formatSizes(sizes)}`);
process.exit(result.status ?? 1);
