// The process-wide safety net: one set of exit/signal handlers, installed once, that runs every
// registered synchronous cleanup (kill owned PIDs, delete namespaces) exactly once, newest first.

type Cleanup = () => void;

const cleanups: Cleanup[] = [];
let installed = false;

/** Registers `fn` to run on process exit or SIGINT/SIGTERM; the returned function unregisters it. */
export function onProcessExit(fn: Cleanup): () => void {
  install();
  cleanups.push(fn);
  return () => {
    const index = cleanups.lastIndexOf(fn);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

/** Runs and forgets every registered cleanup, newest first; a throwing cleanup does not stop the rest. */
export function runProcessExitCleanups(): void {
  for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) {
    try {
      fn();
    } catch (error) {
      console.error('[rpt] cleanup failed:', error);
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  // 'exit' handlers may only do synchronous work, which is why every cleanup here is synchronous.
  process.on('exit', runProcessExitCleanups);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      runProcessExitCleanups();
      // Adding a listener disables Node's default "exit on signal". If nobody else (such as the
      // Playwright worker, which handles SIGINT itself) listens, re-raise so the process still dies.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}
