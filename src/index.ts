// The public API of resilient-peer: everything exported here is supported; nothing else is.

export { ResilientPeer } from './resilient-peer.js';
export type { Options, Logger } from './options.js';
export type { Phase } from './phase.js';
export type {
  ResilientPeerEvents,
  PhaseChangeEvent,
  PhaseCause,
  RestartScheduledEvent,
  RestartAttemptEvent,
  RestartAction,
  RemoteRestartEvent,
  RecoveredEvent,
  GaveUpEvent,
  SignalingChangeEvent,
  SignalingCause,
  RemoteLeftEvent,
  ConnectionReplacedEvent,
  ReplaceReason,
  TrackEvent,
  ErrorEvent,
} from './events.js';
export type { PathInfo, CandidateType } from './path-activity.js';
export type { Rung, IceServersProvider } from './escalation.js';
export { exponentialBackoff, delayTable, LIVEKIT_DELAYS_MS } from './policy.js';
export type { Policy, PolicyContext, Trigger, ExponentialBackoffOptions } from './policy.js';
export { ResilientPeerError, InvalidSignalError, ClosedError } from './errors.js';
export type { ErrorCode } from './errors.js';
export type { SignalingChannel, SignalingHandlers } from './signaling/channel.js';
export type {
  SignalingMessage,
  DescriptionMessage,
  CandidateMessage,
  PingMessage,
  PongMessage,
  RestartRequestMessage,
  ByeMessage,
} from './signaling/messages.js';
export { WebSocketSignaling } from './signaling/websocket.js';
export type {
  WebSocketSignalingOptions,
  WebSocketSignalingEvents,
  WebSocketSignalingStateEvent,
  WebSocketSignalingWelcomeEvent,
  WebSocketSignalingErrorEvent,
  SocketState,
  WebSocketConstructor,
  WebSocketLike,
} from './signaling/websocket-options.js';
export { BroadcastChannelSignaling } from './signaling/broadcast.js';
export type { BroadcastChannelSignalingOptions } from './signaling/broadcast.js';
