// The world the library runs in: time, timers, randomness, the page's network events and the
// RTCPeerConnection constructor, behind one internal interface so every module is unit-tested
// against a scripted environment. Not public API.

/** A timer handle; opaque to callers. */
export type Timer = unknown;

/** Everything the library takes from its surroundings. */
export interface Env {
  /** Milliseconds on one monotonic-enough clock (epoch-based, so logs line up across pages). */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): Timer;
  clearTimeout(timer: Timer): void;
  /** A number in [0, 1). */
  random(): number;
  /** `navigator.onLine`, or true where there is no navigator. */
  isOnline(): boolean;
  /** The page (`online`, `pagehide`), or undefined outside one (workers, Node). */
  readonly window: EventTarget | undefined;
  /** `navigator.connection` (its `change` event), where the browser has it. */
  readonly connection: EventTarget | undefined;
  /** `fetch`, for reachability probes; undefined where there is none. */
  readonly fetch: typeof fetch | undefined;
  createPeerConnection(configuration: RTCConfiguration): RTCPeerConnection;
}

/** The browser's environment; timers are looked up at call time so test pages can count them. */
export function browserEnv(): Env {
  const page = globalThis as Partial<Window & typeof globalThis>;
  const navigatorLike: (Navigator & { connection?: EventTarget }) | undefined = page.navigator;
  const connection = navigatorLike?.connection;
  return {
    now: () => performance.timeOrigin + performance.now(),
    setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
    clearTimeout: (timer) => {
      globalThis.clearTimeout(timer as ReturnType<typeof setTimeout>);
    },
    random: () => Math.random(),
    isOnline: () => navigatorLike?.onLine ?? true,
    window: typeof page.addEventListener === 'function' ? (page as EventTarget) : undefined,
    connection: typeof connection?.addEventListener === 'function' ? connection : undefined,
    fetch: typeof page.fetch === 'function' ? page.fetch.bind(globalThis) : undefined,
    createPeerConnection: (configuration) => new RTCPeerConnection(configuration),
  };
}

/** Adds `listener` to `target`; the returned function removes it. */
export function listen(
  target: EventTarget,
  type: string,
  listener: (event: Event) => void,
): () => void {
  target.addEventListener(type, listener);
  return () => {
    target.removeEventListener(type, listener);
  };
}

/** What the page tells about the network and about itself going away. */
export interface PageEvents {
  readonly online?: () => void;
  readonly offline?: () => void;
  /** `navigator.connection` changed (Wi-Fi to cellular, say). */
  readonly connectionChange?: () => void;
  /** The page is going away (pagehide, not unload: also for the back/forward cache). */
  readonly pagehide?: () => void;
}

/** Listens to the page's events through `guard`; the returned function removes every listener. */
export function watchPage(
  env: Env,
  events: PageEvents,
  guard: (work: () => void) => void,
): () => void {
  const cleanups: (() => void)[] = [];
  const on = (
    target: EventTarget | undefined,
    type: string,
    handler: (() => void) | undefined,
  ): void => {
    if (target === undefined || handler === undefined) return;
    cleanups.push(
      listen(target, type, () => {
        guard(handler);
      }),
    );
  };
  on(env.window, 'online', events.online);
  on(env.window, 'offline', events.offline);
  on(env.window, 'pagehide', events.pagehide);
  on(env.connection, 'change', events.connectionChange);
  return () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
}
