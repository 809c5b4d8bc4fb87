/** Money is integer cents inside the generator; it becomes a decimal string only when written. */

export type Cents = number;

/** `123456` → `"1234.56"`, `-5` → `"-0.05"`: exactly two decimals, '.' separator, no grouping. */
export function formatCents(cents: Cents): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`money must be whole cents, got ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const frac = abs % 100;
  return `${sign}${(abs - frac) / 100}.${frac < 10 ? '0' : ''}${frac}`;
}

/** Euros (possibly fractional, from a distribution) to whole cents. */
export function toCents(euros: number): Cents {
  return Math.round(euros * 100);
}

/** Rounds cents to a multiple of `step` cents (credit limits are round numbers). */
export function roundTo(cents: Cents, step: Cents): Cents {
  return Math.max(step, Math.round(cents / step) * step);
}
