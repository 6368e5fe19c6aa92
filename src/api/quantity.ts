// Resource quantities ("500m", "1.5", "128Mi", "1G", "2e3") as k8s.io/apimachinery/pkg/api/resource
// parses and prints them, held exactly as a bigint count of nano-units: no floating point anywhere.
// Like Kubernetes, parsing rounds anything finer than 1n up (away from zero), caps binary-suffixed
// quantities at 2^63-1, and remembers the format of the suffix so that toString() answers in kind:
// "1.5Gi" → "1536Mi", "0.1" → "100m", "1000m" → "1", "1e3" → "1e3", "2000" → "2k".
import { badRequest } from './errors.js';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const nanosPerUnit = 1_000_000_000n;
const maxBinaryUnits = 2n ** 63n - 1n;
/** Exponents beyond this are rejected rather than materialised as enormous bigints. */
const maxDecimalExponent = 400;

export const quantityFormatMessage =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const suffixMessage = "unable to parse quantity's suffix";
const numericMessage = 'unable to parse numeric part of quantity';

interface Suffix {
  readonly base: 2 | 10;
  readonly exponent: number;
  readonly format: QuantityFormat;
}

const suffixes: ReadonlyMap<string, Suffix> = new Map<string, Suffix>([
  ['n', { base: 10, exponent: -9, format: 'DecimalSI' }],
  ['u', { base: 10, exponent: -6, format: 'DecimalSI' }],
  ['m', { base: 10, exponent: -3, format: 'DecimalSI' }],
  ['', { base: 10, exponent: 0, format: 'DecimalSI' }],
  ['k', { base: 10, exponent: 3, format: 'DecimalSI' }],
  ['M', { base: 10, exponent: 6, format: 'DecimalSI' }],
  ['G', { base: 10, exponent: 9, format: 'DecimalSI' }],
  ['T', { base: 10, exponent: 12, format: 'DecimalSI' }],
  ['P', { base: 10, exponent: 15, format: 'DecimalSI' }],
  ['E', { base: 10, exponent: 18, format: 'DecimalSI' }],
  ['Ki', { base: 2, exponent: 10, format: 'BinarySI' }],
  ['Mi', { base: 2, exponent: 20, format: 'BinarySI' }],
  ['Gi', { base: 2, exponent: 30, format: 'BinarySI' }],
  ['Ti', { base: 2, exponent: 40, format: 'BinarySI' }],
  ['Pi', { base: 2, exponent: 50, format: 'BinarySI' }],
  ['Ei', { base: 2, exponent: 60, format: 'BinarySI' }],
]);

const decimalSuffixByExponent = new Map<number, string>(
  [...suffixes].filter(([, s]) => s.base === 10).map(([text, s]) => [s.exponent, text]),
);
const binarySuffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

function interpretSuffix(text: string): Suffix | undefined {
  const known = suffixes.get(text);
  if (known) return known;
  if (text.length > 1 && (text[0] === 'e' || text[0] === 'E') && /^[+-]?\d+$/.test(text.slice(1))) {
    const exponent = Number(text.slice(1));
    if (Math.abs(exponent) > maxDecimalExponent) return undefined;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return undefined;
}

const quantityPattern = /^([+-]?)(\d*)(?:\.(\d*))?([eEinumkKMGTP]*[+-]?\d*)$/;

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

/** n / d rounded away from zero (d > 0), as inf.RoundUp does. */
function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d === 0n ? q : n < 0n ? q - 1n : q + 1n;
}

export class Quantity {
  private constructor(
    /** The exact value in units of 10^-9. */
    readonly nanos: bigint,
    readonly format: QuantityFormat,
  ) {}

