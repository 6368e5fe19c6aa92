import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { parseQuantity, Quantity, type QuantityFormat, quantityFromJSON } from './quantity.js';

const maxBinaryNanos = (2n ** 63n - 1n) * 10n ** 9n;

/** n × 10^exp as nano-units (exp ≥ -9), for readable expectations. */
function nanos(n: bigint | number, exp = 0): bigint {
  const shift = exp + 9;
  if (shift >= 0) return BigInt(n) * 10n ** BigInt(shift);
  throw new Error('finer than nano');
}

describe('Quantity.parse: values and formats (Kubernetes TestQuantityParse)', () => {
  const table: Array<[string, bigint, QuantityFormat]> = [
    ['0', 0n, 'DecimalSI'],
    ['0n', 0n, 'DecimalSI'],
    ['0u', 0n, 'DecimalSI'],
    ['0m', 0n, 'DecimalSI'],
    ['0Ki', 0n, 'BinarySI'],
    ['0k', 0n, 'DecimalSI'],
    ['0Mi', 0n, 'BinarySI'],
    ['0M', 0n, 'DecimalSI'],
    ['0Gi', 0n, 'BinarySI'],
    ['0G', 0n, 'DecimalSI'],
    ['0Ti', 0n, 'BinarySI'],
    ['0T', 0n, 'DecimalSI'],
    ['1', nanos(1), 'DecimalSI'],
    ['1Ki', nanos(1024), 'BinarySI'],
    ['8Ki', nanos(8 * 1024), 'BinarySI'],
    ['7Mi', nanos(7 * 1024 ** 2), 'BinarySI'],
    ['6Gi', nanos(6 * 1024 ** 3), 'BinarySI'],
    ['5Ti', nanos(5 * 1024 ** 4), 'BinarySI'],
    ['4Pi', nanos(4n * 1024n ** 5n), 'BinarySI'],
    ['3Ei', nanos(3n * 1024n ** 6n), 'BinarySI'],
    ['10Ti', nanos(10 * 1024 ** 4), 'BinarySI'],
    ['100Ti', nanos(100 * 1024 ** 4), 'BinarySI'],
    ['5n', 5n, 'DecimalSI'],
    ['4u', nanos(4, -6), 'DecimalSI'],
    ['3m', nanos(3, -3), 'DecimalSI'],
    ['9', nanos(9), 'DecimalSI'],
    ['8k', nanos(8, 3), 'DecimalSI'],
    ['50k', nanos(5, 4), 'DecimalSI'],
    ['7M', nanos(7, 6), 'DecimalSI'],
    ['6G', nanos(6, 9), 'DecimalSI'],
    ['5T', nanos(5, 12), 'DecimalSI'],
    ['40T', nanos(4, 13), 'DecimalSI'],
    ['300T', nanos(3, 14), 'DecimalSI'],
    ['2P', nanos(2, 15), 'DecimalSI'],
    ['1E', nanos(1, 18), 'DecimalSI'],
    ['1E-3', nanos(1, -3), 'DecimalExponent'],
    ['1e3', nanos(1, 3), 'DecimalExponent'],
    ['1E6', nanos(1, 6), 'DecimalExponent'],
    ['1e9', nanos(1, 9), 'DecimalExponent'],
    ['1E12', nanos(1, 12), 'DecimalExponent'],
    ['1e15', nanos(1, 15), 'DecimalExponent'],
    ['1E18', nanos(1, 18), 'DecimalExponent'],
    ['1e14', nanos(1, 14), 'DecimalExponent'],
    ['1e13', nanos(1, 13), 'DecimalExponent'],
    ['100.035k', nanos(100035), 'DecimalSI'],
    ['0.001', nanos(1, -3), 'DecimalSI'],
    ['0.0005k', nanos(5, -1), 'DecimalSI'],
    ['0.005', nanos(5, -3), 'DecimalSI'],
    ['0.05', nanos(5, -2), 'DecimalSI'],
    ['0.5', nanos(5, -1), 'DecimalSI'],
    ['0.00050k', nanos(5, -1), 'DecimalSI'],
    ['0.00500', nanos(5, -3), 'DecimalSI'],
    ['0.05000', nanos(5, -2), 'DecimalSI'],
    ['0.50000', nanos(5, -1), 'DecimalSI'],
    ['0.5e0', nanos(5, -1), 'DecimalExponent'],
    ['0.5e-1', nanos(5, -2), 'DecimalExponent'],
    ['0.5e-2', nanos(5, -3), 'DecimalExponent'],
    ['10.035M', nanos(10035, 3), 'DecimalSI'],
    ['1.2e3', nanos(12, 2), 'DecimalExponent'],
    ['1.3E+6', nanos(13, 5), 'DecimalExponent'],
    ['1.40e9', nanos(14, 8), 'DecimalExponent'],
    ['1.53E12', nanos(153, 10), 'DecimalExponent'],
    ['1.6e15', nanos(16, 14), 'DecimalExponent'],
    ['1.7E18', nanos(17, 17), 'DecimalExponent'],
    ['9.01', nanos(901, -2), 'DecimalSI'],
    ['8.1k', nanos(81, 2), 'DecimalSI'],
    ['7.123456M', nanos(7123456), 'DecimalSI'],
    ['6.987654321G', nanos(6987654321), 'DecimalSI'],
    ['5.444T', nanos(5444, 9), 'DecimalSI'],
    ['40.1T', nanos(401, 11), 'DecimalSI'],
    ['300.2T', nanos(3002, 11), 'DecimalSI'],
    ['2.5P', nanos(25, 14), 'DecimalSI'],
    ['1.01E', nanos(101, 16), 'DecimalSI'],
    // things that saturate or round (up, to the nano)
    ['3.001n', 4n, 'DecimalSI'],
    ['1.1E-9', 2n, 'DecimalExponent'],
    ['0.0000000001', 1n, 'DecimalSI'],
    ['0.0000000005', 1n, 'DecimalSI'],
    ['0.00000000050', 1n, 'DecimalSI'],
    ['0.5e-9', 1n, 'DecimalExponent'],
    ['0.9n', 1n, 'DecimalSI'],
    ['0.00000012345', 124n, 'DecimalSI'],
    ['0.00000012354', 124n, 'DecimalSI'],
    ['1e-400', 1n, 'DecimalExponent'],
    ['9Ei', maxBinaryNanos, 'BinarySI'],
    ['9223372036854775807Ki', maxBinaryNanos, 'BinarySI'],
    ['12E', nanos(12, 18), 'DecimalSI'],
    // fractional binary amounts are accepted
    ['100.035Ki', 102435840000000n, 'BinarySI'],
    ['0.5Mi', nanos(524288), 'BinarySI'],
    ['0.05Gi', 53687091200000000n, 'BinarySI'],
    ['0.025Ti', 27487790694400000000n, 'BinarySI'],
    // things written by trolls
    ['0.000000000001Ki', 2n, 'DecimalSI'],
    ['.001', nanos(1, -3), 'DecimalSI'],
    ['.0001k', nanos(100, -3), 'DecimalSI'],
    ['1.', nanos(1), 'DecimalSI'],
    ['1.G', nanos(1, 9), 'DecimalSI'],
    ['007', nanos(7), 'DecimalSI'],
  ];

  it.each(table)('%s', (text, value, format) => {
    const q = Quantity.parse(text);
    expect(q.nanos).toBe(value);
    expect(q.format).toBe(format);
  });

  it.each(table)('-%s is the negation, same format', (text, value, format) => {
    const q = Quantity.parse(`-${text}`);
    expect(q.nanos).toBe(-value);
    expect(q.format).toBe(format);
  });

  it.each(table)('+%s is the same value', (text, value, format) => {
    const q = Quantity.parse(`+${text}`);
    expect(q.nanos).toBe(value);
    expect(q.format).toBe(format);
  });
});

