import { afterEach, describe, expect, it } from 'vitest';
import { browserEnv, listen } from '../../src/env.js';
import { watchListeners } from '../support/listeners.js';

describe('browserEnv', () => {
  const scope = globalThis as Record<string, unknown>;
  const added: string[] = [];

  /** Lends the global scope a property for one test. */
  function lend(key: string, value: unknown): void {
    scope[key] = value;
    added.push(key);
  }

  afterEach(() => {
    for (const key of added.splice(0)) Reflect.deleteProperty(scope, key);
  });

  it('reads the clock as epoch milliseconds and runs real timers', async () => {
    const env = browserEnv();
    expect(Math.abs(env.now() - Date.now())).toBeLessThan(50);
    const fired = await new Promise<boolean>((resolve) => {
      env.setTimeout(() => {
        resolve(true);
      }, 1);
    });
    expect(fired).toBe(true);
    let ran = false;
    const timer = env.setTimeout(() => {
      ran = true;
    }, 1);
    env.clearTimeout(timer);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ran).toBe(false);
  });

  it('gives random numbers in [0, 1)', () => {
    const env = browserEnv();
    for (let i = 0; i < 100; i++) {
      const value = env.random();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('has no page and counts as online outside a browser', () => {
    const env = browserEnv();
    expect(env.window).toBeUndefined();
    expect(env.connection).toBeUndefined();
    expect(env.isOnline()).toBe(true);
    expect(env.fetch).toBeTypeOf('function');
  });

  it('takes the page, navigator.onLine and navigator.connection where there are', () => {
    const connection = new EventTarget();
    const page = new EventTarget();
    lend('addEventListener', page.addEventListener.bind(page));
    const navigatorLike = { onLine: false, connection };
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: navigatorLike, configurable: true });
    try {
      const env = browserEnv();
      expect(env.window).toBe(globalThis);
      expect(env.connection).toBe(connection);
      expect(env.isOnline()).toBe(false);
    } finally {
      if (saved === undefined) Reflect.deleteProperty(globalThis, 'navigator');
      else Object.defineProperty(globalThis, 'navigator', saved);
    }
  });

  it('has no fetch where there is none', () => {
    const saved = globalThis.fetch;
    Reflect.deleteProperty(globalThis, 'fetch');
    try {
      expect(browserEnv().fetch).toBeUndefined();
    } finally {
      globalThis.fetch = saved;
    }
  });

  it('creates native RTCPeerConnections with the configuration given', () => {
    class Native {
      readonly configuration: RTCConfiguration;
      constructor(configuration: RTCConfiguration) {
        this.configuration = configuration;
      }
    }
    lend('RTCPeerConnection', Native);
    const pc = browserEnv().createPeerConnection({ iceServers: [] });
    expect(pc).toBeInstanceOf(Native);
    expect(pc).toMatchObject({ configuration: { iceServers: [] } });
  });
});

describe('listen', () => {
  it('adds a listener and returns the function that removes it', () => {
    const target = new EventTarget();
    const watch = watchListeners(target);
    const seen: string[] = [];
    const stop = listen(target, 'ping', (event) => seen.push(event.type));
    target.dispatchEvent(new Event('ping'));
    expect(watch.count('ping')).toBe(1);
    stop();
    target.dispatchEvent(new Event('ping'));
    expect(seen).toEqual(['ping']);
    expect(watch.count()).toBe(0);
  });
});
