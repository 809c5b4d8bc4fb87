import { VIEWS, type ViewId as PageId } from '../../serve/slices/types.js';

/**
 * Which dashboard pages each Cognito group opens. A user sees the union over their groups; a user in
 * no listed group sees no page (admins add people to groups, nobody signs up). Slices marked `shared`
 * follow the pages: any user with at least one page may run them.
 */
export const DEFAULT_GROUP_PAGES: Readonly<Record<string, readonly PageId[]>> = {
  cfo: VIEWS,
  // The customer page and the collector worklist are the credit team's working views.
  credit: ['risk', 'collections', 'cfo', 'customer', 'worklist'],
  marketing: ['marketing'],
};

export type GroupPages = Readonly<Record<string, readonly string[]>>;

export function pagesOf(groups: readonly string[], map: GroupPages = DEFAULT_GROUP_PAGES): PageId[] {
  const allowed = new Set(groups.flatMap((g) => map[g] ?? []));
  return VIEWS.filter((p) => allowed.has(p));
}

/** `/cfo`, `/risk/` → the page; `/customers[/<id>]` → customer; `/`, `/index.html` → undefined (the landing view, any page). */
export function pageOfPath(path: string): PageId | undefined {
  if (/^\/customers(\/.*)?$/.test(path)) return 'customer';
  const m = /^\/([a-z]+)\/?$/.exec(path);
  return m && m[1] !== 'customer' && (VIEWS as readonly string[]).includes(m[1]!) ? (m[1] as PageId) : undefined;
}
