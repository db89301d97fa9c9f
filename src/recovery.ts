// The recovery scheduler: one incident at a time, attempts spaced by the policy, never two at
// once, none spent while the browser is offline, and a give-up when the policy says stop.
// It owns timing decisions only; the facade performs the attempt (restartIce) it asks for.

import type { Clock } from './clock';
import type { Policy, PolicyContext, Trigger } from './policy';

/** How long the last attempt may work before the incident is given up. */
export const GIVE_UP_GRACE_MS = 5000;

/**
 * How long an attempt's offer may go unanswered before the attempt counts as lost (sent into a
 * socket that was already dead, or a remote that is gone) and the next one may start.
 */
export const ATTEMPT_TIMEOUT_MS = 5000;

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
    return {
      kind: 'threw',
      error: new TypeError(
        `Expected the policy to return a non-negative number of milliseconds or null, got ${typeof delay === 'number' ? delay : typeof delay}.`,
      ),
    };
  }
  return { kind: 'wait', delayMs: delay };
}

/** What the scheduler asks of its owner. */
export interface RecoveryHooks {
  readonly isOnline: () => boolean;
  readonly scheduled: (attempt: number, delayMs: number, trigger: Trigger) => void;
  readonly attempt: (attempt: number, trigger: Trigger) => void;
  readonly gaveUp: (attempts: number, elapsedMs: number, policyError?: unknown) => void;
}

interface Incident {
  readonly trigger: Trigger;
  readonly detectedAt: number;
  attempts: number;
  /** An attempt's negotiation has not completed yet. */
  inFlight: boolean;
  /** When the last attempt started. */
  attemptStartedAt: number;
  /** An attempt came due while one was in flight or the browser was offline. */
  due: boolean;
  timer: unknown;
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
  readonly #clock: Clock;
  readonly #policy: Policy;
  readonly #hooks: RecoveryHooks;

  constructor(clock: Clock, policy: Policy, hooks: RecoveryHooks) {
    this.#clock = clock;
    this.#policy = policy;
    this.#hooks = hooks;
  }

  /** An incident is open. */
  get active(): boolean {
    return this.#incident !== null;
  }

  /** The last incident ended with the policy giving up, and nothing has recovered since. */
  get gaveUp(): boolean {
    return this.#gaveUp;
  }

  /** Attempts made in the open incident. */
  get attempts(): number {
    return this.#incident?.attempts ?? 0;
  }

