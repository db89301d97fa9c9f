// Records every event a ResilientPeer emits, with a timestamp from `now`, as plain data the
// specs read back through page.evaluate (errors reduced to their code and message).

/** The library's events, in the order the README lists them. */
export const PEER_EVENTS = [
  'phaseChange',
  'restartScheduled',
  'restartAttempt',
  'remoteRestart',
  'recovered',
  'gaveUp',
  'signalingChange',
  'remoteLeft',
  'connectionReplaced',
  'error',
];

/** Appends each event of `peer` to the returned array as `{ at, name, payload }`. */
export function recordEvents(peer, now) {
  const events = [];
  for (const name of PEER_EVENTS) {
    peer.on(name, (payload) => {
      events.push({
        at: now(),
        name,
        payload:
          name === 'error'
            ? { message: payload.error.message, code: payload.error.code }
            : name === 'connectionReplaced'
              ? { reason: payload.reason }
              : { ...payload },
      });
    });
  }
  return events;
}
