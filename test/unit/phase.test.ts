import { describe, expect, it } from 'vitest';
import { bothConnected, derivePhase, type PhaseInput } from '../../src/phase.js';

const base: PhaseInput = {
  closed: false,
  connectionState: 'new',
  iceConnectionState: 'new',
  recovering: false,
  gaveUp: false,
  everConnected: false,
  remoteLeft: false,
};

function input(overrides: Partial<PhaseInput>): PhaseInput {
  return { ...base, ...overrides };
}

const connected = { connectionState: 'connected', iceConnectionState: 'connected' } as const;

describe('bothConnected', () => {
  it('holds only when connectionState is connected and ICE is connected or completed', () => {
    expect(bothConnected('connected', 'connected')).toBe(true);
    expect(bothConnected('connected', 'completed')).toBe(true);
    expect(bothConnected('connected', 'disconnected')).toBe(false);
    expect(bothConnected('connecting', 'connected')).toBe(false);
  });
});

describe('derivePhase', () => {
  it('is new before anything happened', () => {
    expect(derivePhase(base)).toBe('new');
  });

  it('is connecting while the first connection is being set up', () => {
    expect(
      derivePhase(input({ connectionState: 'connecting', iceConnectionState: 'checking' })),
    ).toBe('connecting');
  });

  it('is connecting when the first connection fails before ever connecting', () => {
    expect(derivePhase(input({ connectionState: 'failed', iceConnectionState: 'failed' }))).toBe(
      'connecting',
    );
  });

  it('is connected only when both native states agree', () => {
    expect(derivePhase(input(connected))).toBe('connected');
    expect(derivePhase(input({ ...connected, iceConnectionState: 'completed' }))).toBe('connected');
    expect(derivePhase(input({ ...connected, iceConnectionState: 'disconnected' }))).toBe(
      'connecting',
    );
    expect(
      derivePhase(input({ connectionState: 'connecting', iceConnectionState: 'connected' })),
    ).toBe('connecting');
  });

  it('stays connected through a blip before recovery starts once it was connected', () => {
    expect(
      derivePhase(
        input({
          connectionState: 'disconnected',
          iceConnectionState: 'disconnected',
          everConnected: true,
        }),
      ),
    ).toBe('connected');
  });

  it('is recovering while an incident is open, even if the native states look connected', () => {
    expect(
      derivePhase(input({ connectionState: 'failed', recovering: true, everConnected: true })),
    ).toBe('recovering');
    expect(derivePhase(input({ ...connected, recovering: true }))).toBe('recovering');
  });

  it('is failed after a give-up while not connected', () => {
    expect(
      derivePhase(
        input({
          connectionState: 'failed',
          iceConnectionState: 'disconnected',
          gaveUp: true,
          everConnected: true,
        }),
      ),
    ).toBe('failed');
  });

  it('is connected after a give-up once the path works again', () => {
    expect(derivePhase(input({ ...connected, gaveUp: true, everConnected: true }))).toBe(
      'connected',
    );
  });

  it('moves from failed back to recovering when a new incident opens', () => {
    const failed = input({ connectionState: 'failed', gaveUp: true, everConnected: true });
    expect(derivePhase(failed)).toBe('failed');
    // A new incident clears the give-up (the scheduler reports gaveUp false again).
    expect(derivePhase({ ...failed, gaveUp: false, recovering: true })).toBe('recovering');
  });

  it('is remote-left while the remote is gone, whatever the native states say', () => {
    expect(derivePhase(input({ ...connected, remoteLeft: true, everConnected: true }))).toBe(
      'remote-left',
    );
    expect(
      derivePhase(input({ connectionState: 'failed', remoteLeft: true, recovering: true })),
    ).toBe('remote-left');
    expect(derivePhase(input({ remoteLeft: true, gaveUp: true }))).toBe('remote-left');
  });

  it('is closed when closed, whatever else is true', () => {
    expect(
      derivePhase(
        input({ ...connected, closed: true, recovering: true, gaveUp: true, remoteLeft: true }),
      ),
    ).toBe('closed');
    expect(derivePhase(input({ connectionState: 'closed', iceConnectionState: 'closed' }))).toBe(
      'closed',
    );
  });
});
