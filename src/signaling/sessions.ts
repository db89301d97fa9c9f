// Which of the remote's connections a message belongs to: the one this peer's connection talks
// to, one that is over (replaced, or it said bye: its late messages are dropped), or a new one (a
// reloaded page, a replaced connection).

/** Session ids kept as over; older ones are forgotten. */
const MAX_ENDED_SESSIONS = 16;

/** See the file comment. */
export class RemoteSessions {
  readonly #ended: string[] = [];
  #current: string | null = null;

  /** The remote connection this peer's connection talks to, once heard. */
  get current(): string | null {
    return this.#current;
  }

  /**
   * Classifies a message's session: `over` (drop it), `new` (adopted now, the previous one is
   * over), or `current` (also for a message without a session).
   */
  accept(session: string | undefined): 'current' | 'new' | 'over' {
    if (session === undefined) return 'current';
    if (this.#ended.includes(session)) return 'over';
    if (session === this.#current) return 'current';
    if (this.#current !== null) this.end(this.#current);
    this.#current = session;
    return 'new';
  }

  /** The session is over: whatever it still sends is dropped. */
  end(session: string): void {
    if (!this.#ended.includes(session)) this.#ended.push(session);
    if (this.#ended.length > MAX_ENDED_SESSIONS) this.#ended.shift();
  }

  /** This peer replaced its own connection: the remote's current one talked to the old. */
  endCurrent(): void {
    if (this.#current !== null) this.end(this.#current);
    this.#current = null;
  }
}
