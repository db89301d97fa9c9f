// The one way arguments are checked: options of ResilientPeer, of the policies and of the
// adapters all go through `validateObject`, so every wrong value gets a TypeError in one style:
// "Expected `name` to be what, got what-came." Unknown keys are named too, with a suggestion.

/** One checked field: its test and what it expects, as a phrase ("a boolean"). */
export type Rule = readonly [test: (value: unknown) => boolean, expected: string];

/**
 * A short text for a value of unknown type: what it is, never its whole content (`"offer"`,
 * `a 300-character string`, `1.5`, `a 2-item array`, `null`).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `a ${value.length}-item array`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** Throws the TypeError for a wrong argument unless `ok`: names it, what was expected and got. */
export function expectValue(
  ok: boolean,
  name: string,
  expected: string,
  value: unknown,
): asserts ok {
  if (!ok) {
    throw new TypeError(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}.`);
  }
}

/**
 * Checks an options object: it is an object, has no key outside `rules`, every present key passes
 * its rule and every `required` key is present. `what` names the object in messages.
 */
export function validateObject(
  value: unknown,
  what: string,
  rules: Readonly<Record<string, Rule>>,
  required: readonly string[] = [],
): void {
  expectValue(isRecord(value), what, 'an object', value);
  const known = Object.keys(rules);
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const suggestion = closest(key, known);
    throw new TypeError(
      `Unknown ${what === 'options' ? 'option' : `key of \`${what}\``} \`${key}\`` +
        (suggestion === undefined ? '.' : `; did you mean \`${suggestion}\`?`),
    );
  }
  for (const [key, [test, expected]] of Object.entries(rules)) {
    const field = value[key];
    if (field === undefined && !required.includes(key)) continue;
    expectValue(test(field), key, expected, field);
  }
}

/** A plain object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number of milliseconds, zero or more. */
export const isMs = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

export const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

export const isFunction = (value: unknown): value is (...args: never[]) => unknown =>
  typeof value === 'function';

/** The known key closest to a mistyped one (case, or at most two edits away), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance =
      candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance between two short strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
