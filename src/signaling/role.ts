// This side's role as the relay assigns it: fixed by the first welcome (`ready()` resolves with
// it), asked back on every reconnect (after a relay restart the peers return in any order), and
// a later welcome that says otherwise is an error (perfect negotiation needs the roles unchanged).

import { ResilientPeerError } from '../errors.js';

const roleName = (polite: boolean): string => (polite ? 'polite' : 'impolite');

/** See the file comment. */
export class Role {
  readonly #url: URL;
  readonly ready: Promise<{ polite: boolean }>;
  #resolve: (value: { polite: boolean }) => void = () => undefined;
  #reject: (reason: unknown) => void = () => undefined;
  #polite: boolean | undefined;

  /** `url` gets `role=` once the role is known. */
  constructor(url: URL) {
    this.#url = url;
    this.ready = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody has to call ready(); an early close() must not become an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** The role from the first welcome; undefined until then. */
  get polite(): boolean | undefined {
    return this.#polite;
  }

  /** A welcome said `polite`; returns the error to report when it contradicts the first one. */
  welcomed(polite: boolean): ResilientPeerError | null {
    if (this.#polite === undefined) {
      this.#polite = polite;
      this.#url.searchParams.set('role', roleName(polite));
      this.#resolve({ polite });
    }
    if (polite === this.#polite) return null;
    // Our role's slot was taken (e.g. by a new client while we were away): the roles are now the
    // same on both sides, which perfect negotiation cannot resolve.
    return new ResilientPeerError(
      'signaling-failed',
      `The relay made this side ${roleName(polite)}; roles are fixed for a peer's lifetime.`,
    );
  }

  /** Closed before any welcome: `ready()` rejects. */
  abandon(): void {
    this.#reject(new ResilientPeerError('closed', 'Closed before the relay welcomed this side.'));
  }
}
