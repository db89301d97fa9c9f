// The peer's side of the signaling channel: validates what arrives, tells the remote's
// connections apart by session, answers and sends liveness checks, holds outgoing negotiation
// while the channel cannot be trusted, and says when the remote left. It decides nothing about
// the call; the facade does, from its hooks.

import type { Env, Timer } from '../env.js';
import { errorText, InvalidSignalError, ResilientPeerError } from '../errors.js';
import type { SignalingChannel } from './channel.js';
import { Liveness, ReconnectPace } from './liveness.js';
import { parseSignal, type SignalingMessage } from './messages.js';
import { Outbox, type NegotiationMessage } from './outbox.js';
import { RemoteSessions } from './sessions.js';
import type { SignalingCause } from '../events.js';

/** What the link tells its owner. */
export interface LinkHooks {
  /** A description or candidate from the current remote connection. */
  readonly negotiation: (message: NegotiationMessage, raw: unknown) => void;
  /** The first message from a remote connection other than the current one. */
  readonly newRemote: (session: string) => void;
  /** Something arrived from the current remote connection. */
  readonly heard: () => void;
  /** The remote asks this side to make the ICE-restart offer. */
  readonly restartRequested: () => void;
  /** The remote said it left, or the transport knows it did. */
  readonly remoteLeft: (how: 'bye' | 'channel') => void;
  /** The channel, as the peer sees it, went up or down. */
  readonly stateChange: (up: boolean, cause: SignalingCause) => void;
  /** The channel works again after being down or unanswered; pending negotiation went out. */
  readonly restored: () => void;
  /** Whether liveness checks matter now. */
  readonly needed: () => boolean;
  readonly report: (error: ResilientPeerError) => void;
  readonly log: (message: string, data?: Record<string, unknown>) => void;
}

/** See the file comment. */
export class SignalingLink {
  readonly #channel: SignalingChannel;
  readonly #env: Pick<Env, 'now' | 'setTimeout' | 'clearTimeout'>;
  readonly #hooks: LinkHooks;
  readonly #pc: () => RTCPeerConnection;
  readonly #outbox: Outbox;
  readonly #liveness: Liveness;
  readonly #unsubscribe: () => void;
  readonly #sessions = new RemoteSessions();
  /** This peer's current connection, stamped on everything it sends. */
  session: string;
  #up: boolean;
  #offerTimer: Timer;
  /** The remote was heard since the channel last came up (or was found unanswered). */
  #heardSinceUp = false;
  readonly #reconnectPace = new ReconnectPace();
  #closed = false;

