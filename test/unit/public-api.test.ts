// The public API as types (checked by `tsc --noEmit -p .`) and as the set of values src/index.ts
// exports: what is exported is supported, and nothing else is.

import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from '../../src/index.js';
import {
  BroadcastChannelSignaling,
  ClosedError,
  delayTable,
  exponentialBackoff,
  InvalidSignalError,
  LIVEKIT_DELAYS_MS,
  ResilientPeer,
  ResilientPeerError,
  WebSocketSignaling,
  type ByeMessage,
  type CandidateMessage,
  type CandidateType,
  type ConnectionReplacedEvent,
  type DescriptionMessage,
  type ErrorCode,
  type ErrorEvent,
  type ExponentialBackoffOptions,
  type GaveUpEvent,
  type Logger,
  type Options,
  type PathInfo,
  type Phase,
  type PhaseCause,
  type PhaseChangeEvent,
  type PingMessage,
  type Policy,
  type PolicyContext,
  type PongMessage,
  type IceServersProvider,
  type Rung,
  type RecoveredEvent,
  type RemoteLeftEvent,
  type RemoteRestartEvent,
  type ReplaceReason,
  type ResilientPeerEvents,
  type RestartAttemptEvent,
  type RestartAction,
  type RestartScheduledEvent,
  type SignalingCause,
  type SignalingChangeEvent,
  type SignalingChannel,
  type SignalingHandlers,
  type SignalingMessage,
  type SocketState,
  type TrackEvent,
  type Trigger,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketSignalingErrorEvent,
  type WebSocketSignalingEvents,
  type WebSocketSignalingOptions,
  type WebSocketSignalingStateEvent,
  type WebSocketSignalingWelcomeEvent,
} from '../../src/index.js';

type PayloadOf<E extends keyof ResilientPeerEvents> = Parameters<ResilientPeerEvents[E]>[0];

