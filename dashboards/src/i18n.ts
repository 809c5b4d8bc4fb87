import type { Lang } from './format.js';
import { en } from './labels-en.js';
import { nl } from './labels-nl.js';

/** Label lookup for the dashboards: English keys (labels-en.ts), Dutch twins (labels-nl.ts). */
export type LabelKey = keyof typeof en;

const dictionaries: Record<Lang, Record<LabelKey, string>> = { en, nl };

export function t(lang: Lang, key: LabelKey, vars: Record<string, string> = {}): string {
  // A key without a label (a column name from a newer mart) shows as itself rather than failing.
  return (dictionaries[lang][key] ?? String(key)).replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? `{${k}}`);
}

/** Label for a value from the data (an action type, a priority): translated when known, else as is. */
export function label(lang: Lang, value: string): string {
  const key = value === 'not due' ? 'not_due' : value;
  return Object.hasOwn(en, key) ? dictionaries[lang][key as LabelKey] : value;
}

export function isLabelKey(k: string): k is LabelKey {
  return Object.hasOwn(en, k);
}
