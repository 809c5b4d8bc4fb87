import { h } from '../ui/dom.js';
import type { PageEnv } from './types.js';

/** A group of toggle buttons (aria-pressed), e.g. amount / percent. */
export function toggle(_env: PageEnv, label: string, current: string, options: [string, string][], onChange: (v: string) => void): HTMLElement {
  return h(
    'div',
    { class: 'toggle', role: 'group', 'aria-label': label },
    ...options.map(([value, text]) =>
      h('button', { type: 'button', 'data-value': value, 'aria-pressed': String(value === current), text, onclick: () => value !== current && onChange(value) }),
    ),
  );
}