describe('Quantity.parse: junk is a BadRequest', () => {
  it.each([
    ['', "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ['1.1.M', 'quantities must match'],
    ['1+1.0M', 'quantities must match'],
    ['aoeu', 'quantities must match'],
    [' 1', 'quantities must match'],
    ['1 ', 'quantities must match'],
    ['.', 'quantities must match'],
    ['-', 'quantities must match'],
    ['+.', 'quantities must match'],
    ['1Mi ', 'quantities must match'],
    ['1,5', 'quantities must match'],
    ['0x10', 'quantities must match'],
    ['0.1mi', "unable to parse quantity's suffix"],
    ['0.1am', 'quantities must match'],
    ['.5i', "unable to parse quantity's suffix"],
    ['1i', "unable to parse quantity's suffix"],
    ['-3.01i', "unable to parse quantity's suffix"],
    ['-3.01e-', "unable to parse quantity's suffix"],
    ['1K', "unable to parse quantity's suffix"],
    ['1e', "unable to parse quantity's suffix"],
    ['1Ki2', "unable to parse quantity's suffix"],
    ['1mm', "unable to parse quantity's suffix"],
    ['1e3m', 'quantities must match'],
    ['1e99999', "unable to parse quantity's suffix"],
  ])('%j', (text, message) => {
    let error: unknown;
    try {
      Quantity.parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).reason).toBe('BadRequest');
    expect((error as ApiError).message).toContain(message);
  });
});

