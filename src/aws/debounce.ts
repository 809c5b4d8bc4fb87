/**
 * When the build after an ingest runs: a quiet window after the latest committed batch, so a burst of
 * drops (5,000 e-invoices, one per file) becomes one build instead of one per file, but never later than
 * `maxWait` after the first batch that waited, so a steady trickle of drops still gets built.
 */
export interface PendingBuild {
  /** When the pending build fires. */
  at: Date;
  /** When the first batch it waits for was committed. */
  firstRequest: Date;
}

export interface DebounceWindow {
  quietMs: number;
  maxWaitMs: number;
}

export type DebounceDecision =
  | { action: 'create'; pending: PendingBuild }
  | { action: 'update'; pending: PendingBuild }
  /** The pending build already fires at its latest allowed time. */
  | { action: 'keep'; pending: PendingBuild };

/** Rounded up to the whole second: schedule expressions have no fractions. */
const ceilSecond = (ms: number) => new Date(Math.ceil(ms / 1000) * 1000);

export function debounce(now: Date, existing: PendingBuild | undefined, w: DebounceWindow): DebounceDecision {
  const fresh = { at: ceilSecond(now.getTime() + w.quietMs), firstRequest: now };
  if (!existing) return { action: 'create', pending: fresh };
  // A schedule whose time has passed has fired (or is firing): this batch needs a build of its own.
  if (existing.at.getTime() <= now.getTime()) return { action: 'update', pending: fresh };
  const latest = existing.firstRequest.getTime() + w.maxWaitMs;
  const at = ceilSecond(Math.min(now.getTime() + w.quietMs, Math.max(latest, existing.at.getTime())));
  if (at.getTime() <= existing.at.getTime()) return { action: 'keep', pending: existing };
  return { action: 'update', pending: { at, firstRequest: existing.firstRequest } };
}

/** `at(2026-12-02T13:45:00)`, EventBridge Scheduler's one-time expression (UTC). */
export function atExpression(d: Date): string {
  return `at(${d.toISOString().slice(0, 19)})`;
}

export function parseAtExpression(expr: string | undefined): Date | undefined {
  const m = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expr ?? '');
  return m ? new Date(`${m[1]}Z`) : undefined;
}
