/**
 * Payment references the matching relies on, checked the way the banks check them: the ISO 11649
 * creditor reference (RF + 2 check digits + up to 21 characters, ISO 7064 mod 97-10 like an IBAN) and
 * the Dutch betalingskenmerk (Currence: 16 digits whose first is a check digit over the other 15,
 * weights 2,4,8,5,10,9,7,3,6,1 from the right, 11 − sum mod 11, 10 → 1, 11 → 0).
 */

/** Letters as numbers (A = 10 … Z = 35), then mod 97 of the long number, piecewise. */
function mod97(text: string): number {
  let rest = 0;
  for (const ch of text) {
    const v = /[0-9]/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const d of v) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest;
}

export function compact(ref: string): string {
  return ref.replace(/[\s.-]/g, '').toUpperCase();
}

export function isRfReference(ref: string): boolean {
  const r = compact(ref);
  if (!/^RF\d{2}[0-9A-Z]{1,21}$/.test(r)) return false;
  return mod97(r.slice(4) + r.slice(0, 4)) === 1;
}

const KENMERK_WEIGHTS = [2, 4, 8, 5, 10, 9, 7, 3, 6, 1];

export function betalingskenmerkCheckDigit(body15: string): number {
  let sum = 0;
  const digits = [...body15].reverse();
  digits.forEach((d, i) => (sum += Number(d) * KENMERK_WEIGHTS[i % KENMERK_WEIGHTS.length]!));
  const c = 11 - (sum % 11);
  return c === 10 ? 1 : c === 11 ? 0 : c;
}

export function isBetalingskenmerk(ref: string): boolean {
  const r = compact(ref);
  if (!/^\d{16}$/.test(r)) return false;
  return betalingskenmerkCheckDigit(r.slice(1)) === Number(r[0]);
}

/** A structured reference written as free text: the whole text is an RF reference or a betalingskenmerk. */
export function structuredIn(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const t = text.trim();
  if (isRfReference(t) || isBetalingskenmerk(t)) return compact(t);
  return undefined;
}

/** IBAN: 2 letters, 2 check digits, up to 30 alphanumerics, mod 97 = 1. */
export function isIban(text: string): boolean {
  const r = text.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[0-9A-Z]{8,30}$/.test(r)) return false;
  return mod97(r.slice(4) + r.slice(0, 4)) === 1;
}
