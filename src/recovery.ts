// The recovery scheduler: one incident at a time, attempts spaced by the policy, never two at
// once, none spent while the browser is offline, and a give-up when the policy says stop. Each
// delay is counted from the moment the previous attempt settled (or was abandoned), so
// `restartScheduled.delayMs` says exactly when the next attempt runs. It owns timing decisions
// only; the facade performs the attempt (restartIce) it asks for.

import type { Env, Timer } from './env.js';
import type { Rung } from './escalation.js';
import type { Policy, PolicyContext, Trigger } from './policy.js';

/** How long the last attempt may work before the incident is given up. */
export const GIVE_UP_GRACE_MS = 5000;

/**
 * How long an attempt's offer may go unanswered before the attempt counts as lost (sent into a
 * socket that was already dead, or a remote that is gone) and the next one is scheduled.
 */
export const ATTEMPT_TIMEOUT_MS = 5000;

/** While offline, a due attempt is looked at again at most this often (if `online` never fires). */
export const OFFLINE_RECHECK_MS = 1000;

/** Triggers that ask for an attempt now instead of waiting for the scheduled one. */
const IMMEDIATE_TRIGGERS: ReadonlySet<Trigger> = new Set([
  'network-change',
  'signaling-restored',
  'manual',
]);

/** The result of asking the policy about the next attempt; pure. */
export type PolicyDecision =
  | { readonly kind: 'wait'; readonly delayMs: number }
  | { readonly kind: 'give-up' }
  | { readonly kind: 'threw'; readonly error: unknown };

/** Calls the user's policy safely: a throw or a value that is not a delay means stop. */
export function decide(policy: Policy, context: PolicyContext): PolicyDecision {
  let delay: unknown;
  try {
    delay = policy(Object.freeze({ ...context }));
  } catch (error) {
    return { kind: 'threw', error };
  }
  if (delay === null) return { kind: 'give-up' };
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
    const got = typeof delay === 'number' ? String(delay) : typeof delay;
    return {
      kind: 'threw',
      error: new TypeError(
        `Expected the policy to return a non-negative finite number of milliseconds or null, got ${got}.`,
      ),
    };
  }
  return { kind: 'wait', delayMs: delay };
}

/** What the scheduler asks of its owner. */
export interface RecoveryHooks {
  /** Attempt `attempt` will run in `delayMs` unless the incident ends first. */
  readonly scheduled: (attempt: number, delayMs: number, trigger: Trigger) => void;
  /** Run attempt `attempt` now; call `settled()` once its restart is negotiated. */
  readonly attempt: (attempt: number, trigger: Trigger) => void;
  readonly gaveUp: (attempts: number, elapsedMs: number, policyError?: unknown) => void;
  /** The escalation rung the next attempt will use (for the policy's context). */
  readonly rung: () => Rung;
}

/** What the open incident is doing. */
type Step = 'waiting' | 'in-flight' | 'offline' | 'grace';

interface Incident {
  readonly trigger: Trigger;
  readonly detectedAt: number;
  attempts: number;
  step: Step;
  timer: Timer;
}

/** A closed incident, for the `recovered` event. */
export interface IncidentSummary {
  readonly trigger: Trigger;
  readonly attempts: number;
  readonly detectedAt: number;
}

/** Schedules ICE-restart attempts for one incident at a time. */
export class RecoveryScheduler {
  #incident: Incident | null = null;
  #gaveUp = false;
  /** The signaling channel is down (or unanswered), as last reported. */
  #signalingDown = false;
  /** An attempt ran while the channel was down: the remote may never have seen it. */
  #attemptedWhileSignalingDown = false;
  readonly #env: Pick<Env, 'now' | 'setTimeout' | 'clearTimeout' | 'isOnline'>;
  readonly #policy: Policy;
  readonly #hooks: RecoveryHooks;

  constructor(
    env: Pick<Env, 'now' | 'setTimeout' | 'clearTimeout' | 'isOnline'>,
    policy: Policy,
    hooks: RecoveryHooks,
  ) {
    this.#env = env;
    this.#policy = policy;
    this.#hooks = hooks;
  }

  /** An incident is open. */
  get active(): boolean {
    return this.#incident !== null;
  }

  /** The open incident's trigger, or null. */
  get trigger(): Trigger | null {
    return this.#incident?.trigger ?? null;
  }

  /** The last incident ended with the policy giving up, and nothing has recovered since. */
  get gaveUp(): boolean {
    return this.#gaveUp;
  }

