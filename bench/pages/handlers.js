// The handlers under test, each driving one call of a bench page (bench.js): (a), (b) a plain
// RTCPeerConnection as the MDN examples write it, over the shared relay client; (c), (d), (e)
// resilient-peer over WebSocketSignaling with the variant's options. All of them get the same
// ICE servers from the page. The page instruments the call through `ctx`; a handler only says
// what its own code does (offers sent, restarts).

import { connectRelay } from '/e2e/pages/shared/relay-client.js';

/**
 * What a handler gets from the page.
 * @typedef {object} CallContext
 * @property {string} variant a | b | c | d | e
 * @property {string} peerName a | b (a joins the room first: the relay's slot 0, impolite)
 * @property {string} room
 * @property {RTCIceServer[]} iceServers every connection's STUN and TURN servers
 * @property {MediaStream} stream the camera to send
 * @property {any} lib the library module (variants c, d, e)
 * @property {(event: string, data?: Record<string, unknown>) => void} log
 * @property {(pc: RTCPeerConnection) => void} usePc every RTCPeerConnection the call uses, when it starts
 * @property {(dc: RTCDataChannel) => void} useChannel every data channel of the call
 * @property {(value: boolean, why: string) => void} setConnected
 * @property {(how: string) => void} recoveryStarted
 */

/**
 * (a), (b). negotiationneeded → offer; an offer is answered whatever the state (Chromium rolls
 * back implicitly); no glare handling, no resend. The WebSocket pings every second so the relay
 * keeps it, and a new one opens 1 s after a close, as a typical app does; nothing detects a
 * blackholed socket. Resolves once the relay welcomed this side.
 * @param {CallContext} ctx
 */
export async function naiveCall(ctx) {
  const { variant, peerName, stream, log } = ctx;
  const pc = new RTCPeerConnection({ iceServers: ctx.iceServers });
  ctx.usePc(pc);
  let cameraAdded = false;
  const addCamera = () => {
    if (cameraAdded) return;
    cameraAdded = true;
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
  };
  const send = (data) => {
    if (relay.send(data) && data.description?.type === 'offer') log('offerSent');
  };
  const nativeConnected = () =>
    pc.connectionState === 'connected' &&
    (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed');
  const onState = () => {
    ctx.setConnected(nativeConnected(), 'native');
    const failed =
      variant === 'a' ? pc.iceConnectionState === 'failed' : pc.connectionState === 'failed';
    if (failed) {
      ctx.recoveryStarted('restartIce');
      log('restartIce');
      pc.restartIce();
    }
  };
  pc.addEventListener('connectionstatechange', onState);
  pc.addEventListener('iceconnectionstatechange', onState);
  pc.onnegotiationneeded = async () => {
    try {
      await pc.setLocalDescription();
      send({ description: pc.localDescription });
    } catch (error) {
      log('error', { where: 'negotiationneeded', message: String(error) });
    }
  };
  pc.onicecandidate = ({ candidate }) => {
    if (candidate?.candidate) send({ candidate });
  };
  pc.ondatachannel = ({ channel }) => ctx.useChannel(channel);

  let started = false;
  const onPeerPresent = () => {
    if (started || peerName !== 'a') return;
    started = true;
    addCamera();
    ctx.useChannel(pc.createDataChannel('seq', { ordered: true }));
  };
  const onSignal = async ({ description, candidate }) => {
    if (description) {
      if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') {
        log('answerIgnored', { signalingState: pc.signalingState });
        return;
      }
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        addCamera(); // the answerer sends its camera in its first answer
        await pc.setLocalDescription();
        send({ description: pc.localDescription });
      }
    } else if (candidate) {
      await pc.addIceCandidate(candidate);
    }
  };
  let welcomed;
  const joined = new Promise((resolve) => (welcomed = resolve));
  const relay = connectRelay({
    room: ctx.room,
    id: peerName,
    pingMs: 1000,
    reconnectMs: 1000,
    log,
    onWelcome: ({ polite, peerPresent }) => {
      log('welcome', { polite, peerPresent });
      welcomed();
      if (peerPresent) onPeerPresent();
    },
    onPeer: ({ present }) => {
      log('peer', { present });
      if (present) onPeerPresent();
    },
    onSignal,
  });
  await joined;
  return {
    restart: () => {
      log('restartIce');
      pc.restartIce();
    },
  };
}

/**
 * (c), (d), (e). Every connection is set up through `setup` (the first and each replacement).
 * Resolves once the relay welcomed this side.
 * @param {CallContext} ctx
 */
export async function libraryCall(ctx) {
  const { variant, peerName, stream, log, lib: rp } = ctx;
  const options =
    variant === 'd'
      ? { policy: rp.delayTable(rp.LIVEKIT_DELAYS_MS), stallTimeoutMs: 0, disconnectedGraceMs: 1e9 }
      : variant === 'e'
        ? { stallTimeoutMs: 0 }
        : {};
  const url = new URL('/signal', location.href);
  url.protocol = 'ws:';
  url.searchParams.set('room', ctx.room);
  const signaling = new rp.WebSocketSignaling({ url: url.href, id: peerName });
  // Count the offers that really go to the relay (send() drops while the channel is down).
  const send = signaling.send.bind(signaling);
  signaling.send = (message) => {
    if (signaling.isUp && message?.kind === 'description' && message.description.type === 'offer')
      log('offerSent');
    send(message);
  };
  signaling.on('state', (state) => log('signaling', { ...state }));
  signaling.on('error', ({ error }) => log('signalingError', { message: error.message }));
  const { polite } = await signaling.ready();

  // As e2e/netns/pages/app.js once did: the polite side adds its camera only after the first
  // negotiation, because a polite first offer that collides leaves Chromium gathering nothing.
  const setup = (pc) => {
    ctx.usePc(pc);
    const addCamera = () => {
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
    };
    if (!polite) addCamera();
    else {
      const afterFirst = () => {
        if (pc.signalingState !== 'stable' || pc.remoteDescription === null) return;
        pc.removeEventListener('signalingstatechange', afterFirst);
        addCamera();
      };
      pc.addEventListener('signalingstatechange', afterFirst);
    }
    if (polite) pc.addEventListener('datachannel', ({ channel }) => ctx.useChannel(channel));
    else ctx.useChannel(pc.createDataChannel('seq', { ordered: true }));
  };
  const peer = new rp.ResilientPeer({
    polite,
    signaling,
    setup,
    rtcConfig: { iceServers: ctx.iceServers },
    ...options,
  });
  peer.on('phaseChange', ({ from, to, cause }) => {
    log('phase', { from, to, cause });
    if (to === 'recovering') ctx.recoveryStarted('phase');
    ctx.setConnected(to === 'connected', 'phase');
  });
  peer.on('restartAttempt', (e) => log('restartAttempt', { ...e }));
  peer.on('recovered', (e) => log('recovered', { ...e }));
  peer.on('gaveUp', (e) => log('gaveUp', { ...e }));
  peer.on('connectionReplaced', ({ reason }) => log('connectionReplaced', { reason }));
  peer.on('error', ({ error }) => log('libError', { code: error.code, message: error.message }));
  return { restart: () => peer.restart() };
}
