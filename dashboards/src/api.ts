import type { Meta, SliceName, SliceOk, SliceResponse } from '../../src/serve/contract.js';
import { sliceUrl } from '../../src/serve/view-state.js';

export type { Meta, SliceOk, SliceResponse };

export class ApiError extends Error {}

/**
 * Requests in flight by URL: two cards of one page showing the same slice (the customer page's
 * history and days-late charts) make one request, not two. Each gets its own parsed copy, so a card
 * may change what it receives. A browser opens six connections to a host: a seventh request of a
 * page waits for one of them to finish.
 */
const inflight = new Map<string, Promise<{ ok: boolean; status: number; statusText: string; text: string }>>();

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let req = signal ? undefined : inflight.get(url);
  if (!req) {
    req = fetch(url, { signal, headers: { accept: 'application/json' } }).then(async (r) => ({ ok: r.ok, status: r.status, statusText: r.statusText, text: await r.text() }));
    if (!signal) {
      inflight.set(url, req);
      const forget = () => inflight.delete(url);
      req.then(forget, forget);
    }
  }
  const res = await req;
  let body: { error?: string } = {};
  try {
    body = JSON.parse(res.text) as { error?: string };
  } catch {
    body = {};
  }
  if (!res.ok) throw new ApiError(body.error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

export function fetchMeta(signal?: AbortSignal): Promise<Meta> {
  return getJson<Meta>('/api/meta', signal);
}

export function fetchSlice(name: SliceName, params: Record<string, string>, signal?: AbortSignal): Promise<SliceResponse> {
  return getJson<SliceResponse>(sliceUrl(name, params), signal);
}

/** The URL of a slice's full export (every row that matched, not the cut list on the page). */
export function exportUrl(name: SliceName, params: Record<string, string>, format: 'csv' | 'xlsx'): string {
  const { limit: _l, ...rest } = params;
  const q = new URLSearchParams(rest).toString();
  return `/api/export/${encodeURIComponent(name)}.${format}${q ? `?${q}` : ''}`;
}
