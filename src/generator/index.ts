export { DEFAULT_END_DATE, customerProfiles, distressedCustomers, generateLedger } from './generate.js';
export type { GenerateOptions, GenerateSummary } from './generate.js';
export type { CustomerProfile, DistressedCustomer } from './profiles.js';
export { HABITS, SEGMENTS, SIZE_CLASSES } from './behaviour.js';
export type { LedgerSituations } from './simulate.js';
