import { describe, expect, it } from 'vitest';
import { BLIND_AFTER_MS, probeUrlOf, Reachability } from '../../../src/signaling/reachability.js';
import { FakeEnv, settle } from '../../support/fake-env.js';
import { fakeFetch } from '../../support/fake-fetch.js';

const URL_OF_SERVER = 'https://relay.test/signal';

function setup(intervalMs = 150) {
  const probes = fakeFetch();
  const env = new FakeEnv({ fetch: probes.fetch });
  const reachability = new Reachability(URL_OF_SERVER, env, intervalMs);
  let reached = 0;
  const start = (): void => {
    reachability.start(() => {
      reached += 1;
    });
  };
  return { env, probes, reachability, start, reached: () => reached };
}

/** A Reachability whose every probe is refused at once; returns when each probe was made. */
function refusing(intervalMs: number) {
  const times: number[] = [];
  const env = new FakeEnv();
  env.fetch = () => {
    times.push(env.elapsed);
    return Promise.reject(new TypeError('connection refused'));
  };
  const reachability = new Reachability(URL_OF_SERVER, env, intervalMs);
  reachability.start(() => undefined);
  return { env, times, reachability };
}

describe('Reachability', () => {
  it('probes at once with an uncached no-cors HEAD request', () => {
    const { probes, start } = setup();
    start();
    expect(probes.requests).toHaveLength(1);
    const [request] = probes.requests;
    expect(request?.url).toBe(URL_OF_SERVER);
    expect(request?.init).toMatchObject({ method: 'HEAD', mode: 'no-cors', cache: 'no-store' });
    expect(request?.init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('calls back once when a probe gets any answer, and stops probing', async () => {
    const { env, probes, start, reached } = setup();
    start();
    probes.requests[0]?.answer(404);
    await settle();
    expect(reached()).toBe(1);
    expect(env.pendingTimers).toBe(0);
    await env.pass(5000);
    expect(probes.requests).toHaveLength(1);
    expect(reached()).toBe(1);
  });

  it('probes every interval with at most two requests in flight', async () => {
    const { env, probes, start } = setup(150);
    start();
    await env.pass(150);
    expect(probes.requests).toHaveLength(2);
    await env.pass(300);
    expect(probes.requests).toHaveLength(2);
    // One times out (a dead path, not a refusal): the pace stays, a new probe goes out.
    probes.requests[0]?.fail(new DOMException('timed out', 'TimeoutError'));
    await env.pass(150);
    expect(probes.requests).toHaveLength(3);
  });

  it('spaces out probes that are refused at once, up to one a second', async () => {
    const { env, times } = refusing(150);
    await env.pass(5000);
    // 150 · 1.5^n after n refusals, capped at 1000 ms.
    expect(times).toEqual([0, 150, 375, 712.5, 1218.75, 1978.125, 2978.125, 3978.125, 4978.125]);
  });

  it('never spaces probes wider than the interval asked for when it is longer than a second', async () => {
    const { env, times } = refusing(2000);
    await env.pass(9_000);
    expect(times).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it('keeps the full pace when probes fail slowly (a dead path)', async () => {
    const { env, probes, start } = setup(150);
    start();
    for (let round = 0; round < 6; round++) {
      // Each probe fails 149 ms after it went out: too slow to be a refusal.
      await env.pass(149);
      for (const request of probes.pending()) request.fail();
      await env.pass(1);
    }
    await env.pass(150);
    expect(probes.requests).toHaveLength(8);
  });

  it('ignores answers in flight after stop, and sets no timer', async () => {
    const { env, probes, reachability, start, reached } = setup();
    start();
    reachability.stop();
    probes.requests[0]?.answer();
    await env.pass(1000);
    expect(reached()).toBe(0);
    expect(probes.requests).toHaveLength(1);
    expect(env.pendingTimers).toBe(0);
  });

  it('starts over on start(), ignoring the answers of the earlier round', async () => {
    const { probes, reachability, start, reached } = setup();
    start();
    const fresh: string[] = [];
    reachability.start(() => {
      fresh.push('second');
    });
    probes.requests[0]?.answer();
    await settle();
    expect([reached(), fresh]).toEqual([0, []]);
    probes.requests[1]?.answer();
    await settle();
    expect([reached(), fresh]).toEqual([0, ['second']]);
  });

  /** Lets `ms` pass, each probe timing out 150 ms after it was sent (a dead path). */
  async function timeOut(env: FakeEnv, probes: ReturnType<typeof fakeFetch>, ms: number) {
    for (let passed = 0; passed < ms; passed += 150) {
      const sent = probes.pending();
      await env.pass(150);
      for (const request of sent) {
        request.fail(new DOMException('timed out', 'TimeoutError'));
      }
      await settle();
    }
  }

  it('tells the caller to try anyway once probes have timed out for BLIND_AFTER_MS, and goes on probing', async () => {
    const { env, probes, reachability } = setup(150);
    let reached = 0;
    let timingOut = 0;
    const start = (): void => {
      reachability.start(
        () => {
          reached += 1;
        },
        () => {
          timingOut += 1;
        },
      );
    };
    start();
    await timeOut(env, probes, BLIND_AFTER_MS - 150);
    expect(timingOut).toBe(0);
    await timeOut(env, probes, 300); // the first tick at or after BLIND_AFTER_MS
    expect(timingOut).toBe(1);
    // Once per start(); probing goes on, and an answer still counts.
    const sent = probes.requests.length;
    await timeOut(env, probes, 3000);
    expect(timingOut).toBe(1);
    expect(probes.requests.length).toBeGreaterThan(sent);
    probes.pending()[0]?.answer(204);
    await settle();
    expect(reached).toBe(1);
    expect(env.pendingTimers).toBe(0);
    // The answer ended the run of timeouts: the next round starts counting afresh.
    start();
    await timeOut(env, probes, 1000);
    expect(timingOut).toBe(1);
    reachability.stop();
    // Still timing out across a restart of probing (a failed try): told again at once.
    start();
    await timeOut(env, probes, BLIND_AFTER_MS + 300);
    expect(timingOut).toBe(2);
    start();
    expect(timingOut).toBe(3);
    // stop() from outside (offline, online, close, a welcome): probing begins afresh.
    reachability.stop();
    start();
    expect(timingOut).toBe(3);
  });

  it('does not count probes that hang, or that were refused, towards BLIND_AFTER_MS', async () => {
    // Hanging: no probe has timed out yet, so nothing is known about the path.
    const hanging = setup(150);
    hanging.start();
    await hanging.env.pass(BLIND_AFTER_MS + 1000);
    expect(hanging.reached()).toBe(0);
    // Refused: the host answered, the server is down (restarting); its connects fail fast.
    const { env, times } = refusing(150);
    await env.pass(BLIND_AFTER_MS * 2);
    expect(times.length).toBeGreaterThan(15);
    // A refusal in a run of timeouts starts the count afresh.
    const mixed = setup(150);
    mixed.start();
    await timeOut(mixed.env, mixed.probes, BLIND_AFTER_MS - 1000);
    mixed.probes.pending()[0]?.fail(new TypeError('connection refused'));
    await settle();
    await timeOut(mixed.env, mixed.probes, 2000);
    expect(mixed.reached()).toBe(0);
  });

  it('is not available without fetch, and never calls back', async () => {
    const env = new FakeEnv();
    const reachability = new Reachability(URL_OF_SERVER, env, 150);
    expect(reachability.available).toBe(false);
    let reached = false;
    reachability.start(() => {
      reached = true;
    });
    await env.pass(1000);
    expect(reached).toBe(false);
    reachability.stop();
    expect(env.pendingTimers).toBe(0);
    expect(setup().reachability.available).toBe(true);
  });
});

describe('probeUrlOf', () => {
  it('is the http(s) twin of a ws(s) URL without query or hash', () => {
    expect(probeUrlOf(new URL('ws://relay.test:8080/signal?room=r&id=x#h'))).toBe(
      'http://relay.test:8080/signal',
    );
    expect(probeUrlOf(new URL('wss://relay.test/a/b?room=r'))).toBe('https://relay.test/a/b');
  });
});
