import type { DataRow } from './charts/common.js';

export interface Meta {
  data_as_of: string | null;
  currency: string;
  filters: { as_of: string[]; segment: string[]; country: string[]; size: string[]; sbi_section: string[]; score_band: string[] };
  marts: Record<string, boolean>;
  pages: Record<string, string[]>;
  slices: Record<string, { page: string; description: string; params: string[]; requires: string[] }>;
}

export type SliceResponse =
  | { status: 'ok'; slice: string; rows: DataRow[]; notes: string[]; meta: Record<string, string | number | null>; data_as_of: string | null }
  | { status: 'unavailable'; slice: string; mart: string; message: string };

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

export function fetchSlice(name: string, params: Record<string, string>, signal?: AbortSignal): Promise<SliceResponse> {
  const q = new URLSearchParams(params).toString();
  return getJson<SliceResponse>(`/api/slices/${encodeURIComponent(name)}${q ? `?${q}` : ''}`, signal);
}
