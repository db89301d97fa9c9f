// Makes video senders emit a keyframe right after the path returns. During an outage the
// receiver asked for none, so without this the picture stays frozen until its ~3 s "no
// decodable frame" timer fires (about 1.1 s after restore in Chromium). Turning the first
// encoding off and on again restarts the encoder, which begins with a keyframe; Chromium has no
// sender-side generateKeyFrame, and replaceTrack or small parameter changes do nothing.

/** Toggles `encodings[0].active` off and on for every active video sender. */
export async function kickKeyframes(pc: RTCPeerConnection): Promise<number> {
  let kicked = 0;
  for (const sender of pc.getSenders()) {
    if (sender.track?.kind !== 'video') continue;
    const parameters = sender.getParameters();
    const first = parameters.encodings[0];
    if (first === undefined || first.active === false) continue;
    first.active = false;
    await sender.setParameters(parameters);
    const again = sender.getParameters();
    const encoding = again.encodings[0];
    if (encoding === undefined) continue;
    encoding.active = true;
    await sender.setParameters(again);
    kicked += 1;
  }
  return kicked;
}
