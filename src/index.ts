// The public API of resilient-peer: everything exported here is supported; nothing else is.

export { ResilientPeer } from './resilient-peer';
export type { Options, Logger } from './options';
export type { Phase } from './phase';
export type {
  ResilientPeerEvents,
  PhaseChangeEvent,
  PhaseCause,
  RestartScheduledEvent,
  RestartAttemptEvent,
  RecoveredEvent,
  GaveUpEvent,
  ErrorEvent,
} from './events';
export { exponentialBackoff, delayTable, LIVEKIT_DELAYS_MS } from './policy';
export type { Policy, PolicyContext, Trigger, ExponentialBackoffOptions } from './policy';
export { ResilientPeerError, InvalidSignalError, ClosedError } from './errors';
export type { ErrorCode } from './errors';
export type { SignalingChannel, SignalingHandlers } from './signaling/channel';
export type { SignalingMessage, DescriptionMessage, CandidateMessage } from './signaling/messages';
export { WebSocketSignaling } from './signaling/websocket';
export type { WebSocketSignalingOptions, WebSocketSignalingEvents } from './signaling/websocket';
export { BroadcastChannelSignaling } from './signaling/broadcast';
