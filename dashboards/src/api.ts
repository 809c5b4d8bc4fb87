import type { Meta, SliceName, SliceOk, SliceResponse } from '../../src/serve/contract.js';

export type { Meta, SliceOk, SliceResponse };

export class ApiError extends Error {}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(body.error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

export function fetchMeta(signal?: AbortSignal): Promise<Meta> {
  return getJson<Meta>('/api/meta', signal);
}

export function fetchSlice(name: SliceName, params: Record<string, string>, signal?: AbortSignal): Promise<SliceResponse> {
  const q = new URLSearchParams(params).toString();
  return getJson<SliceResponse>(`/api/slices/${encodeURIComponent(name)}${q ? `?${q}` : ''}`, signal);
}

/** The URL of a slice's full export (every row that matched, not the cut list on the page). */
export function exportUrl(name: SliceName, params: Record<string, string>, format: 'csv' | 'xlsx'): string {
  const { limit: _l, ...rest } = params;
  const q = new URLSearchParams(rest).toString();
  return `/api/export/${encodeURIComponent(name)}.${format}${q ? `?${q}` : ''}`;
}
