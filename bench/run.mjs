// @ts-check
// `npm run bench [-- --quick] [--runs N] [--variants a,c] [--cases media:3,full:30]`
// Builds the library if dist/ has no bundle, measures bundle sizes, then runs the benchmark as a
// Playwright test (bench/playwright.config.ts) on the network-namespace harness. Needs Linux,
// root (or CAP_NET_ADMIN), ip, iptables and Chromium, as e2e/netns does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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
  --no-sizes           skip the bundle sizes`);
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

let sizes = null;
if (!values['no-sizes']) {
  sizes = await measureSizes();
}

const command = [
  'npm run bench',
  ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
].join(' ');
const options = { runs, variants, cases, observeMs, port, command, sizes };
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