describe('the public API', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(api).sort()).toEqual([
      'BroadcastChannelSignaling',
      'ClosedError',
      'InvalidSignalError',
      'LIVEKIT_DELAYS_MS',
      'ResilientPeer',
      'ResilientPeerError',
      'WebSocketSignaling',
      'delayTable',
      'exponentialBackoff',
    ]);
  });

  it('types the ResilientPeer', () => {
    expectTypeOf(ResilientPeer).toBeConstructibleWith({
      polite: true,
      signaling: {} as SignalingChannel,
    });
    expectTypeOf<ResilientPeer['pc']>().toEqualTypeOf<RTCPeerConnection>();
    expectTypeOf<ResilientPeer['phase']>().toEqualTypeOf<Phase>();
    expectTypeOf<ResilientPeer['polite']>().toEqualTypeOf<boolean>();
    expectTypeOf<ResilientPeer['restart']>().toEqualTypeOf<() => void>();
    expectTypeOf<ResilientPeer['close']>().toEqualTypeOf<() => void>();
    expectTypeOf<Phase>().toEqualTypeOf<
      'new' | 'connecting' | 'connected' | 'recovering' | 'failed' | 'remote-left' | 'closed'
    >();
  });

  it('gives every event one readonly payload of its own type', () => {
    expectTypeOf<PayloadOf<'phaseChange'>>().toEqualTypeOf<PhaseChangeEvent>();
    expectTypeOf<PayloadOf<'restartScheduled'>>().toEqualTypeOf<RestartScheduledEvent>();
    expectTypeOf<PayloadOf<'restartAttempt'>>().toEqualTypeOf<RestartAttemptEvent>();
    expectTypeOf<PayloadOf<'remoteRestart'>>().toEqualTypeOf<RemoteRestartEvent>();
    expectTypeOf<PayloadOf<'recovered'>>().toEqualTypeOf<RecoveredEvent>();
    expectTypeOf<PayloadOf<'gaveUp'>>().toEqualTypeOf<GaveUpEvent>();
    expectTypeOf<PayloadOf<'signalingChange'>>().toEqualTypeOf<SignalingChangeEvent>();
    expectTypeOf<PayloadOf<'remoteLeft'>>().toEqualTypeOf<RemoteLeftEvent>();
    expectTypeOf<PayloadOf<'connectionReplaced'>>().toEqualTypeOf<ConnectionReplacedEvent>();
    expectTypeOf<PayloadOf<'track'>>().toEqualTypeOf<TrackEvent>();
    expectTypeOf<PayloadOf<'error'>>().toEqualTypeOf<ErrorEvent>();

    expectTypeOf<PhaseChangeEvent>().toEqualTypeOf<{
      readonly from: Phase;
      readonly to: Phase;
      readonly cause: PhaseCause;
    }>();
    expectTypeOf<PhaseCause>().toEqualTypeOf<
      | 'native-state'
      | 'detected'
      | 'restart'
      | 'recovered'
      | 'gave-up'
      | 'remote-left'
      | 'replaced'
      | 'closed'
    >();
    expectTypeOf<RecoveredEvent>().toEqualTypeOf<{
      readonly trigger: Trigger;
      readonly attempts: number;
      readonly detectMs: number;
      readonly downtimeMs: number;
      readonly path: PathInfo | null;
      readonly rung: Rung;
    }>();
    expectTypeOf<RestartAttemptEvent>().toEqualTypeOf<{
      readonly attempt: number;
      readonly trigger: Trigger;
      readonly rung: Rung;
      readonly action: RestartAction;
    }>();
    expectTypeOf<RestartAction>().toEqualTypeOf<
      'restart' | 'resend' | 'remote-restart' | 'replace'
    >();
    expectTypeOf<Rung>().toEqualTypeOf<'restart' | 'relay' | 'replace'>();
    expectTypeOf<RestartScheduledEvent>().toEqualTypeOf<{
      readonly attempt: number;
      readonly delayMs: number;
      readonly trigger: Trigger;
    }>();
    expectTypeOf<SignalingChangeEvent['cause']>().toEqualTypeOf<SignalingCause>();
    expectTypeOf<SignalingCause>().toEqualTypeOf<
      'channel-up' | 'channel-down' | 'unanswered' | 'answered'
    >();
    expectTypeOf<RemoteLeftEvent['how']>().toEqualTypeOf<'bye' | 'channel'>();
    expectTypeOf<ConnectionReplacedEvent['reason']>().toEqualTypeOf<ReplaceReason>();
    expectTypeOf<ReplaceReason>().toEqualTypeOf<'remote-rejoined' | 'transport-failed'>();
    expectTypeOf<ErrorEvent['error']>().toEqualTypeOf<ResilientPeerError>();
    expectTypeOf<TrackEvent['track']>().toEqualTypeOf<MediaStreamTrack>();
    expectTypeOf<TrackEvent['streams']>().toEqualTypeOf<readonly MediaStream[]>();
    expectTypeOf<TrackEvent['pc']>().toEqualTypeOf<RTCPeerConnection>();
    expectTypeOf<PathInfo['local']>().toEqualTypeOf<CandidateType>();
    expectTypeOf<CandidateType>().toEqualTypeOf<'host' | 'srflx' | 'prflx' | 'relay'>();
    expectTypeOf<PathInfo['relayProtocol']>().toEqualTypeOf<'udp' | 'tcp' | 'tls' | undefined>();
  });

  it('types listeners by event name, and rejects unknown events and writes to payloads', () => {
    const peer = null as unknown as ResilientPeer;
    const typed = (): void => {
      peer.on('phaseChange', (event) => {
        expectTypeOf(event).toEqualTypeOf<PhaseChangeEvent>();
        // @ts-expect-error payloads are readonly
        event.to = 'closed';
      });
      peer.once('recovered', (event) => {
        expectTypeOf(event.path).toEqualTypeOf<PathInfo | null>();
      });
      peer.addListener('error', ({ error }) => {
        expectTypeOf(error.code).toEqualTypeOf<ErrorCode>();
      });
      // @ts-expect-error not an event of ResilientPeer
      peer.on('recover', () => undefined);
      // @ts-expect-error the wrong payload for this event
      peer.on('gaveUp', (event: RecoveredEvent) => event);
    };
    expectTypeOf(typed).returns.toBeVoid();
  });

  it('keeps Options readonly and optional apart from polite and signaling', () => {
    expectTypeOf<Options>().toEqualTypeOf<Readonly<Options>>();
    expectTypeOf<{ polite: boolean; signaling: SignalingChannel }>().toExtend<Options>();
    expectTypeOf<{ polite: boolean }>().not.toExtend<Options>();
    expectTypeOf<{ signaling: SignalingChannel }>().not.toExtend<Options>();
    expectTypeOf<Options['stallTimeoutMs']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Options['disconnectedGraceMs']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Options['policy']>().toEqualTypeOf<Policy | undefined>();
    expectTypeOf<Options['setup']>().toEqualTypeOf<((pc: RTCPeerConnection) => void) | undefined>();
    expectTypeOf<Options['signal']>().toEqualTypeOf<AbortSignal | undefined>();
    expectTypeOf<Options['logger']>().toEqualTypeOf<Logger | undefined>();
    expectTypeOf<Options['getIceServers']>().toEqualTypeOf<IceServersProvider | undefined>();
    expectTypeOf<IceServersProvider>().toEqualTypeOf<
      () => readonly RTCIceServer[] | Promise<readonly RTCIceServer[]>
    >();
    expectTypeOf<Options['relayAfterRestarts']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Logger>().toExtend<{
      readonly debug?: (message: string, data?: Readonly<Record<string, unknown>>) => void;
    }>();
  });

  it('types a policy as a pure function of a frozen context', () => {
    expectTypeOf<Policy>().toEqualTypeOf<(context: PolicyContext) => number | null>();
    expectTypeOf<PolicyContext>().toEqualTypeOf<{
      readonly attempt: number;
      readonly elapsedMs: number;
      readonly trigger: Trigger;
      readonly online: boolean;
      readonly rung: Rung;
    }>();
    expectTypeOf<Trigger>().toEqualTypeOf<
      | 'failed'
      | 'disconnected'
      | 'stall'
      | 'connect-timeout'
      | 'network-change'
      | 'signaling-restored'
      | 'manual'
    >();
    expectTypeOf(exponentialBackoff)
      .parameter(0)
      .toEqualTypeOf<ExponentialBackoffOptions | undefined>();
    expectTypeOf(exponentialBackoff).returns.toEqualTypeOf<Policy>();
    expectTypeOf(delayTable).parameters.toEqualTypeOf<[delaysMs?: readonly number[]]>();
    expectTypeOf(delayTable).returns.toEqualTypeOf<Policy>();
    expectTypeOf(LIVEKIT_DELAYS_MS).toEqualTypeOf<readonly number[]>();
    expectTypeOf<ExponentialBackoffOptions>().toEqualTypeOf<Readonly<ExponentialBackoffOptions>>();
  });

  it('narrows the code of each error class', () => {
    expectTypeOf<ResilientPeerError['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<InvalidSignalError['code']>().toEqualTypeOf<'invalid-signal'>();
    expectTypeOf<ClosedError['code']>().toEqualTypeOf<'closed'>();
    expectTypeOf<InvalidSignalError['data']>().toEqualTypeOf<string>();
    expectTypeOf<InvalidSignalError>().toExtend<ResilientPeerError>();
    expectTypeOf<ClosedError>().toExtend<ResilientPeerError>();
    expectTypeOf<ResilientPeerError>().toExtend<Error>();
    expectTypeOf<ErrorCode>().toEqualTypeOf<
      | 'invalid-signal'
      | 'negotiation-failed'
      | 'policy-threw'
      | 'signaling-failed'
      | 'ice-servers-failed'
      | 'closed'
      | 'internal'
    >();
    expectTypeOf(ResilientPeerError).toBeConstructibleWith('internal', 'message', { cause: 1 });
    // A code outside ErrorCode does not type-check.
    const wrong = (): ResilientPeerError =>
      // @ts-expect-error not an ErrorCode
      new ResilientPeerError('boom', 'message');
    expectTypeOf(wrong).returns.toEqualTypeOf<ResilientPeerError>();
  });

  it('types the signaling channel and the wire format', () => {
    expectTypeOf<SignalingChannel['isUp']>().toEqualTypeOf<boolean>();
    expectTypeOf<SignalingChannel['send']>().toEqualTypeOf<(message: SignalingMessage) => void>();
    expectTypeOf<SignalingChannel['subscribe']>().toEqualTypeOf<
      (handlers: SignalingHandlers) => () => void
    >();
    expectTypeOf<SignalingChannel['reconnect']>().toEqualTypeOf<(() => void) | undefined>();
    expectTypeOf<SignalingHandlers['left']>().toEqualTypeOf<(() => void) | undefined>();
    expectTypeOf<SignalingHandlers['message']>().toEqualTypeOf<(data: unknown) => void>();
    // The restart request is in the union but has no exported name of its own.
    expectTypeOf<Exclude<SignalingMessage, { readonly kind: 'restart' }>>().toEqualTypeOf<
      DescriptionMessage | CandidateMessage | PingMessage | PongMessage | ByeMessage
    >();
    expectTypeOf<Extract<SignalingMessage, { readonly kind: 'restart' }>>().toEqualTypeOf<{
      readonly kind: 'restart';
      readonly session?: string;
    }>();
    expectTypeOf<SignalingMessage['kind']>().toEqualTypeOf<
      'description' | 'candidate' | 'ping' | 'pong' | 'restart' | 'bye'
    >();
    expectTypeOf<SignalingMessage['session']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<PingMessage['id']>().toEqualTypeOf<number>();
    expectTypeOf<DescriptionMessage['description']['type']>().toEqualTypeOf<'offer' | 'answer'>();
    expectTypeOf<CandidateMessage['candidate']['usernameFragment']>().toEqualTypeOf<
      string | null
    >();
  });

  it('types the WebSocket adapter, its options and its events', () => {
    expectTypeOf<WebSocketSignaling>().toExtend<SignalingChannel>();
    expectTypeOf<BroadcastChannelSignaling>().toExtend<SignalingChannel>();
    expectTypeOf(WebSocketSignaling).toBeConstructibleWith({ url: 'wss://x/signal?room=r' });
    expectTypeOf<WebSocketSignaling['ready']>().toEqualTypeOf<() => Promise<{ polite: boolean }>>();
    expectTypeOf<WebSocketSignaling['state']>().toEqualTypeOf<SocketState>();
    expectTypeOf<WebSocketSignaling['polite']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<WebSocketSignaling['id']>().toEqualTypeOf<string>();
    expectTypeOf<SocketState>().toEqualTypeOf<'connecting' | 'open' | 'closed'>();
    expectTypeOf<WebSocketSignalingEvents>().toEqualTypeOf<{
      state: (event: WebSocketSignalingStateEvent) => void;
      welcome: (event: WebSocketSignalingWelcomeEvent) => void;
      error: (event: WebSocketSignalingErrorEvent) => void;
    }>();
    expectTypeOf<WebSocketSignalingStateEvent>().toEqualTypeOf<{
      readonly up: boolean;
      readonly socket: SocketState;
      readonly peerPresent: boolean;
    }>();
    expectTypeOf<WebSocketSignalingErrorEvent['error']>().toEqualTypeOf<ResilientPeerError>();
    expectTypeOf<WebSocketSignalingOptions['url']>().toEqualTypeOf<string>();
    expectTypeOf<WebSocketSignalingOptions['WebSocket']>().toEqualTypeOf<
      WebSocketConstructor | undefined
    >();
    expectTypeOf<WebSocketConstructor>().toEqualTypeOf<new (url: string) => WebSocketLike>();
    const signaling = null as unknown as WebSocketSignaling;
    const typed = (): void => {
      signaling.on('state', (event) => {
        expectTypeOf(event).toEqualTypeOf<WebSocketSignalingStateEvent>();
      });
      signaling.on('welcome', ({ polite }) => {
        expectTypeOf(polite).toEqualTypeOf<boolean>();
      });
      // @ts-expect-error not an event of WebSocketSignaling
      signaling.on('message', () => undefined);
    };
    expectTypeOf(typed).returns.toBeVoid();
  });
});
