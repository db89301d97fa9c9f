// Counts live event listeners and timers, so tests can check that close() leaves none behind.
// Loaded as a classic script before the library, so every registration goes through it.
(() => {
  const listeners = new Map(); // target -> Set of "type|listener"
  const ids = new WeakMap();
  let nextId = 0;
  const keyOf = (type, listener) => {
    if (!ids.has(listener)) ids.set(listener, ++nextId);
    return `${type}|${ids.get(listener)}`;
  };
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (listener) {
      if (!listeners.has(this)) listeners.set(this, new Set());
      listeners.get(this).add(keyOf(type, listener));
    }
    return add.call(this, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    if (listener) listeners.get(this)?.delete(keyOf(type, listener));
    return remove.call(this, type, listener, options);
  };
  const timers = new Set();
  const setT = window.setTimeout.bind(window);
  const clearT = window.clearTimeout.bind(window);
  window.setTimeout = (fn, ms, ...args) => {
    const id = setT(() => {
      timers.delete(id);
      fn(...args);
    }, ms);
    timers.add(id);
    return id;
  };
  window.clearTimeout = (id) => {
    timers.delete(id);
    clearT(id);
  };
  const intervals = new Set();
  const setI = window.setInterval.bind(window);
  const clearI = window.clearInterval.bind(window);
  window.setInterval = (fn, ms, ...args) => {
    const id = setI(fn, ms, ...args);
    intervals.add(id);
    return id;
  };
  window.clearInterval = (id) => {
    intervals.delete(id);
    clearI(id);
  };
  window.instrument = {
    listenerCount: (target) => listeners.get(target)?.size ?? 0,
    activeTimers: () => timers.size + intervals.size,
  };
})();
