// Owns the SDP text tests use: small descriptions with the lines the library reads (the version
// line, `m=` lines, `a=ice-ufrag:`), and a host candidate line.

/** What a test description says. */
export interface SdpParts {
  readonly ufrag: string;
  /** The `o=` session version: a new one for each description a side makes. @default 1 */
  readonly version?: number;
  /** One `m=` line per entry. @default ['application'] */
  readonly media?: readonly string[];
  /** Which side of DTLS: the offerer says actpass, the answerer active. @default 'actpass' */
  readonly setup?: 'actpass' | 'active';
  /** The `o=` session id, telling two endpoints apart. @default 1 */
  readonly origin?: number;
  /** Firefox wrote it (its origin line). @default false */
  readonly firefox?: boolean;
}

/** SDP text with a session-level ICE ufrag and password and one m-line per medium. */
export function sdpText(parts: SdpParts): string {
  const { ufrag, version = 1, media = ['application'], setup = 'actpass', origin = 1 } = parts;
  const lines = [
    'v=0',
    parts.firefox === true
      ? `o=mozilla...THIS_IS_SDPARTA-128.0 ${origin} ${version} IN IP4 0.0.0.0`
      : `o=- ${origin} ${version} IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    `a=ice-ufrag:${ufrag}`,
    `a=ice-pwd:${ufrag}-password-password-password`,
  ];
  media.forEach((kind, mid) => {
    const protocol =
      kind === 'application' ? 'UDP/DTLS/SCTP webrtc-datachannel' : 'UDP/TLS/RTP/SAVPF 96';
    lines.push(`m=${kind} 9 ${protocol}`, `a=mid:${mid}`, `a=setup:${setup}`);
  });
  lines.push('');
  return lines.join('\r\n');
}

/** The ICE ufrag of `sdp` (its first `a=ice-ufrag:` line), or null. */
export function ufragOf(sdp: string | undefined): string | null {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp ?? '')?.[1] ?? null;
}

/** The kinds of the m-lines of `sdp`, in order. */
export function mediaOf(sdp: string): string[] {
  return [...sdp.matchAll(/^m=(\w+)/gm)].map((match) => match[1] ?? '');
}

/** A host candidate line; `n` tells candidates apart. */
export function hostCandidate(n: number): string {
  return `candidate:${n} 1 udp 2122260223 192.0.2.${n % 250} ${5000 + n} typ host`;
}
