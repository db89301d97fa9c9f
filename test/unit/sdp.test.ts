import { describe, expect, it } from 'vitest';
import { describeSdp, iceUfrag } from './sdp.js';

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
