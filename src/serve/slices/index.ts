import { cfoSlices } from './cfo.js';
import { collectionsSlices } from './collections.js';
import { marketingSlices } from './marketing.js';
import { riskSlices } from './risk.js';
import { customerSlices } from './customer.js';
import { worklistSlices } from './worklist.js';
import type { Slice } from './types.js';

/** Every query the dashboards may run. Nothing outside this list is reachable through the API. */
export const slices: Slice[] = [...cfoSlices, ...marketingSlices, ...riskSlices, ...collectionsSlices, ...customerSlices, ...worklistSlices];

const byName = new Map<string, Slice>(slices.map((s) => [s.name, s]));

export function sliceByName(name: string): Slice | undefined {
  return byName.get(name);
}
