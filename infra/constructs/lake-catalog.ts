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
}

export interface LakeCatalogProps {
  databaseName: string;
  lakeBucket: s3.IBucket;
  tables: readonly CatalogTableSpec[];
}

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
      const parameters: Record<string, string> = { classification: 'parquet', EXTERNAL: 'TRUE' };
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
          storageDescriptor: { ...PARQUET, location, columns: glueColumns(spec.columns) },
        },
      });
      table.addResourceDependency(this.database);
      this.tables.set(spec.name, table);
    }
  }
}
