import { describe, expect, it } from 'vitest';
import { derivePhase, transition, type PhaseInput } from './phase';

const base: PhaseInput = {
  closed: false,
  connectionState: 'new',
  iceConnectionState: 'new',
  recovering: false,
  gaveUp: false,
  everConnected: false,
};

function input(overrides: Partial<PhaseInput>): PhaseInput {
  return { ...base, ...overrides };
}

const connected = { connectionState: 'connected', iceConnectionState: 'connected' } as const;

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

  it('is closed when closed, whatever else is true', () => {
    expect(derivePhase(input({ ...connected, closed: true, recovering: true, gaveUp: true }))).toBe(
      'closed',
    );
    expect(derivePhase(input({ connectionState: 'closed', iceConnectionState: 'closed' }))).toBe(
      'closed',
    );
  });
});

describe('transition', () => {
  it('returns the change when the phase changed', () => {
    expect(transition('connecting', input(connected))).toEqual({
      from: 'connecting',
      to: 'connected',
    });
    expect(transition('connected', input({ ...connected, recovering: true }))).toEqual({
      from: 'connected',
      to: 'recovering',
    });
    expect(
      transition(
        'recovering',
        input({ connectionState: 'failed', gaveUp: true, everConnected: true }),
      ),
    ).toEqual({ from: 'recovering', to: 'failed' });
  });

  it('returns null when the phase stayed the same', () => {
    expect(transition('new', base)).toBeNull();
    expect(transition('connected', input({ ...connected, everConnected: true }))).toBeNull();
  });

  it('moves from failed back to recovering when a new incident opens', () => {
    expect(
      transition(
        'failed',
        input({ connectionState: 'failed', recovering: true, everConnected: true }),
      ),
    ).toEqual({ from: 'failed', to: 'recovering' });
  });
});
