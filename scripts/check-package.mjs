// @ts-check
// Checks the package as the registry would get it: packs it once (without rebuilding; `npm test`
// has just built dist/), then `attw` on the tarball for the resolution modes an ESM-only package
// supports (node16/nodenext from ESM, bundler) and `publint` on the package.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
/** @param {string} name */
const bin = (name) => join(root, 'node_modules/.bin', name);
const dir = mkdtempSync(join(tmpdir(), 'rp-pack-'));
try {
  const output = execFileSync(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
    { cwd: root, encoding: 'utf8' },
  );
  /** @type {unknown} */
  const parsed = JSON.parse(output);
  const [packed] = /** @type {{ filename: string, entryCount: number, size: number }[]} */ (parsed);
  if (packed === undefined) throw new Error('npm pack packed nothing');
  console.log(`packed ${packed.filename}: ${packed.entryCount} files, ${packed.size} bytes`);
  execFileSync(bin('attw'), [join(dir, packed.filename), '--profile', 'esm-only'], {
    stdio: 'inherit',
  });
  execFileSync(bin('publint'), ['--strict'], { cwd: root, stdio: 'inherit' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