  /**
   * Something broke (or may have): open an incident, or hurry the open one for immediate
   * triggers. Returns whether a new incident was opened.
   */
  detect(trigger: Trigger): boolean {
    const incident = this.#incident;
    const missedAttempt = this.#attemptedWhileSignalingDown;
    if (trigger === 'signaling-restored') this.#attemptedWhileSignalingDown = false;
    if (incident === null) {
      // After a give-up only a new reason to hope (or the app) starts over; the native state
      // that made the policy give up would otherwise reopen the incident at once, forever.
      if (this.#gaveUp && !IMMEDIATE_TRIGGERS.has(trigger)) return false;
      this.#gaveUp = false;
      const opened: Incident = {
        trigger,
        detectedAt: this.#env.now(),
        attempts: 0,
        step: 'waiting',
        timer: undefined,
      };
      this.#incident = opened;
      if (IMMEDIATE_TRIGGERS.has(trigger)) this.#fire(opened, trigger === 'manual');
      else this.#scheduleNext(opened);
      return true;
    }
    if (!IMMEDIATE_TRIGGERS.has(trigger)) return false;
    // A channel that comes back hurries the incident only if an attempt ran while it was down.
    // A short blip between attempts (a pong late behind a retransmission or a busy page) lost
    // nothing, and the policy's pacing stands.
    if (trigger === 'signaling-restored' && !missedAttempt) return false;
    // An attempt still negotiating covers a network change or a returning signaling channel:
    // its pending offer is resent, so starting another would only duel with it. The app's own
    // restart() is obeyed at once, abandoning an attempt in flight.
    if (incident.step === 'in-flight' && trigger !== 'manual') return false;
    this.#fire(incident, trigger === 'manual');
    return false;
  }

  /**
   * The signaling channel went down or came back. An attempt that runs while it is down may not
   * reach the remote, so the restore (`detect('signaling-restored')`) hurries the incident then.
   */
  signalingChanged(up: boolean): void {
    if (!up && !this.#signalingDown) this.#attemptedWhileSignalingDown = false;
    this.#signalingDown = !up;
  }

  /** The browser came back online: an attempt held back by being offline runs now. */
  online(): void {
    const incident = this.#incident;
    if (incident?.step === 'offline') this.#fire(incident);
  }

  /** The current attempt's restart was negotiated (or was not needed): schedule the next one. */
  settled(): void {
    const incident = this.#incident;
    if (incident?.step === 'in-flight') this.#scheduleNext(incident);
  }

  /** The path works again: close the incident and return what it took. */
  recovered(): IncidentSummary | null {
    this.#gaveUp = false;
    const incident = this.#close();
    if (incident === null) return null;
    return {
      trigger: incident.trigger,
      attempts: incident.attempts,
      detectedAt: incident.detectedAt,
    };
  }

  /** Ends the incident without recovery or give-up (there is nobody left to recover with). */
  cancel(): void {
    this.#gaveUp = false;
    this.#close();
  }

  /** Stops every timer; the scheduler is unusable afterwards. */
  dispose(): void {
    this.#close();
  }

  #close(): Incident | null {
    const incident = this.#incident;
    if (incident !== null) this.#env.clearTimeout(incident.timer);
    this.#incident = null;
    return incident;
  }

  #arm(incident: Incident, step: Step, delayMs: number, then: () => void): void {
    this.#env.clearTimeout(incident.timer);
    incident.step = step;
    incident.timer = this.#env.setTimeout(() => {
      if (this.#incident === incident) then();
    }, delayMs);
  }

  #scheduleNext(incident: Incident): void {
    const attempt = incident.attempts + 1;
    const decision = this.#decideNext(incident);
    if (decision.kind === 'wait') {
      this.#arm(incident, 'waiting', decision.delayMs, () => {
        this.#fire(incident);
      });
      this.#hooks.scheduled(attempt, decision.delayMs, incident.trigger);
      return;
    }
    const policyError = decision.kind === 'threw' ? decision.error : undefined;
    // The first attempt cannot be judged yet; give the last one time to work before giving up.
    const graceMs = incident.attempts === 0 ? 0 : GIVE_UP_GRACE_MS;
    this.#arm(incident, 'grace', graceMs, () => {
      this.#giveUp(incident, policyError);
    });
  }

  #decideNext(incident: Incident): PolicyDecision {
    return decide(this.#policy, {
      attempt: incident.attempts + 1,
      elapsedMs: this.#env.now() - incident.detectedAt,
      trigger: incident.trigger,
      online: this.#env.isOnline(),
      rung: this.#hooks.rung(),
    });
  }

  #fire(incident: Incident, force = false): void {
    if (!force && !this.#env.isOnline()) {
      // No attempt is spent offline, but the policy still decides whether waiting is worth it,
      // and we look again later in case no `online` event comes.
      const decision = this.#decideNext(incident);
      if (decision.kind !== 'wait') {
        this.#giveUp(incident, decision.kind === 'threw' ? decision.error : undefined);
        return;
      }
      const recheckMs = Math.max(decision.delayMs, OFFLINE_RECHECK_MS);
      this.#arm(incident, 'offline', recheckMs, () => {
        this.#fire(incident);
      });
      return;
    }
    incident.attempts += 1;
    if (this.#signalingDown) this.#attemptedWhileSignalingDown = true;
    // An unanswered attempt is abandoned after ATTEMPT_TIMEOUT_MS and the next one scheduled,
    // so neither a dead signaling channel nor a gone remote can hang the incident.
    this.#arm(incident, 'in-flight', ATTEMPT_TIMEOUT_MS, () => {
      this.#scheduleNext(incident);
    });
    this.#hooks.attempt(incident.attempts, incident.trigger);
  }

  #giveUp(incident: Incident, policyError: unknown): void {
    this.#close();
    this.#gaveUp = true;
    this.#hooks.gaveUp(incident.attempts, this.#env.now() - incident.detectedAt, policyError);
  }
}
