// @ts-check
// Checks the package as the registry would get it: packs it once (without rebuilding; `npm test`
// has just built dist/), then `attw` on the tarball for the resolution modes an ESM-only package
// supports (node16/nodenext from ESM, bundler) and `publint` on the package.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules/.bin', name);
const dir = mkdtempSync(join(tmpdir(), 'rp-pack-'));
try {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
    }),
  );
  const tarball = join(dir, packed[0].filename);
  console.log(
    `packed ${packed[0].filename}: ${packed[0].entryCount} files, ${packed[0].size} bytes`,
  );
  execFileSync(bin('attw'), [tarball, '--profile', 'esm-only'], { stdio: 'inherit' });
  execFileSync(bin('publint'), ['--strict'], { cwd: root, stdio: 'inherit' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
