import type { z } from 'zod';
import type { Row, WarehouseEngine } from '../../warehouse/engine.js';
import type { Catalog } from '../catalog.js';
import type { Note } from '../notes.js';
import type { SliceMetaValue, SliceName, ValueKind } from '../contract.js';
import type { DashboardSettings } from '../settings.js';

export { PAGES, VIEWS, type PageId, type ViewId } from '../contract.js';
import type { ViewId } from '../contract.js';

export interface SliceContext {
  engine: WarehouseEngine;
  catalog: Catalog;
  settings: DashboardSettings;
}

export interface SliceData {
  rows: Row[];
  /** Things the reader should know about the numbers, e.g. a filter this mart cannot apply. */
  notes?: Note[];
  /** Extra facts a chart needs beside its rows (a target, the variant used, counts per type). */
  meta?: Record<string, SliceMetaValue>;
  /** Request filters this slice could not apply: the card shows them. */
  ignored?: string[];
}

/** A mart the slice needs is not in the warehouse yet: the page shows this instead of a chart. */
export class MartMissing extends Error {
  constructor(readonly mart: string) {
    super(`not available: mart ${mart} not built`);
  }
}

/**
 * One named, allow-listed query. `params` is a strict zod object: the only way request text reaches
 * `run` is as validated values, which `run` binds as SQL parameters or compares with allow-lists.
 */
export interface Slice<P = any> {
  name: SliceName;
  page: ViewId | 'shared';
  description: string;
  /** Marts the slice reads; a missing one turns the response into an "unavailable" state. */
  requires: string[];
  params: z.ZodType<P>;
  /** Parameter names the schema accepts (the front end sends only these). */
  paramNames: readonly string[];
  /** Kinds SQL types cannot tell (a 0-100 percentage, days, a month, an enumerated value). */
  kinds: Record<string, ValueKind>;
  /** A list cut at a display limit: `limit` may be raised for an export of every row. */
  exportable: boolean;
  run(ctx: SliceContext, params: P): Promise<SliceData>;
}
