import { describe, expect, it } from 'vitest';
import { kickKeyframes } from '../../src/keyframe.js';
import { FakePeerConnection } from '../support/fake-peer-connection.js';

describe('kickKeyframes', () => {
  it('turns the first encoding of every active video sender off and on again', async () => {
    const pc = new FakePeerConnection();
    const camera = pc.addSender('video');
    const screen = pc.addSender('video', [{ active: true }, { active: false }]);
    expect(await kickKeyframes(pc.native)).toBe(2);
    expect(camera.activeHistory).toEqual([false, true]);
    expect(screen.activeHistory).toEqual([false, true]);
    expect(screen.getParameters().encodings).toEqual([{ active: true }, { active: false }]);
  });

  it('leaves audio, senders without a track, inactive and encoding-less senders alone', async () => {
    const pc = new FakePeerConnection();
    const audio = pc.addSender('audio');
    const empty = pc.addSender(null);
    const paused = pc.addSender('video', [{ active: false }]);
    const none = pc.addSender('video', []);
    expect(await kickKeyframes(pc.native)).toBe(0);
    for (const sender of [audio, empty, paused, none]) expect(sender.activeHistory).toEqual([]);
  });

  it('counts an encoding without `active` as active', async () => {
    const pc = new FakePeerConnection();
    const sender = pc.addSender('video', [{}]);
    expect(await kickKeyframes(pc.native)).toBe(1);
    expect(sender.activeHistory).toEqual([false, true]);
  });

  it('rejects with what setParameters rejects with', async () => {
    const pc = new FakePeerConnection();
    const sender = pc.addSender('video');
    const failure = new DOMException('transaction id mismatch', 'InvalidModificationError');
    sender.failWith = failure;
    await expect(kickKeyframes(pc.native)).rejects.toBe(failure);
  });
});
