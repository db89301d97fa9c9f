// Prints the min+gzip size of what a browser app ships when it uses resilient-peer: the library
// and eventemitter3, tree-shaken and minified the way an app's production build does it.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..');
const entries = {
  'ResilientPeer + WebSocketSignaling (typical app)':
    "import { ResilientPeer, WebSocketSignaling } from 'resilient-peer'; globalThis.keep = [ResilientPeer, WebSocketSignaling];",
  'everything exported': "import * as all from 'resilient-peer'; globalThis.keep = all;",
  'eventemitter3 alone':
    "import EventEmitter from 'eventemitter3'; globalThis.keep = EventEmitter;",
};

const work = mkdtempSync(join(tmpdir(), 'rp-size-'));
const rows = [];
try {
  for (const [label, code] of Object.entries(entries)) {
    const entry = join(work, 'entry.js');
    writeFileSync(entry, code);
    const outDir = join(work, 'out');
    await build({
      configFile: false,
      logLevel: 'silent',
      root: work,
      resolve: {
        alias: {
          'resilient-peer': join(root, 'src/index.ts'),
          eventemitter3: join(root, 'node_modules/eventemitter3/index.mjs'),
        },
      },
      build: {
        outDir,
        emptyOutDir: true,
        minify: true,
        target: 'es2022',
        rollupOptions: { input: entry, output: { entryFileNames: 'app.js' } },
      },
    });
    const js = readdirSync(outDir, { recursive: true }).filter((f) => String(f).endsWith('.js'));
    const bytes = Buffer.concat(js.map((f) => readFileSync(join(outDir, String(f)))));
    rows.push({ label, min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** @param {number} n */
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
console.log('what a browser app ships (min / min+gzip):');
for (const row of rows)
  console.log(`  ${row.label.padEnd(50)} ${kb(row.min).padStart(9)}  ${kb(row.gzip).padStart(9)}`);
if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
