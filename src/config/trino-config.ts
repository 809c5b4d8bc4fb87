import { z } from 'zod';

const DEFAULTS = { url: 'http://127.0.0.1:8080', catalog: 'creditlake', schema: 'creditlake', user: 'creditlake', query_timeout_seconds: 1800 };

/**
 * Where `--target trino` runs: a Trino (or Starburst) coordinator whose Hive catalog can read the lake.
 * The defaults match `npm run trino:start`, so `"trino": {"url": "http://127.0.0.1:8080"}` is enough
 * for the local server.
 */
export const TrinoSchema = z
  .object({
    url: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, 'the coordinator URL, e.g. http://127.0.0.1:8080 or https://trino.example.com')
      .default(DEFAULTS.url),
    /** A Hive catalog (Hive connector) that can read and write the lake location. */
    catalog: z.string().regex(/^[a-z0-9_]+$/, 'a catalog name: lowercase letters, digits, underscores').default(DEFAULTS.catalog),
    /** Created if absent, with its location under the lake (`<lake_location>/trino`). */
    schema: z.string().regex(/^[a-z0-9_]+$/, 'a schema name: lowercase letters, digits, underscores').default(DEFAULTS.schema),
    user: z.string().min(1).default(DEFAULTS.user),
    /** Basic authentication; Trino accepts a password over HTTPS only. Or set TRINO_PASSWORD. */
    password: z.string().optional(),
    /**
     * The lake folder as the catalog sees it (`s3://bucket/prefix`, `hdfs://…`, `local:///abs/path`);
     * default `local://` + the absolute local lake folder, which is right for a Trino on this machine.
     */
    lake_location: z.string().regex(/^[a-z0-9]+:\/\/\S+$/, 'a URI such as s3://bucket/lake or local:///data/lake').optional(),
    /** Per statement; the query is cancelled when it runs longer. */
    query_timeout_seconds: z.number().int().positive().max(86_400).default(DEFAULTS.query_timeout_seconds),
  })
  .strict()
  .default(DEFAULTS);

export type TrinoConfig = z.infer<typeof TrinoSchema>;
