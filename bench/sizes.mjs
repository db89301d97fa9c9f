// @ts-check
// Bundle sizes (min and min+gzip) of what a browser app ships: resilient-peer from
// `node scripts/size.mjs --json`, and simple-peer-light, simple-peer and peerjs installed from the
// npm registry into a temp dir outside the repo and built the same way (Vite, minified, es2022,
// one entry that keeps the default export). simple-peer's Node dependencies (buffer, events,
// process, util) are installed as the npm polyfills a browser app has to ship with it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { appBundle } from '../scripts/app-bundle.mjs';

const root = resolve(import.meta.dirname, '..');

/**
 * @typedef {{ name: string, version: string | null, min: number | null, gzip: number | null,
 *   note?: string }} SizeRow
 */

const OTHERS = [
  { name: 'simple-peer-light', entry: "import P from 'simple-peer-light'; globalThis.keep = P;" },
  { name: 'simple-peer', entry: "import P from 'simple-peer'; globalThis.keep = P;" },
  { name: 'peerjs', entry: "import { Peer } from 'peerjs'; globalThis.keep = Peer;" },
];
const POLYFILLS = ['buffer', 'events', 'process', 'util'];

/**
 * @param {{ others?: boolean, libRoot?: string, log?: (line: string) => void }} [options]
 *   libRoot: a checkout whose scripts/size.mjs weighs its own src/ (default: this repo)
 * @returns {Promise<SizeRow[]>}
 */
export async function measureSizes(options = {}) {
  const log =
    options.log ??
    ((line) => {
      console.log(line);
    });
  /** @type {SizeRow[]} */
  const rows = [];
  const own = /** @type {{ version: string }} */ (readJson(join(root, 'package.json')));
  const version = own.version;
  try {
    const libRoot = options.libRoot ?? root;
    const out = execFileSync(process.execPath, [join(libRoot, 'scripts/size.mjs'), '--json'], {
      cwd: libRoot,
      encoding: 'utf8',
    });
    const lines = out.trim().split('\n');
    const parsed = /** @type {{ label: string, min: number, gzip: number }[]} */ (
      parseJson(lines.at(-1) ?? '[]')
    );
    for (const row of parsed) {
      if (row.label.startsWith('eventemitter3')) continue;
      rows.push({
        name: `resilient-peer (${row.label})`,
        version,
        min: row.min,
        gzip: row.gzip,
      });
    }
  } catch (error) {
    rows.push({
      name: 'resilient-peer',
      version,
      min: null,
      gzip: null,
      note: `scripts/size.mjs failed: ${String(error)}`,
    });
  }
  if (options.others === false) return rows;

  const work = join(tmpdir(), 'rp-bench-sizes');
  mkdirSync(work, { recursive: true });
  if (!existsSync(join(work, 'package.json'))) {
    writeFileSync(join(work, 'package.json'), '{"name":"rp-bench-sizes","private":true}\n');
  }
  for (const other of OTHERS) {
    try {
      if (!existsSync(join(work, 'node_modules', other.name, 'package.json'))) {
        log(`installing ${other.name} into ${work} …`);
        const extra = other.name === 'simple-peer' ? POLYFILLS : [];
        execFileSync(
          'npm',
          ['install', '--prefix', work, '--no-audit', '--no-fund', other.name, ...extra],
          { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 180_000 },
        );
      }
      const pkg = /** @type {{ version: string }} */ (
        readJson(join(work, 'node_modules', other.name, 'package.json'))
      );
      // What bundlers do for packages written for Node: `global` is the window.
      const bytes = await appBundle(work, other.entry, { define: { global: 'globalThis' } });
      const min = bytes.length;
      const gzip = gzipSync(bytes, { level: 9 }).length;
      rows.push({ name: other.name, version: pkg.version, min, gzip });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      rows.push({
        name: other.name,
        version: null,
        min: null,
        gzip: null,
        note: `unavailable: ${message.split('\n')[0]}`,
      });
    }
  }
  return rows;
}

/** @param {string} text @returns {unknown} */
function parseJson(text) {
  return JSON.parse(text);
}

/** @param {string} file @returns {unknown} */
function readJson(file) {
  return parseJson(readFileSync(file, 'utf8'));
}

/** @param {SizeRow[]} rows */
export function formatSizes(rows) {
  /** @param {number | null} n */
  const kb = (n) => (n === null ? '—' : `${(n / 1024).toFixed(2)} KB`);
  const lines = ['bundle sizes, what a browser app ships (min / min+gzip):'];
  for (const row of rows) {
    const name = `${row.name}${row.version ? ` ${row.version}` : ''}`;
    lines.push(
      `  ${name.padEnd(64)} ${kb(row.min).padStart(9)}  ${kb(row.gzip).padStart(9)}${row.note ? `  ${row.note}` : ''}`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  console.log(formatSizes(await measureSizes()));
}