  constructor(
    channel: SignalingChannel,
    env: Pick<Env, 'now' | 'setTimeout' | 'clearTimeout'>,
    pc: () => RTCPeerConnection,
    session: string,
    hooks: LinkHooks,
  ) {
    this.#channel = channel;
    this.#env = env;
    this.#pc = pc;
    this.session = session;
    this.#hooks = hooks;
    this.#outbox = new Outbox(channel, pc, (cause) => {
      this.#sendFailed(cause);
    });
    this.#liveness = new Liveness(env, {
      ping: (id) => {
        this.#write({ kind: 'ping', session: this.session, id });
      },
      unanswered: () => {
        this.#onUnanswered();
      },
      needed: () => hooks.needed() || this.#offerPending(),
      channelUp: () => channel.isUp,
    });
    this.#up = channel.isUp;
    this.#unsubscribe = channel.subscribe({
      message: (data) => {
        this.#guard(() => {
          this.#onMessage(data);
        });
      },
      up: () => {
        this.#guard(() => {
          this.#onChannelUp();
        });
      },
      down: () => {
        this.#guard(() => {
          this.#liveness.channelDown();
          this.#heardSinceUp = false;
          this.#setUp('channel-down');
        });
      },
      left: () => {
        this.#guard(() => {
          this.#onLeft('channel');
        });
      },
    });
    if (channel.isUp) this.#liveness.check();
  }

  /** Whether a message sent now is expected to reach the remote. */
  get isUp(): boolean {
    return this.#up;
  }

  /** The remote connection this peer's connection talks to, once heard. */
  get remoteSession(): string | null {
    return this.#sessions.current;
  }

  /** Sends a description or candidate, now or when the channel can be trusted again. */
  send(message: NegotiationMessage): void {
    if (this.#closed) return;
    this.#outbox.send({ ...message, session: this.session });
    if (message.kind === 'description' && message.description.type === 'offer') {
      // An offer unanswered for a round-trip timeout is a reason to check the channel.
      this.#env.clearTimeout(this.#offerTimer);
      this.#offerTimer = this.#env.setTimeout(() => {
        if (this.#offerPending()) this.#liveness.check();
      }, this.#liveness.timeoutMs);
    }
  }

  /** Checks now that messages cross the channel (an incident opened). */
  check(): void {
    if (!this.#closed) this.#liveness.check();
  }

  /**
   * The media path came back while the channel is down or unanswered: the network most likely
   * works again, so the transport is asked to start over now rather than when its own probes or
   * backoff say so (signaling often shares the path that just returned). Called at most twice
   * per incident (native states back, recovered), so it is not paced.
   */
  pathBack(): void {
    if (this.#closed || this.#up) return;
    this.#hooks.log('the media path is back; asking the channel to reconnect');
    this.#askReconnect();
  }

  /** Asks the remote to make the ICE-restart offer. */
  requestRestart(): void {
    this.#write({ kind: 'restart', session: this.session });
  }

  /**
   * This peer replaced its own connection: what the remote's old connection still sends belongs
   * to ours that is gone, and the remote must hear of the new one at once.
   */
  startOver(session: string): void {
    this.session = session;
    this.#sessions.endCurrent();
    this.#liveness.check();
  }

  /** Tells the remote this peer is gone for good. */
  bye(): void {
    this.#write({ kind: 'bye', session: this.session });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#liveness.stop();
    this.#env.clearTimeout(this.#offerTimer);
    this.#outbox.clear();
  }

  #onMessage(data: unknown): void {
    if (this.#closed) return;
    let message: SignalingMessage;
    try {
      message = parseSignal(data);
    } catch (error) {
      this.#hooks.report(
        error instanceof ResilientPeerError
          ? error
          : new InvalidSignalError(errorText(error), data),
      );
      return;
    }
    const { session } = message;
    const belongs = this.#sessions.accept(session);
    if (belongs === 'over') return; // a late message of a connection that is over
    if (belongs === 'new' && session !== undefined) {
      this.#hooks.log('remote connection', { session });
      this.#hooks.newRemote(session);
      // A remote heard for the first time may have missed everything sent before it was there
      // (an offer into an empty room): finish the pending negotiation now.
      this.#heardSinceUp = true;
      this.#outbox.flush(this.session);
    }
    const wasUnanswered =
      message.kind === 'pong' ? this.#liveness.pong(message.id) : this.#liveness.heard();
    this.#hooks.heard();
    if (wasUnanswered) {
      this.#onRestored('answered');
    } else if (!this.#heardSinceUp) {
      // The first word from the remote on a fresh connection: what we sent before it arrived
      // (an offer into the old socket, or into a room it had not joined yet) may be lost.
      this.#heardSinceUp = true;
      this.#outbox.flush(this.session);
    }
    switch (message.kind) {
      case 'ping':
        this.#write({ kind: 'pong', session: this.session, id: message.id });
        return;
      case 'pong':
        return;
      case 'bye':
        if (session !== undefined) this.#sessions.end(session);
        this.#onLeft('bye');
        return;
      case 'restart':
        this.#hooks.restartRequested();
        return;
      default:
        this.#hooks.negotiation(message, data);
    }
  }

  #onChannelUp(): void {
    if (this.#closed) return;
    // A fresh connection: say hello (the remote may have missed everything) and prove it works.
    this.#liveness.channelUp();
    this.#onRestored('channel-up');
  }

  /** Sends the pending offer again (an attempt found it unanswered for too long). */
  resend(): void {
    if (!this.#closed) this.#outbox.flush(this.session);
  }

  #onRestored(cause: SignalingCause): void {
    this.#heardSinceUp = cause === 'answered';
    if (cause === 'answered') this.#reconnectPace.reset();
    this.#outbox.holding = false;
    this.#setUp(cause);
    this.#outbox.flush(this.session);
    this.#hooks.restored();
  }

  #onUnanswered(): void {
    if (!this.#outbox.holding) this.#hooks.log('the remote stopped answering; holding signaling');
    this.#outbox.holding = true;
    this.#setUp('unanswered');
    if (this.#reconnectPace.allow(this.#env.now())) this.#askReconnect();
  }

  #askReconnect(): void {
    if (this.#channel.reconnect === undefined) return;
    try {
      this.#channel.reconnect();
    } catch (cause) {
      this.#hooks.report(
        new ResilientPeerError(
          'signaling-failed',
          `the signaling channel's reconnect() threw: ${errorText(cause)}`,
          { cause },
        ),
      );
    }
  }

  #onLeft(how: 'bye' | 'channel'): void {
    this.#liveness.forget();
    this.#outbox.holding = false;
    this.#hooks.remoteLeft(how);
  }

  #setUp(cause: SignalingCause): void {
    const up = this.#channel.isUp && !this.#liveness.unanswered;
    if (up === this.#up) return;
    this.#up = up;
    this.#hooks.stateChange(up, cause);
  }

  #offerPending(): boolean {
    return this.#pc().signalingState === 'have-local-offer';
  }

  #write(message: SignalingMessage): void {
    if (this.#closed || !this.#channel.isUp) return;
    try {
      this.#channel.send(message);
    } catch (cause) {
      this.#sendFailed(cause);
    }
  }

  #sendFailed(cause: unknown): void {
    this.#hooks.report(
      new ResilientPeerError(
        'signaling-failed',
        `the signaling channel's send() threw: ${errorText(cause)}`,
        { cause },
      ),
    );
  }

  #guard(work: () => void): void {
    try {
      work();
    } catch (cause) {
      this.#hooks.report(
        new ResilientPeerError('internal', `internal error: ${errorText(cause)}`, { cause }),
      );
    }
  }
}
