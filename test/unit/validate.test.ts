import { describe, expect, it } from 'vitest';
import {
  describeValue,
  expectValue,
  isBoolean,
  isFunction,
  isMs,
  isRecord,
  validateObject,
  type Rule,
} from '../../src/validate.js';

const NUMBER: Rule = [(v) => typeof v === 'number', 'a number'];

describe('describeValue', () => {
  it('quotes a short string and gives only the length of a long one', () => {
    expect(describeValue('offer')).toBe('"offer"');
    expect(describeValue('x'.repeat(40))).toBe(`"${'x'.repeat(40)}"`);
    expect(describeValue('x'.repeat(41))).toBe('a 41-character string');
  });

  it('names arrays by length, and functions and objects by what they are', () => {
    expect(describeValue([1, 2])).toBe('a 2-item array');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue({ secret: 'never shown' })).toBe('an object');
  });

  it('prints other primitives as they are', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(1.5)).toBe('1.5');
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue(10n)).toBe('10');
    expect(describeValue(false)).toBe('false');
  });
});

describe('expectValue', () => {
  it('throws a TypeError naming the value, what was expected and what came', () => {
    expect(() => {
      expectValue(false, 'delayMs', 'a number', 'soon');
    }).toThrow(new TypeError('Expected `delayMs` to be a number, got "soon".'));
  });

  it('does nothing when the check holds', () => {
    expect(() => {
      expectValue(true, 'delayMs', 'a number', 1);
    }).not.toThrow();
  });
});

describe('validateObject', () => {
  const rules = { stallTimeoutMs: NUMBER, polite: [isBoolean, 'a boolean'] as Rule };

  it('rejects something that is not an object', () => {
    for (const value of [null, 'x', 3, [1]]) {
      expect(() => {
        validateObject(value, 'options', rules);
      }).toThrow(/^Expected `options` to be an object, got /);
    }
  });

  it('suggests the known option meant by a typo of up to two edits', () => {
    expect(() => {
      validateObject({ stalTimeoutMs: 1 }, 'options', rules);
    }).toThrow(new TypeError('Unknown option `stalTimeoutMs`; did you mean `stallTimeoutMs`?'));
    expect(() => {
      validateObject({ stallTimeoutMS: 1 }, 'options', rules);
    }).toThrow('did you mean `stallTimeoutMs`?');
    expect(() => {
      validateObject({ poltie: true }, 'options', rules);
    }).toThrow('Unknown option `poltie`; did you mean `polite`?');
  });

  it('matches a key that differs only in case however long it is', () => {
    expect(() => {
      validateObject({ STALLTIMEOUTMS: 1 }, 'options', rules);
    }).toThrow('Unknown option `STALLTIMEOUTMS`; did you mean `stallTimeoutMs`?');
  });

  it('names an unknown key without a suggestion when nothing is close', () => {
    expect(() => {
      validateObject({ color: 'red' }, 'options', rules);
    }).toThrow(new TypeError('Unknown option `color`.'));
  });

  it('says "key of" for objects other than options', () => {
    expect(() => {
      validateObject({ extra: 1 }, 'rtcConfig', rules);
    }).toThrow(new TypeError('Unknown key of `rtcConfig` `extra`.'));
  });

  it('checks present keys and required ones, and skips absent optional ones', () => {
    expect(() => {
      validateObject({}, 'options', rules);
    }).not.toThrow();
    expect(() => {
      validateObject({ stallTimeoutMs: undefined }, 'options', rules);
    }).not.toThrow();
    expect(() => {
      validateObject({}, 'options', rules, ['polite']);
    }).toThrow(new TypeError('Expected `polite` to be a boolean, got undefined.'));
    expect(() => {
      validateObject({ stallTimeoutMs: '1' }, 'options', rules);
    }).toThrow(new TypeError('Expected `stallTimeoutMs` to be a number, got "1".'));
  });
});

describe('the value checks', () => {
  it('isRecord holds for plain objects only', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord([])).toBe(false);
    expect(isRecord(null)).toBe(false);
    expect(isRecord('x')).toBe(false);
  });

  it('isMs holds for finite non-negative numbers', () => {
    expect([0, 1.5, 1e9].every(isMs)).toBe(true);
    expect([-1, Number.NaN, Number.POSITIVE_INFINITY, '1'].some(isMs)).toBe(false);
  });

  it('isBoolean and isFunction check the type', () => {
    expect(isBoolean(false)).toBe(true);
    expect(isBoolean(0)).toBe(false);
    expect(isFunction(() => 1)).toBe(true);
    expect(isFunction({})).toBe(false);
  });
});
