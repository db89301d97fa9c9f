// Runs the system commands the harness needs (ip, iptables, node inside a namespace): an async
// form that reports stderr on failure, and a sync form for exit handlers, where nothing async runs.

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs `cmd args`, resolving with stdout; rejects with the command line and its stderr. */
export async function run(cmd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(cmd, args, { encoding: 'utf8' });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`\`${[cmd, ...args].join(' ')}\` failed: ${stderr || String(error)}`, {
      cause: error,
    });
  }
}

/** Runs `cmd args` synchronously; returns stdout, or undefined if it failed (exit paths only). */
export function runSync(cmd: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** The argv that runs `cmd args` inside network namespace `ns`. */
export function inNs(ns: string, cmd: string, args: readonly string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', ns, cmd, ...args]];
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
