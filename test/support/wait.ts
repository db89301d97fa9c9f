// Owns waiting on real asynchronous I/O (sockets over 127.0.0.1, BroadcastChannel), for the
// few tests that run in real time instead of on a FakeEnv.

/** Resolves once `check` holds; rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not reached in ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Waits `ms` of real time: only to show that something does not happen. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}
