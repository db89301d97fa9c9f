// @ts-check
// `npm run bench [-- --quick] [--runs N] [--variants a,c] [--cases media:3,full:30]`
// Builds the library if dist/ has no bundle, measures bundle sizes, then runs the benchmark as a
// Playwright test (bench/playwright.config.ts) on the network-namespace harness. Needs Linux,
// root (or CAP_NET_ADMIN), ip, iptables and Chromium, as e2e/netns does.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSizes, measureSizes } from './sizes.mjs';

const root = resolve(import.meta.dirname, '..');
const ALL_VARIANTS = ['a', 'b', 'c', 'd', 'e'];
const ALL_CASES = [
  'media:3',
  'media:10',
  'media:30',
  'media:90',
  'full:3',
  'full:10',
  'full:30',
  'full:90',
];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    variants: { type: 'string' },
    cases: { type: 'string' },
    'observe-ms': { type: 'string' },
    port: { type: 'string' },
    'no-sizes': { type: 'boolean', default: false },
    lib: { type: 'string', default: 'head' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run bench -- [options]
  --quick              1 run of 3 s and 10 s media cuts, variants a and c (< 2 min)
  --runs N             runs per case (default 3)
  --variants a,b,...   of a b c d e (default all)
  --cases K:S,...      kind media|full and outage seconds (default ${ALL_CASES.join(',')})
  --observe-ms N       how long after restore a run may take to recover (default 60000)
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
const variants = (values.variants ?? (quick ? 'a,c' : ALL_VARIANTS.join(',')))
  .split(',')
  .map((v) => v.trim());
for (const v of variants) if (!ALL_VARIANTS.includes(v)) fail('--variants', `unknown variant ${v}`);
const cases = (values.cases ?? (quick ? 'media:3,media:10' : ALL_CASES.join(',')))
  .split(',')
  .map((text) => {
    const [kind, seconds] = text.trim().split(':');
    const outageMs = Math.round(Number(seconds) * 1000);
    if ((kind !== 'media' && kind !== 'full') || !(outageMs > 0)) {
      fail('--cases', `expected media:SECONDS or full:SECONDS, got ${text}`);
    }
    return { kind, outageMs };
  });
const observeMs = Number(values['observe-ms'] ?? '60000');
if (!(observeMs > 0))
  fail('--observe-ms', `expected a positive number, got ${values['observe-ms']}`);
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
  variants,
  cases,
  observeMs,
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
