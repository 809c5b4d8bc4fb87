import { z } from 'zod';
import { AthenaDashboardWarehouse } from '../serve/athena-warehouse.js';
import { catalogFromSnapshot, catalogSnapshot, loadCatalog, type Catalog, type CatalogSnapshot } from '../serve/catalog.js';
import type { AthenaEngine } from '../warehouse/athena/athena-engine.js';

const strings = z.array(z.string());
const SnapshotSchema = z.object({
  tables: z.record(z.string(), strings),
  // account_manager came later: a marker written before it reads as no owners.
  values: z.object({ as_of: strings, segment: strings, country: strings, size: strings, sbi_section: strings, score_band: strings, account_manager: strings.default([]) }),
  data_as_of: z.string().nullable(),
});

/**
 * The dashboards' catalog computed once by the build, through the same read-only Athena view and
 * queries the API would run, for the build marker.
 */
export async function athenaCatalogSnapshot(engine: AthenaEngine): Promise<CatalogSnapshot> {
  return catalogSnapshot(await loadCatalog(new AthenaDashboardWarehouse(engine)));
}

/** A marker's snapshot as a catalog; undefined when absent or not in the expected shape (the API then queries). */
export function catalogOfMarker(snapshot: unknown): Catalog | undefined {
  const r = SnapshotSchema.safeParse(snapshot);
  return r.success ? catalogFromSnapshot(r.data) : undefined;
}
