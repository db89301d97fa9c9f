// Owns catching what the library rethrows outside its own flow (an app listener's exception is
// rethrown in a microtask), so a test sees it instead of the run failing on an uncaught error.

/** Errors thrown by microtasks since `captureRethrows()`; `restore()` ends the capture. */
export interface RethrowCapture {
  readonly errors: unknown[];
  restore(): void;
}

/** Wraps `queueMicrotask` so that what a queued callback throws is kept in `errors`. */
export function captureRethrows(): RethrowCapture {
  const errors: unknown[] = [];
  const original = globalThis.queueMicrotask;
  globalThis.queueMicrotask = (callback) => {
    original(() => {
      try {
        callback();
      } catch (error) {
        errors.push(error);
      }
    });
  };
  return {
    errors,
    restore: () => {
      globalThis.queueMicrotask = original;
    },
  };
}
