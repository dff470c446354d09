/**
 * Order amounts as integers of the currency's minor unit (cents, pence, yen),
 * so totals and sums are exact; amounts of different currencies are never
 * added together (README "Conversions and revenue").
 */

const digitsByCurrency = new Map<string, number>();

/** How many decimals the currency's minor unit has (ISO 4217, as Intl knows it: EUR 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

const DECIMAL = /^(\d{1,12})(?:\.(\d+))?$/;

/**
 * "59.9" or 59.9 in EUR → 5990. Undefined when it is not a plain non-negative
 * decimal or has more decimals than the currency's minor unit: a fraction of
 * a cent is a mistake to report, not to round away.
 */
export function toMinorUnits(amount: string | number, currency: string): number | undefined {
  const text = typeof amount === 'number' ? (Number.isFinite(amount) && amount >= 0 ? String(amount) : '') : amount.trim();
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const digits = minorDigits(currency);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return undefined;
  return Number(match[1]) * 10 ** digits + (fraction === '' ? 0 : Number(fraction.padEnd(digits, '0')));
}

/** 5990 in EUR → "59.90": the decimal string the API and reports show, never a float. */
export function formatMinor(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const whole = Math.abs(Math.round(minor));
  if (digits === 0) return `${sign}${whole}`;
  const text = String(whole).padStart(digits + 1, '0');
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** A mean or difference in minor units (not whole) as a decimal in major units, to two more places than the currency. */
export function formatMinorFraction(minor: number, currency: string): string {
  return (minor / 10 ** minorDigits(currency)).toFixed(minorDigits(currency) + 2);
}