  /**
   * Something broke (or may have): open an incident, or hurry the open one for immediate
   * triggers. Returns whether a new incident was opened.
   */
  detect(trigger: Trigger): boolean {
    const incident = this.#incident;
    if (incident === null) {
      // After a give-up only a new reason to hope (or the app) starts over; the native state
      // that made the policy give up would otherwise reopen the incident at once, forever.
      if (this.#gaveUp && !IMMEDIATE_TRIGGERS.has(trigger)) return false;
      this.#gaveUp = false;
      const opened: Incident = {
        trigger,
        detectedAt: this.#clock.now(),
        attempts: 0,
        inFlight: false,
        attemptStartedAt: 0,
        due: false,
        timer: undefined,
      };
      this.#incident = opened;
      if (IMMEDIATE_TRIGGERS.has(trigger)) this.#fire(opened, trigger === 'manual');
      else this.#scheduleNext();
      return true;
    }
    if (!IMMEDIATE_TRIGGERS.has(trigger)) return false;
    // An attempt already negotiating covers a network change or a returning signaling channel:
    // its pending offer is resent, so starting another would only duel with it.
    // The app's own restart() is obeyed at once, abandoning an attempt still in flight.
    if (this.#waitingForAnswer(incident) && trigger !== 'manual') return false;
    this.#clearTimer(incident);
    this.#fire(incident, trigger === 'manual');
    return false;
  }

  /** The browser came back online: a due attempt runs now. */
  online(): void {
    const incident = this.#incident;
    if (incident?.due === true && !this.#waitingForAnswer(incident)) {
      this.#clearTimer(incident);
      this.#fire(incident);
    }
  }

  /** The current attempt's offer/answer completed with new ICE credentials. */
  settled(): void {
    const incident = this.#incident;
    if (incident === null) return;
    incident.inFlight = false;
    // An attempt that came due meanwhile is rescheduled by the policy, not fired at once: the
    // attempt that just settled deserves its chance to connect first.
    if (incident.due) {
      incident.due = false;
      this.#clearTimer(incident);
      this.#scheduleNext();
    }
  }

  /** The path works again: close the incident and return what it took. */
  recovered(): IncidentSummary | null {
    const incident = this.#incident;
    this.#gaveUp = false;
    if (incident === null) return null;
    this.#clearTimer(incident);
    this.#incident = null;
    return {
      trigger: incident.trigger,
      attempts: incident.attempts,
      detectedAt: incident.detectedAt,
    };
  }

  /** Stops every timer; the scheduler is unusable afterwards. */
  dispose(): void {
    if (this.#incident !== null) this.#clearTimer(this.#incident);
    this.#incident = null;
  }

  #scheduleNext(): void {
    const incident = this.#incident;
    if (incident === null) return;
    const attempt = incident.attempts + 1;
    const decision = this.#decideNext(incident);
    if (decision.kind === 'wait') {
      incident.timer = this.#clock.setTimeout(() => {
        incident.timer = undefined;
        this.#fire(incident);
      }, decision.delayMs);
      this.#hooks.scheduled(attempt, decision.delayMs, incident.trigger);
      return;
    }
    const policyError = decision.kind === 'threw' ? decision.error : undefined;
    // The first attempt cannot be judged yet; give the last one time to work before giving up.
    const graceMs = incident.attempts === 0 ? 0 : GIVE_UP_GRACE_MS;
    incident.timer = this.#clock.setTimeout(() => {
      incident.timer = undefined;
      this.#giveUp(incident, policyError);
    }, graceMs);
  }

  #decideNext(incident: Incident): PolicyDecision {
    return decide(this.#policy, {
      attempt: incident.attempts + 1,
      elapsedMs: this.#clock.now() - incident.detectedAt,
      trigger: incident.trigger,
      online: this.#hooks.isOnline(),
    });
  }

  #fire(incident: Incident, force = false): void {
    if (this.#incident !== incident) return;
    const now = this.#clock.now();
    const waitingForAnswer = this.#waitingForAnswer(incident);
    if (!force && (waitingForAnswer || !this.#hooks.isOnline())) {
      // Blocked (the last offer is unanswered, or offline): no attempt is spent, but the policy
      // still decides whether waiting is worth it, and we look again later, so neither a dead
      // signaling channel nor a long offline spell can hang the incident.
      const decision = this.#decideNext(incident);
      if (decision.kind !== 'wait') {
        this.#giveUp(incident, decision.kind === 'threw' ? decision.error : undefined);
        return;
      }
      incident.due = true;
      const recheckMs = waitingForAnswer
        ? ATTEMPT_TIMEOUT_MS - (now - incident.attemptStartedAt)
        : Math.max(decision.delayMs, 1000);
      incident.timer = this.#clock.setTimeout(() => {
        incident.timer = undefined;
        this.#fire(incident);
      }, recheckMs);
      return;
    }
    incident.due = false;
    incident.attempts += 1;
    incident.inFlight = true;
    incident.attemptStartedAt = now;
    this.#hooks.attempt(incident.attempts, incident.trigger);
    this.#scheduleNext();
  }

  /** The last attempt's offer is out and still young enough to be answered. */
  #waitingForAnswer(incident: Incident): boolean {
    return incident.inFlight && this.#clock.now() - incident.attemptStartedAt < ATTEMPT_TIMEOUT_MS;
  }

  #giveUp(incident: Incident, policyError: unknown): void {
    if (this.#incident !== incident) return;
    this.#incident = null;
    this.#gaveUp = true;
    this.#hooks.gaveUp(incident.attempts, this.#clock.now() - incident.detectedAt, policyError);
  }

  #clearTimer(incident: Incident): void {
    if (incident.timer !== undefined) this.#clock.clearTimeout(incident.timer);
    incident.timer = undefined;
  }
}
