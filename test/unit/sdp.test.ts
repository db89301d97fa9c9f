import { describe, expect, it } from 'vitest';
import { describeSdp, iceUfrag, isFirefoxSdp, sameDescription } from '../../src/sdp.js';
import { sdpText } from '../support/sdp.js';

const SDP = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=ice-ufrag:Ab+/',
  'a=ice-pwd:secretpasswordsecretpass',
  'a=mid:0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=ice-ufrag:second',
  'a=ice-pwd:otherpasswordotherpassw',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  '',
].join('\r\n');

describe('iceUfrag', () => {
  it('returns the first ufrag without the line ending', () => {
    expect(iceUfrag(SDP)).toBe('Ab+/');
  });

  it('reads a ufrag from LF-only SDP', () => {
    expect(iceUfrag('v=0\na=ice-ufrag:xyz1\n')).toBe('xyz1');
  });

  it('ignores a ufrag that is not at the start of a line', () => {
    expect(iceUfrag('v=0\r\nx a=ice-ufrag:nope\r\n')).toBeNull();
  });

  it('returns null for a missing or empty description', () => {
    expect(iceUfrag(null)).toBeNull();
    expect(iceUfrag(undefined)).toBeNull();
    expect(iceUfrag('')).toBeNull();
    expect(iceUfrag('v=0\r\na=ice-ufrag:\r\n')).toBeNull();
  });
});

describe('describeSdp', () => {
  it('names the length, the ufrag and the m-lines', () => {
    expect(describeSdp(SDP)).toBe(`${SDP.length} chars, ufrag Ab+/, audio+video+application`);
  });

  it('never contains the ICE password', () => {
    const summary = describeSdp(SDP);
    expect(summary).not.toContain('secretpassword');
    expect(summary).not.toContain('otherpassword');
    expect(summary).not.toContain('ice-pwd');
  });

  it('says when there is no ufrag or m-line', () => {
    expect(describeSdp('v=0\r\n')).toBe('5 chars, ufrag -, no m-lines');
  });
});

describe('isFirefoxSdp', () => {
  it("recognises Firefox's origin line, and nothing else", () => {
    expect(isFirefoxSdp(sdpText({ ufrag: 'f', firefox: true }))).toBe(true);
    expect(isFirefoxSdp(sdpText({ ufrag: 'c' }))).toBe(false);
    expect(isFirefoxSdp(SDP)).toBe(false);
    expect(isFirefoxSdp('v=0\r\ns=o=mozilla...THIS_IS_SDPARTA\r\n')).toBe(false);
    expect(isFirefoxSdp(null)).toBe(false);
    expect(isFirefoxSdp(undefined)).toBe(false);
  });
});

describe('sameDescription', () => {
  const first = [
    'v=0',
    'o=mozilla...THIS_IS_SDPARTA-99.0 1 0 IN IP4 0.0.0.0',
    'm=video 9 UDP/TLS/RTP/SAVPF 120',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:abcd',
    'a=sendrecv',
    '',
  ].join('\r\n');

  it('takes a resent description with gathered candidates, ports and versions for the same', () => {
    const resent = first
      .replace(' 1 0 IN', ' 1 1 IN')
      .replace('m=video 9 ', 'm=video 50123 ')
      .replace(
        'c=IN IP4 0.0.0.0',
        'c=IN IP4 10.0.0.2\r\na=candidate:0 1 UDP 1 10.0.0.2 50123 typ host\r\na=end-of-candidates',
      );
    expect(sameDescription(first, resent)).toBe(true);
  });

  it('tells a renegotiation with the same ICE credentials apart', () => {
    expect(sameDescription(first, first.replace('a=sendrecv', 'a=recvonly'))).toBe(false);
    expect(sameDescription(first, `${first}m=audio 9 UDP/TLS/RTP/SAVPF 109\r\n`)).toBe(false);
  });
});
