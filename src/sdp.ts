// The facts we read out of SDP: the ICE username fragment, whether Firefox wrote it, and a
// redacted form for logs.

/** The first `a=ice-ufrag` of a description, or null. */
export function iceUfrag(sdp: string | undefined | null): string | null {
  if (sdp == null) return null;
  const match = /^a=ice-ufrag:(\S+)/m.exec(sdp);
  return match?.[1] ?? null;
}

/** A log-safe summary of an SDP: never the ICE password, never the full text. */
export function describeSdp(sdp: string): string {
  const mLines = sdp.match(/^m=\w+/gm) ?? [];
  return `${sdp.length} chars, ufrag ${iceUfrag(sdp) ?? '-'}, ${mLines.map((m) => m.slice(2)).join('+') || 'no m-lines'}`;
}

/** Whether Firefox wrote the description (its origin line names "mozilla...THIS_IS_SDPARTA"). */
export function isFirefoxSdp(sdp: string | undefined | null): boolean {
  return sdp != null && /^o=mozilla\.\.\.THIS_IS_SDPARTA/m.test(sdp);
}

/**
 * Whether two descriptions are the same but for what the browser fills in as candidates gather:
 * candidate lines are added to `localDescription`, and Firefox also rewrites its m-line ports, its
 * c- and rtcp-lines to the default candidate, and bumps the origin's version. A description resent
 * later (after a signaling outage) is therefore not the same text as the first one.
 */
export function sameDescription(a: string, b: string): boolean {
  const gathered = /^(a=candidate:|a=end-of-candidates|a=rtcp:|c=|o=).*$/;
  const normalize = (sdp: string): string =>
    sdp
      .split(/\r?\n/)
      .filter((line) => !gathered.test(line))
      .map((line) => line.replace(/^(m=\w+) \d+ /, '$1 _ '))
      .join('\n');
  return a === b || normalize(a) === normalize(b);
}
