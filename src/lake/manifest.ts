import { z } from 'zod';

/** One committed batch. Written last: its presence is what makes a batch (and its file hash) count. */
export const BatchManifestSchema = z.object({
  format_version: z.literal(1),
  batch_id: z.string(),
  table: z.string(),
  source_file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size_bytes: z.number().int().nonnegative(),
  rows_read: z.number().int().nonnegative(),
  rows_loaded: z.number().int().nonnegative(),
  rows_rejected: z.number().int().nonnegative(),
  top_reasons: z.array(
    z.object({
      reason: z.string(),
      column: z.string(),
      rows: z.number().int(),
      sample: z.object({ file: z.string(), line: z.number().int(), column: z.string(), detail: z.string() }),
    }),
  ),
  ingest_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  started_at: z.string(),
  finished_at: z.string(),
  /** Lake keys of the committed objects. */
  data_key: z.string(),
  quarantine_key: z.string().nullable(),
  /**
   * Source lines of the file, for a mapped ingest: one line can feed several tables, and the reject
   * limit applies to lines. Kept so a re-run of a file that broke the limit fails the same way.
   */
  /** The CSV header of a canonical-table file, in its order: the layout its rejected lines are quarantined in. */
  source_header: z.array(z.string()).optional(),
  /**
   * A compaction batch (src/lake/compact.ts): the content hashes of the batches whose rows its file
   * holds. Its manifest is the compaction's one commit record: readers skip those batches' own files.
   */
  compacted_sha256: z.array(z.string().regex(/^[0-9a-f]{64}$/)).optional(),
  source_lines: z.object({ read: z.number().int().nonnegative(), loaded: z.number().int().nonnegative(), rejected: z.number().int().nonnegative() }).optional(),
  /**
   * A mapped CSV export's form (encoding, byte-order mark, line break, delimiter, the lines up to the
   * header verbatim) and how it was ingested: `rejects --export` writes its rejected records back in
   * it, so the corrected file ingests with the same mapping as it is.
   */
  source_layout: z
    .object({
      encoding: z.enum(['utf-8', 'windows-1252', 'latin1', 'utf-16le', 'utf-16be']),
      bom: z.boolean(),
      line_break: z.enum(['\r\n', '\n', '\r']),
      delimiter: z.string().length(1),
      head: z.string(),
      /** The `--mapping` given: a preset name or the mapping file's name. */
      mapping: z.string(),
      /** Date of an open-item snapshot that came from --as-of or the file name (a corrected file needs it again). */
      as_of: z.string().optional(),
    })
    .optional(),
});

export type BatchManifest = z.infer<typeof BatchManifestSchema>;

export function parseManifest(text: string, key: string): BatchManifest {
  const r = BatchManifestSchema.safeParse(JSON.parse(text));
  if (!r.success) throw new Error(`invalid batch manifest ${key}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
