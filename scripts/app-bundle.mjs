// Builds one app entry the way an app's production build does it (Vite, minified, es2022) and
// returns the JavaScript it would ship. scripts/size.mjs and bench/sizes.mjs both weigh with it.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

/**
 * @param {string} dir a scratch folder for the entry and the output
 * @param {string} code the app entry
 * @param {{ alias?: Record<string, string>, define?: Record<string, string> }} [resolution]
 * @returns {Promise<Buffer>}
 */
export async function appBundle(dir, code, { alias, define } = {}) {
  const entry = join(dir, 'entry.js');
  writeFileSync(entry, code);
  const outDir = join(dir, 'out');
  await build({
    configFile: false,
    logLevel: 'silent',
    root: dir,
    resolve: { alias },
    define,
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
  rmSync(outDir, { recursive: true, force: true });
  return bytes;
}
