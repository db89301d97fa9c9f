// Owns counting the listeners on an EventTarget, so a test can check that close() removed every
// listener the library added (EventTarget itself cannot say how many it holds).

/** The live listeners of one watched target. */
export interface ListenerWatch {
  /** How many listeners are registered now, of `type` or of every type. */
  count(type?: string): number;
}

const watches = new WeakMap<EventTarget, Map<string, Set<unknown>>>();

/**
 * Starts counting the listeners added to and removed from `target` (an instance the test owns:
 * its own add/removeEventListener are wrapped). Watching one target twice counts it once.
 */
export function watchListeners(target: EventTarget): ListenerWatch {
  let byType = watches.get(target);
  if (byType === undefined) {
    const types = new Map<string, Set<unknown>>();
    byType = types;
    watches.set(target, types);
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    target.addEventListener = (type, listener, options) => {
      if (listener !== null) {
        const set = types.get(type) ?? new Set<unknown>();
        set.add(listener);
        types.set(type, set);
      }
      add(type, listener, options);
    };
    target.removeEventListener = (type, listener, options) => {
      types.get(type)?.delete(listener);
      remove(type, listener, options);
    };
  }
  const types = byType;
  return {
    count(type) {
      if (type !== undefined) return types.get(type)?.size ?? 0;
      let total = 0;
      for (const set of types.values()) total += set.size;
      return total;
    },
  };
}
