import { SILVER_SOURCES } from './silver/registry';
import { GOLD_JOBS } from './jobs/registry';

/** A column as Glue declares it. */
export interface GlueColumn {
  name: string;
  type: string;
}

/** A table of the refined lake, as the Glue catalog describes it. */
export interface CatalogTable {
  /** Glue table name (silver: the table's name; gold: the gold table's name). */
  name: string;
  /** Lake prefix of its files (`silver/conversations/`). */
  prefix: string;
  /** Whether its files sit under `month=YYYY-MM/`. */
  monthPartitioned: boolean;
}

/** Every silver and gold table Glue declares, from the declarations. */
export function catalogTables(): CatalogTable[] {
  const silver = SILVER_SOURCES.flatMap((source) =>
    source.tables.map((table) => ({
      name: table.name,
      prefix: `silver/${table.name}/`,
      monthPartitioned: table.partitionByMonthOf !== undefined,
    })),
  );
  const gold = GOLD_JOBS.flatMap((job) =>
    job.tables.map((table) => ({
      name: table.name,
      prefix: `gold/${job.name}/${table.name}/`,
      monthPartitioned: false,
    })),
  );
  return [...silver, ...gold];
}

/**
 * The Glue (Hive) type of a DuckDB column type as DuckDB writes it to Parquet.
 * @throws Error for a type the refined tables should not hold (the catalog would misread it).
 */
export function glueType(duckType: string): string {
  const list = /^(.*)\[\]$/.exec(duckType);
  if (list) return `array<${glueType(list[1]!)}>`;
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duckType);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  const simple: Record<string, string> = {
    VARCHAR: 'string',
    BIGINT: 'bigint',
    INTEGER: 'int',
    DOUBLE: 'double',
    BOOLEAN: 'boolean',
    TIMESTAMP: 'timestamp',
    DATE: 'date',
  };
  const type = simple[duckType];
  if (!type) throw new Error(`DuckDB type ${duckType} has no Glue type in lib/refine/catalog.ts`);
  return type;
}
