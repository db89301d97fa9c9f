// The README's quick start, as a new user meets it: the packed package installed into a new
// Vite + TypeScript app, the README's index.html and main.ts pasted in unchanged, type-checked,
// built, served, and the README's relay command run. Two tabs: the first joins an empty room, the
// second joins late; the remote video must decode in both.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { run } from './netns/sh';

const ROOT = resolve(import.meta.dirname, '..');
const PREVIEW_PORT = 4391;

/** The README's fenced block of `language` that follows the line `after`. */
function readmeBlock(after: string, language: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(after);
  if (start < 0) throw new Error(`README has no "${after}"`);
  const fence = readme.indexOf(`\`\`\`${language}\n`, start);
  const end = readme.indexOf('\n```', fence + 1);
  return readme.slice(fence + language.length + 4, end + 1);
}

/** Spawns `command` in `cwd`; resolves once `ready` appears in its output. */
async function startProcess(
  cwd: string,
  command: string,
  args: string[],
  ready: RegExp,
): Promise<ChildProcess> {
  // Its own process group: npx runs the relay as a child, and both must go at the end.
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${command} ${args.join(' ')} not ready:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${String(code)}):\n${output}`));
    });
  });
  return child;
}

test('the README quick start, pasted into a new Vite app, shows remote video for a first and a late joiner', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const app = mkdtempSync(join(tmpdir(), 'rp-quickstart-'));
  const children: ChildProcess[] = [];
  try {
    // The package as the registry would hold it (dist/ is built by `npm test` before this runs).
    const packed = JSON.parse(
      await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', app, ROOT]),
    ) as { filename: string }[];
    const tarball = join(app, packed[0]?.filename ?? '');
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'quickstart-app', private: true, type: 'module' }, null, 2),
    );
    // What `npm create vite` writes for a vanilla TypeScript app, in short.
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        include: ['main.ts'],
      }),
    );
    writeFileSync(join(app, 'index.html'), readmeBlock('`index.html`:', 'html'));
    writeFileSync(join(app, 'main.ts'), readmeBlock('`main.ts`:', 'ts'));
    const vite = JSON.parse(readFileSync(join(ROOT, 'node_modules/vite/package.json'), 'utf8')) as {
      version: string;
    };
    const ws = JSON.parse(readFileSync(join(ROOT, 'node_modules/ws/package.json'), 'utf8')) as {
      version: string;
    };
    const ts = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/typescript/package.json'), 'utf8'),
    ) as { version: string };
    await run('npm', [
      ...['install', '--no-audit', '--no-fund', '--prefix', app, tarball],
      `vite@${vite.version}`,
      `typescript@${ts.version}`,
      `ws@${ws.version}`,
    ]);
    // The pasted code type-checks against the package's types, then builds.
    await run(join(app, 'node_modules/.bin/tsc'), ['-p', join(app, 'tsconfig.json')]);
    await run(join(app, 'node_modules/.bin/vite'), ['build', app, '--logLevel', 'warn']);

    // The README's relay command, and the built app.
    const relayCommand = readmeBlock('Start the reference relay', 'sh').trim().split(/\s+/);
    expect(relayCommand.slice(0, 2)).toEqual(['npx', 'resilient-peer-relay']);
    children.push(await startProcess(app, 'npx', relayCommand.slice(1), /relay listening/));
    children.push(
      await startProcess(
        app,
        join(app, 'node_modules/.bin/vite'),
        ['preview', '--port', String(PREVIEW_PORT), '--strictPort', '--host', '127.0.0.1'],
        new RegExp(String(PREVIEW_PORT)),
      ),
    );

    const open = async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`http://localhost:${PREVIEW_PORT}/`);
      return { page, errors };
    };
    const decoding = async (page: import('@playwright/test').Page): Promise<number> =>
      page.evaluate(() => {
        const video = document.querySelector('video');
        if (!video || video.videoWidth === 0) return 0;
        return video.getVideoPlaybackQuality().totalVideoFrames;
      });

    const first = await open();
    // The first tab waits alone in the room for a while, as a user would.
    await new Promise((r) => setTimeout(r, 3000));
    const late = await open();
    for (const [name, tab] of [
      ['first joiner', first],
      ['late joiner', late],
    ] as const) {
      await expect
        .poll(() => decoding(tab.page), {
          timeout: 20_000,
          message: `${name}: remote video decodes`,
        })
        .toBeGreaterThan(10);
      expect(tab.errors, `${name}: no page error`).toEqual([]);
    }
  } finally {
    for (const child of children) {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    }
    rmSync(app, { recursive: true, force: true });
  }
});
