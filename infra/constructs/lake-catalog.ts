import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ColumnDef } from '../../src/schema/table.js';
import { glueColumns } from '../../src/schema/derive.js';

/** One table for the catalog: columns come from the zod schemas, never written out by hand. */
export interface CatalogTableSpec {
  name: string;
  description: string;
  columns: readonly ColumnDef[];
  /** Key prefix in the lake bucket, ending in `/`. */
  prefix: string;
  /**
   * Hive-style date partition column (raw tables: ingest_date). Partitions are registered in Glue when
   * a batch commits (src/aws/glue-partitions.ts), so a query plans only days that hold data.
   */
  datePartition?: { column: string };
  /**
   * `text`: the object's lines as rows of one string column (the commit records Athena reads to see
   * only committed batches); default Parquet with `columns`.
   */
  format?: 'parquet' | 'text';
}

export interface LakeCatalogProps {
  databaseName: string;
  lakeBucket: s3.IBucket;
  tables: readonly CatalogTableSpec[];
}

/** Plain text, one row per line (LazySimpleSerDe's default \\001 field delimiter never occurs in JSON text). */
const TEXT = {
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe' },
};

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

/** Glue database plus one external Parquet table per spec. */
export class LakeCatalog extends Construct {
  readonly database: glue.CfnDatabase;
  readonly databaseName: string;
  readonly tables = new Map<string, glue.CfnTable>();

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    this.databaseName = props.databaseName;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId,
      databaseInput: { name: props.databaseName, description: 'Creditlake: raw ledger tables and credit marts' },
    });
    for (const spec of props.tables) {
      const location = `s3://${props.lakeBucket.bucketName}/${spec.prefix}`;
      const text = spec.format === 'text';
      const parameters: Record<string, string> = { classification: text ? 'text' : 'parquet', EXTERNAL: 'TRUE' };
      const table = new glue.CfnTable(this, `Table-${spec.name}`, {
        catalogId,
        databaseName: props.databaseName,
        tableInput: {
          name: spec.name,
          description: spec.description,
          tableType: 'EXTERNAL_TABLE',
          parameters,
          partitionKeys: spec.datePartition
            ? [{ name: spec.datePartition.column, type: 'date', comment: 'Day the batch was ingested' }]
            : [],
          storageDescriptor: text
            ? { ...TEXT, location, columns: [{ name: 'line', type: 'string', comment: 'One line of the object' }] }
            : { ...PARQUET, location, columns: glueColumns(spec.columns) },
        },
      });
      table.addResourceDependency(this.database);
      this.tables.set(spec.name, table);
    }
  }
}