describe('Quantity.toString: canonical form (Kubernetes TestQuantityString)', () => {
  const table: Array<[bigint, QuantityFormat, string]> = [
    [nanos(1024 ** 3), 'BinarySI', '1Gi'],
    [nanos(300 * 1024 ** 2), 'BinarySI', '300Mi'],
    [nanos(6 * 1024), 'BinarySI', '6Ki'],
    [nanos(1001 * 1024 ** 3), 'BinarySI', '1001Gi'],
    [nanos(1024 ** 4), 'BinarySI', '1Ti'],
    [nanos(5), 'BinarySI', '5'],
    [nanos(500, -3), 'BinarySI', '500m'],
    [nanos(1, 9), 'DecimalSI', '1G'],
    [nanos(1000, 6), 'DecimalSI', '1G'],
    [nanos(1000000, 3), 'DecimalSI', '1G'],
    [nanos(1, -3), 'DecimalSI', '1m'],
    [nanos(80, -3), 'DecimalSI', '80m'],
    [nanos(1080, -3), 'DecimalSI', '1080m'],
    [nanos(300, 6), 'DecimalSI', '300M'],
    [nanos(1, 12), 'DecimalSI', '1T'],
    [nanos(1, 18), 'DecimalSI', '1E'],
    [nanos(1, 21), 'DecimalSI', '1e21'],
    [nanos(5, 21), 'DecimalSI', '5e21'],
    [nanos(1, 24), 'DecimalSI', '1e24'],
    [nanos(1234567, 6), 'DecimalSI', '1234567M'],
    [nanos(1234567, -3), 'BinarySI', '1234567m'],
    [nanos(3, 3), 'DecimalSI', '3k'],
    [nanos(1025), 'BinarySI', '1025'],
    [0n, 'DecimalSI', '0'],
    [0n, 'BinarySI', '0'],
    [0n, 'DecimalExponent', '0'],
    [nanos(1, 9), 'DecimalExponent', '1e9'],
    [nanos(1, -3), 'DecimalExponent', '1e-3'],
    [1n, 'DecimalExponent', '1e-9'],
    [nanos(80, -3), 'DecimalExponent', '80e-3'],
    [nanos(300, 6), 'DecimalExponent', '300e6'],
    [nanos(1, 12), 'DecimalExponent', '1e12'],
    [nanos(1, 3), 'DecimalExponent', '1e3'],
    [nanos(3, 3), 'DecimalExponent', '3e3'],
    [nanos(12, 2), 'DecimalExponent', '1200'],
    [1n, 'DecimalSI', '1n'],
    [80n, 'DecimalSI', '80n'],
    [1080n, 'DecimalSI', '1080n'],
    [nanos(1, -6), 'DecimalSI', '1u'],
    [nanos(80, -6), 'DecimalSI', '80u'],
    [nanos(1080, -6), 'DecimalSI', '1080u'],
    [nanos(2n ** 70n), 'BinarySI', `${2n ** 10n}Ei`],
  ];
  it.each(table)('%s nanos as %s → %s', (value, format, text) => {
    expect(Quantity.fromNanos(value, format).toString()).toBe(text);
    if (value !== 0n) expect(Quantity.fromNanos(-value, format).toString()).toBe(`-${text}`);
  });

  it.each([
    ['0.1', '100m'],
    ['1000m', '1'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['2e3', '2e3'],
    ['2000', '2k'],
    ['1000', '1k'],
    ['1100', '1100'],
    ['1.5', '1500m'],
    ['1.0', '1'],
    ['500m', '500m'],
    ['0.5', '500m'],
    ['128Mi', '128Mi'],
    ['1G', '1G'],
    ['1Ki', '1Ki'],
    ['1Mi', '1Mi'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1000M', '1G'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['.000000000001Ki', '2n'],
    ['1.5Ki', '1536'],
    ['1.1Ki', '1126400m'],
    ['100.035Ki', '102435840m'],
    ['0.5Ki', '512'],
    ['1E', '1E'],
    ['1000E', '1e21'],
    ['1E6', '1e6'],
    ['1.2e3', '1200'],
    ['+1', '1'],
    ['01', '1'],
    ['-0', '0'],
    ['-1Ki', '-1Ki'],
    ['-100m', '-100m'],
    ['9Ei', '9223372036854775807'],
  ])('parse(%j).toString() = %j', (text, canonical) => {
    expect(parseQuantity(text).toString()).toBe(canonical);
    // Canonical strings are fixed points.
    expect(parseQuantity(canonical).toString()).toBe(canonical);
  });

  it('serialises to JSON as its canonical string', () => {
    expect(JSON.stringify({ cpu: parseQuantity('0.25') })).toBe('{"cpu":"250m"}');
  });
});

describe('Quantity arithmetic and accessors', () => {
  it('rounds value() and milliValue() up, away from zero (Kubernetes Value/MilliValue)', () => {
    expect(parseQuantity('9.01').value()).toBe(10n);
    expect(parseQuantity('9.01').milliValue()).toBe(9010n);
    expect(parseQuantity('-9.01').value()).toBe(-10n);
    expect(parseQuantity('1n').milliValue()).toBe(1n);
    expect(parseQuantity('-1n').milliValue()).toBe(-1n);
    expect(parseQuantity('0.1').value()).toBe(1n);
    expect(parseQuantity('1Ki').value()).toBe(1024n);
    expect(parseQuantity('100m').milliValue()).toBe(100n);
    expect(parseQuantity('2').milliValue()).toBe(2000n);
    expect(parseQuantity('1.5Gi').value()).toBe(1610612736n);
    expect(parseQuantity('0').milliValue()).toBe(0n);
  });

  it('compares exactly, across suffixes', () => {
    expect(parseQuantity('0').cmp(parseQuantity('0'))).toBe(0);
    expect(parseQuantity('100m').cmp(parseQuantity('50m'))).toBe(1);
    expect(parseQuantity('50m').cmp(parseQuantity('100m'))).toBe(-1);
    expect(parseQuantity('10000T').cmp(parseQuantity('100Gi'))).toBe(1);
    expect(parseQuantity('1').cmp(parseQuantity('1000m'))).toBe(0);
    expect(parseQuantity('1Ki').cmp(parseQuantity('1024'))).toBe(0);
    expect(parseQuantity('1k').cmp(parseQuantity('1Ki'))).toBe(-1);
    // 0.1 + 0.2 is exactly 0.3 here.
    expect(parseQuantity('0.1').add(parseQuantity('0.2')).cmp(parseQuantity('0.3'))).toBe(0);
  });

  it('adds and subtracts, a zero receiver taking the other format (TestQuantityAddZeroPreservesSuffix)', () => {
    for (const text of ['100m', '1Gi']) {
      const q = parseQuantity(text);
      const zero = parseQuantity('0');
      expect(q.add(zero).toString()).toBe(text);
      expect(zero.add(q).toString()).toBe(text);
      expect(q.sub(zero).toString()).toBe(text);
      expect(zero.sub(q).toString()).toBe(q.neg().toString());
    }
    expect(parseQuantity('1Gi').add(parseQuantity('512Mi')).toString()).toBe('1536Mi');
    expect(parseQuantity('500m').add(parseQuantity('1')).toString()).toBe('1500m');
    expect(parseQuantity('1').sub(parseQuantity('1500m')).toString()).toBe('-500m');
    expect(parseQuantity('1').sub(parseQuantity('1')).isZero()).toBe(true);
  });

  it('negates (TestQuantityNeg) and reports its sign', () => {
    expect(parseQuantity('9.01').neg().toString()).toBe('-9010m');
    expect(parseQuantity('-1').sign()).toBe(-1);
    expect(parseQuantity('0').sign()).toBe(0);
    expect(parseQuantity('1n').sign()).toBe(1);
  });

  it('builds from milli-units and units (TestMilliNewSet, TestNewSet)', () => {
    expect(Quantity.fromMilli(1).toString()).toBe('1m');
    expect(Quantity.fromMilli(1000).toString()).toBe('1');
    expect(Quantity.fromMilli(1234000n).toString()).toBe('1234');
    expect(Quantity.fromMilli(1500).milliValue()).toBe(1500n);
    expect(Quantity.fromValue(1).toString()).toBe('1');
    expect(Quantity.fromValue(1000).toString()).toBe('1k');
    expect(Quantity.fromValue(1234000).toString()).toBe('1234k');
    expect(Quantity.fromValue(1024, 'BinarySI').toString()).toBe('1Ki');
    expect(Quantity.fromValue(1024 * 1024, 'BinarySI').toString()).toBe('1Mi');
    expect(Quantity.fromValue(1000000, 'DecimalExponent').toString()).toBe('1e6');
    expect(Quantity.zero().isZero()).toBe(true);
    expect(() => Quantity.fromMilli(1.5)).toThrow(RangeError);
  });
});

describe('quantityFromJSON', () => {
  it('accepts strings (trimmed, as Kubernetes UnmarshalJSON) and numbers', () => {
    expect(quantityFromJSON(' 1 ').toString()).toBe('1');
    expect(quantityFromJSON(1).toString()).toBe('1');
    expect(quantityFromJSON(0.5).toString()).toBe('500m');
    expect(quantityFromJSON(-1).toString()).toBe('-1');
    expect(quantityFromJSON(1e21).toString()).toBe('1e21');
    expect(quantityFromJSON(2.5e-7).toString()).toBe('250e-9');
    expect(quantityFromJSON('128Mi').toString()).toBe('128Mi');
  });

  it('rejects other JSON types', () => {
    for (const v of [true, null, undefined, {}, [], Number.NaN, Number.POSITIVE_INFINITY, 'x']) {
      expect(() => quantityFromJSON(v)).toThrow(ApiError);
    }
  });
});
