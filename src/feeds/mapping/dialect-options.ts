/**
 * The delimiters and encodings a mapping's source may name, apart from the mapping schema (schema.ts
 * builds its zod schemas when loaded): the CSV sniffer, which every canonical ingest loads, needs
 * only these lists.
 */
export const DELIMITERS = [';', ',', '\t', '|'] as const;
export const ENCODINGS = ['auto', 'utf-8', 'windows-1252', 'latin1', 'utf-16le', 'utf-16be'] as const;
