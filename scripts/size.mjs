// Prints the min+gzip size of what a browser app ships when it uses resilient-peer: the library
// and eventemitter3, tree-shaken and minified the way an app's production build does it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { appBundle } from './app-bundle.mjs';

const root = resolve(import.meta.dirname, '..');
const entries = {
  'ResilientPeer (app brings its own signaling)':
    "import { ResilientPeer } from 'resilient-peer'; globalThis.keep = ResilientPeer;",
  'ResilientPeer + WebSocketSignaling (typical app)':
    "import { ResilientPeer, WebSocketSignaling } from 'resilient-peer'; globalThis.keep = [ResilientPeer, WebSocketSignaling];",
  'everything exported': "import * as all from 'resilient-peer'; globalThis.keep = all;",
  'eventemitter3 alone':
    "import EventEmitter from 'eventemitter3'; globalThis.keep = EventEmitter;",
};

const floor = process.argv.includes('--floor');
/** @param {string | Buffer} text */
const gzip = (text) => gzipSync(text, { level: 9 }).length;

/** @param {string} code */
async function withoutStrings(code) {
  const { parse } = await import('acorn');
  /** @type {[number, number, string][]} */
  const spans = [];
  /** @param {unknown} value */
  const walk = (value) => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    const node = /** @type {{ type?: unknown, value?: unknown, start: number, end: number }} */ (
      value
    );
    if (node.type === 'Literal' && typeof node.value === 'string')
      spans.push([node.start, node.end, '""']);
    if (node.type === 'TemplateElement') spans.push([node.start, node.end, '']);
    for (const [key, child] of Object.entries(node)) if (key !== 'type') walk(child);
  };
  walk(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }));
  spans.sort((x, y) => y[0] - x[0]);
  for (const [start, end, blank] of spans) code = code.slice(0, start) + blank + code.slice(end);
  return code;
}

const work = mkdtempSync(join(tmpdir(), 'rp-size-'));
/** @type {{ label: string, min: number, gzip: number, codeOnlyGzip?: number }[]} */
const rows = [];
try {
  for (const [label, code] of Object.entries(entries)) {
    const bytes = await appBundle(work, code, {
      alias: {
        'resilient-peer': join(root, 'src/index.ts'),
        eventemitter3: join(root, 'node_modules/eventemitter3/index.mjs'),
      },
    });
    /** @type {(typeof rows)[number]} */
    const row = { label, min: bytes.length, gzip: gzip(bytes) };
    // --floor: the same bundle with every string literal emptied. No minifier or rewrite of the
    // code can go below it without dropping logic, so it shows how much is text and how much code.
    if (floor) row.codeOnlyGzip = gzip(await withoutStrings(bytes.toString('utf8')));
    rows.push(row);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** @param {number} n */
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
console.log('what a browser app ships (min / min+gzip):');
for (const row of rows) {
  const codeOnly = row.codeOnlyGzip === undefined ? '' : `  (code only: ${kb(row.codeOnlyGzip)})`;
  console.log(
    `  ${row.label.padEnd(50)} ${kb(row.min).padStart(9)}  ${kb(row.gzip).padStart(9)}${codeOnly}`,
  );
}
if (process.argv.includes('--json')) console.log(JSON.stringify(rows));

// --check: fail when a shipped bundle grew past its budget (scripts/size-budget.json: the
// measured min+gzip bytes plus 2 %, lowered whenever the figure drops).
if (process.argv.includes('--check')) {
  /** @type {unknown} */
  const parsed = JSON.parse(readFileSync(join(root, 'scripts/size-budget.json'), 'utf8'));
  const budget = /** @type {Record<string, number | undefined>} */ (parsed);
  let over = 0;
  for (const row of rows) {
    const limit = budget[row.label];
    if (limit === undefined) continue;
    const verdict = row.gzip <= limit ? 'within' : 'OVER';
    if (row.gzip > limit) over += 1;
    console.log(`  ${verdict} budget: ${row.label} ${kb(row.gzip)} of ${kb(limit)}`);
  }
  if (over > 0) {
    console.error(`${over} bundle(s) over budget (scripts/size-budget.json)`);
    process.exit(1);
  }
}
