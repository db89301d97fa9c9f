// Owns recording the typed events an emitter fires, in order, so tests assert on what was
// announced (and what was not) rather than on calls.

import type EventEmitter from 'eventemitter3';
import type { ResilientPeerEvents } from '../../src/events.js';
import type { SignalingChannel } from '../../src/signaling/channel.js';
import type { WebSocketSignalingEvents } from '../../src/signaling/websocket-options.js';

/** One event as it was emitted. */
export interface Recorded<T extends object> {
  readonly name: EventEmitter.EventNames<T>;
  readonly payload: unknown;
}

/** The payload type of event `K`. */
export type PayloadOf<
  T extends object,
  K extends EventEmitter.EventNames<T>,
> = EventEmitter.EventArgs<T, K>[0];

/** Records every event of `names` that `emitter` fires. */
export class EventRecorder<T extends object> {
  readonly events: Recorded<T>[] = [];

  constructor(emitter: EventEmitter<T>, names: readonly EventEmitter.EventNames<T>[]) {
    for (const name of names) {
      const listener = (payload: unknown): void => {
        this.events.push({ name, payload });
      };
      emitter.on(name, listener as EventEmitter.EventListener<T, typeof name>);
    }
  }

  /** The payloads of one event, in order. */
  of<K extends EventEmitter.EventNames<T>>(name: K): PayloadOf<T, K>[] {
    return this.events
      .filter((event) => event.name === name)
      .map((event) => event.payload as PayloadOf<T, K>);
  }

  /** The names of every event, in order. */
  names(): EventEmitter.EventNames<T>[] {
    return this.events.map((event) => event.name);
  }

  clear(): void {
    this.events.length = 0;
  }
}

// Records keep every event name, so a new event cannot be left out of the recording.
const PEER_EVENTS: Readonly<Record<keyof ResilientPeerEvents, true>> = {
  phaseChange: true,
  restartScheduled: true,
  restartAttempt: true,
  remoteRestart: true,
  recovered: true,
  gaveUp: true,
  signalingChange: true,
  remoteLeft: true,
  connectionReplaced: true,
  track: true,
  error: true,
};

const SIGNALING_EVENTS: Readonly<Record<keyof WebSocketSignalingEvents, true>> = {
  state: true,
  welcome: true,
  error: true,
};

/** Records every event of a ResilientPeer. */
export function recordPeer(
  peer: EventEmitter<ResilientPeerEvents>,
): EventRecorder<ResilientPeerEvents> {
  const names = Object.keys(PEER_EVENTS) as (keyof ResilientPeerEvents)[];
  return new EventRecorder(peer, names);
}

/** Records every event of a WebSocketSignaling. */
export function recordSignaling(
  signaling: EventEmitter<WebSocketSignalingEvents>,
): EventRecorder<WebSocketSignalingEvents> {
  const names = Object.keys(SIGNALING_EVENTS) as (keyof WebSocketSignalingEvents)[];
  return new EventRecorder(signaling, names);
}

/** What a subscriber of a signaling channel was told. */
export interface SubscriberRecord {
  /** 'up', 'down' and 'left', in order. */
  readonly log: string[];
  readonly messages: unknown[];
  /** Stops the subscription. */
  readonly unsubscribe: () => void;
}

/** Subscribes to `channel` and records what it delivers. */
export function recordSubscriber(channel: SignalingChannel): SubscriberRecord {
  const log: string[] = [];
  const messages: unknown[] = [];
  const unsubscribe = channel.subscribe({
    message: (data) => {
      messages.push(data);
    },
    up: () => {
      log.push('up');
    },
    down: () => {
      log.push('down');
    },
    left: () => {
      log.push('left');
    },
  });
  return { log, messages, unsubscribe };
}
