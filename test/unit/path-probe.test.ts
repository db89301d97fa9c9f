import { describe, expect, it } from 'vitest';
import type { ActivityDelta } from '../../src/path-activity.js';
import { PathProbe } from '../../src/path-probe.js';
import { FakeEnv, settle } from '../support/fake-env.js';
import { FakePeerConnection } from '../support/fake-peer-connection.js';

function setup() {
  const env = new FakeEnv();
  const pc = new FakePeerConnection();
  pc.connect();
  const samples: (ActivityDelta & { readonly at: number })[] = [];
  const probe = new PathProbe(pc.native, env, (delta) => {
    samples.push({ ...delta, at: env.elapsed });
  });
  return { env, pc, probe, samples };
}

describe('PathProbe', () => {
  it('samples once per interval and reports what arrived since the last sample', async () => {
    const { env, pc, probe, samples } = setup();
    pc.traffic = 'payload';
    probe.run(500);
    await env.pass(1000);
    pc.traffic = 'stun';
    await env.pass(500);
    pc.traffic = 'none';
    await env.pass(500);
    expect(samples).toEqual([
      { at: 500, fresh: true, freshPayload: true },
      { at: 1000, fresh: true, freshPayload: true },
      { at: 1500, fresh: true, freshPayload: false },
      { at: 2000, fresh: false, freshPayload: false },
    ]);
    expect(pc.statsCalls).toBe(4);
  });

  it('does nothing until run', async () => {
    const { env, pc, samples } = setup();
    await env.pass(5000);
    expect(samples).toEqual([]);
    expect(pc.statsCalls).toBe(0);
  });

  it('changes the cadence of a running probe, and keeps it when asked for the same', async () => {
    const { env, probe, samples } = setup();
    probe.run(500);
    await env.pass(200);
    probe.run(500);
    await env.pass(300);
    expect(samples.map((s) => s.at)).toEqual([500]);
    probe.run(100);
    await env.pass(300);
    expect(samples.map((s) => s.at)).toEqual([500, 600, 700, 800]);
  });

  it('samples now on request, and counts the next interval from then', async () => {
    const { env, probe, samples } = setup();
    probe.run(500);
    await env.pass(200);
    probe.sampleNow();
    await env.pass(500);
    expect(samples.map((s) => s.at)).toEqual([200, 700]);
  });

  it('never has two getStats() calls in flight', async () => {
    const { env, pc, probe, samples } = setup();
    pc.holdStats = true;
    probe.run(500);
    await env.pass(500);
    expect(pc.statsCalls).toBe(1);
    probe.sampleNow();
    probe.run(100);
    await env.pass(2000);
    expect(pc.statsCalls).toBe(1);
    expect(samples).toEqual([]);
    pc.releaseStats();
    await settle();
    expect(samples).toHaveLength(1);
    pc.holdStats = false;
    await env.pass(100);
    expect(pc.statsCalls).toBe(2);
  });

  it('stops sampling, and drops the answer of a getStats() in flight', async () => {
    const { env, pc, probe, samples } = setup();
    probe.run(500);
    await env.pass(500);
    pc.holdStats = true;
    await env.pass(500);
    probe.stop();
    probe.sampleNow();
    pc.releaseStats();
    await env.pass(5000);
    expect(samples).toHaveLength(1);
    expect(env.pendingTimers).toBe(0);
  });

  it('skips a sample when getStats() rejects and keeps its cadence', async () => {
    const { env, pc, probe, samples } = setup();
    probe.run(500);
    pc.close();
    await env.pass(1000);
    expect(samples).toEqual([]);
    expect(pc.statsCalls).toBe(2);
  });

  it('knows the selected path, and keeps the last one when a report has none', async () => {
    const { env, pc, probe } = setup();
    expect(probe.path).toBeNull();
    pc.path = { local: 'relay', remote: 'srflx', protocol: 'udp', relayProtocol: 'tcp' };
    probe.run(500);
    await env.pass(500);
    expect(probe.path).toEqual({
      local: 'relay',
      remote: 'srflx',
      protocol: 'udp',
      relayProtocol: 'tcp',
    });
    pc.path = { local: 'unknown', remote: 'host', protocol: 'udp' };
    await env.pass(500);
    expect(probe.path?.local).toBe('relay');
  });
});
