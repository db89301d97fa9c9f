// Types of what e2e/pages/peers.js puts on `window`, so specs stay type-checked.
import type * as Library from '../src/index';
import type { ChannelCheck } from './pages/shared/sequence.js';

export interface LoopbackChannel extends Library.SignalingChannel {
  readonly sent: { at: number; message: Library.SignalingMessage }[];
  lost: number;
  setUp(up: boolean): void;
  deliver(data: unknown): void;
  offers(): { at: number; message: Library.SignalingMessage }[];
}

export interface RecordedEvent {
  at: number;
  name: keyof Library.ResilientPeerEvents;
  payload: Record<string, unknown>;
}

export interface Pair {
  a: Library.ResilientPeer;
  b: Library.ResilientPeer;
  chA: LoopbackChannel;
  chB: LoopbackChannel;
  eventsA: RecordedEvent[];
  eventsB: RecordedEvent[];
}

export interface Sequence {
  sent: number;
  stop(): void;
  check(): ChannelCheck;
}

export interface Harness {
  makePair(
    options?: Partial<Library.Options>,
    a?: Partial<Library.Options>,
    b?: Partial<Library.Options>,
  ): Pair;
  ufrag(description: RTCSessionDescription | null): string | null;
  selectedPairId(pc: RTCPeerConnection): Promise<string | null>;
  until<T>(
    predicate: () => T | Promise<T>,
    timeoutMs?: number,
    label?: string,
  ): Promise<NonNullable<T>>;
  canvasTrack(label?: string): MediaStreamTrack;
  sequence(pair: Pair, options?: { label?: string; everyMs?: number }): Sequence;
}

export interface HarnessWindow {
  rp: typeof Library;
  t: Harness;
  pair: Pair;
  instrument: { listenerCount(target: EventTarget): number; activeTimers(): number };
}
