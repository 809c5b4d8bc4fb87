export { DEFAULT_END_DATE, FX_RATES_FILE, customerProfiles, distressedCustomers, generateLedger } from './generate.js';
export { SNAPSHOT_LAYOUTS, type SnapshotLayout } from './snapshots.js';
export { INVOICE_CURRENCIES } from './fx.js';
export type { GenerateOptions, GenerateSummary } from './generate.js';
export type { CustomerProfile, DistressedCustomer } from './profiles.js';
export { HABITS, SEGMENTS, SIZE_CLASSES } from './behaviour.js';
export type { LedgerSituations } from './simulate.js';