  /** Throws ApiError BadRequest: "500m", "1.5", "128Mi", "1G", "2e3", "1E6", "-1". */
  static parse(text: string): Quantity {
    if (text === '0') return new Quantity(0n, 'DecimalSI');
    const m = quantityPattern.exec(text);
    // Unlike Kubernetes we also reject digit-less numbers ("-", ".", "+.") instead of reading them as 0.
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw badRequest(quantityFormatMessage);
    const [, sign, whole, fraction = '', suffixText = ''] = m;
    const suffix = interpretSuffix(suffixText);
    if (!suffix) throw badRequest(suffixMessage);

    // value = digits × 10^-len(fraction) × base^exponent, in nano-units.
    let digits = BigInt(`${whole}${fraction}` || '0');
    if (sign === '-') digits = -digits;
    let tenPower = 9 - fraction.length;
    if (suffix.base === 10) tenPower += suffix.exponent;
    else digits *= 1n << BigInt(suffix.exponent);
    let nanos: bigint;
    if (tenPower >= 0) {
      if (tenPower > maxDecimalExponent + 9) throw badRequest(numericMessage);
      nanos = digits * 10n ** BigInt(tenPower);
    } else if (-tenPower > abs(digits).toString().length) {
      nanos = digits === 0n ? 0n : digits < 0n ? -1n : 1n; // finer than 1n: rounds up to the smallest amount
    } else {
      nanos = divAwayFromZero(digits, 10n ** BigInt(-tenPower));
    }

    let format = suffix.format;
    if (format === 'BinarySI') {
      if (abs(nanos) > maxBinaryUnits * nanosPerUnit)
        nanos = (nanos < 0n ? -maxBinaryUnits : maxBinaryUnits) * nanosPerUnit;
      if (nanos !== 0n && abs(nanos) < nanosPerUnit) format = 'DecimalSI';
    }
    return new Quantity(nanos, format);
  }

  static fromMilli(milli: bigint | number): Quantity {
    return new Quantity(toBigInt(milli) * 1_000_000n, 'DecimalSI');
  }

  static fromValue(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(toBigInt(value) * nanosPerUnit, format);
  }

  static fromNanos(nanos: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(nanos, format);
  }

  static zero(format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(0n, format);
  }

  /** The value in thousandths, rounded up (away from zero), as Kubernetes' MilliValue. */
  milliValue(): bigint {
    return divAwayFromZero(this.nanos, 1_000_000n);
  }

  /** The value in units, rounded up (away from zero), as Kubernetes' Value. */
  value(): bigint {
    return divAwayFromZero(this.nanos, nanosPerUnit);
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  /** The sum; a zero receiver takes the other's format, as in Kubernetes. */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.isZero() ? other.format : this.format);
  }

  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.isZero() ? other.format : this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.nanos, this.format);
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.nanos < 0n ? -1 : this.nanos > 0n ? 1 : 0;
  }

  /** Canonical Kubernetes form ("500m", "128Mi", "1500m", "2k", "1e3"). */
  toString(): string {
    if (this.nanos === 0n) return '0';
    let format = this.format;
    if (
      format === 'BinarySI' &&
      (abs(this.nanos) < 1024n * nanosPerUnit || this.nanos % nanosPerUnit !== 0n)
    ) {
      // Small or fractional binary amounts are shown in decimal rather than rounded.
      format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let units = this.nanos / nanosPerUnit;
      let power = 0;
      while (power < binarySuffixes.length - 1 && units % 1024n === 0n) {
        units /= 1024n;
        power++;
      }
      return `${units}${binarySuffixes[power]}`;
    }
    // Strip factors of ten into the exponent, then lower the exponent to a multiple of three.
    let mantissa = this.nanos;
    let exponent = -9;
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exponent++;
    }
    const extra = ((exponent % 3) + 3) % 3;
    mantissa *= 10n ** BigInt(extra);
    exponent -= extra;
    const si = format === 'DecimalSI' ? decimalSuffixByExponent.get(exponent) : undefined;
    if (si !== undefined) return `${mantissa}${si}`;
    // DecimalExponent, or DecimalSI beyond "E" (which Kubernetes also prints with an exponent).
    return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function toBigInt(n: bigint | number): bigint {
  if (typeof n === 'bigint') return n;
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
  return BigInt(n);
}

export function parseQuantity(text: string): Quantity {
  return Quantity.parse(text);
}

/**
 * A quantity as it appears in JSON: a string, or a number (YAML `cpu: 1` arrives as 1), which
 * Kubernetes also accepts. Throws ApiError BadRequest for anything else.
 */
export function quantityFromJSON(value: unknown): Quantity {
  if (typeof value === 'string') return Quantity.parse(value.trim());
  if (typeof value === 'number' && Number.isFinite(value)) return Quantity.parse(numberText(value));
  throw badRequest(quantityFormatMessage);
}

/** A JSON number as quantity text: JavaScript's "1e+21" becomes "1e21", which the grammar accepts. */
function numberText(n: number): string {
  const text = String(n);
  if (!/e/i.test(text)) return text;
  const [mantissa, exp] = text.split(/e/i) as [string, string];
  return `${mantissa}e${Number(exp)}`;
}
