import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { formatTable } from '../format.js';
import { CANONICAL_TABLES, type TableDef } from '../../schema/index.js';
import { MART_TABLES } from '../../schema/marts/index.js';
import { printJson } from '../json-output.js';

const usage = `Usage: creditlake tables [<name>...] [--json]

Lists the warehouse's tables (canonical ledger tables and marts) with their columns, types and a
one-line description of each, as declared in the zod schemas (src/schema).`;

interface Listed {
  name: string;
  kind: 'table' | 'mart';
  description: string;
  key: readonly string[];
  columns: { name: string; type: string; nullable: boolean; description: string; values?: readonly string[] }[];
}

function listed(t: TableDef, kind: Listed['kind']): Listed {
  return {
    name: t.name,
    kind,
    description: t.description,
    key: t.key,
    columns: t.columns.map((c) => ({
      name: c.name,
      type: c.sqlType,
      nullable: !c.required,
      description: c.description,
      ...(c.values ? { values: c.values } : {}),
    })),
  };
}

export function warehouseTables(): Listed[] {
  return [...CANONICAL_TABLES.map((t) => listed(t, 'table')), ...MART_TABLES.map((t) => listed(t, 'mart'))];
}

export const tablesCommand: Command = {
  name: 'tables',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals: names } = parse(argv, {}, true);
    const positionals: string[] = [...names];
    let tables = warehouseTables();
    if (positionals.length) {
      const unknown = positionals.filter((p) => !tables.some((t) => t.name === p));
      if (unknown.length) throw new UsageError(`unknown table ${unknown.join(', ')}; tables: ${tables.map((t) => t.name).join(', ')}`);
      tables = tables.filter((t) => positionals.includes(t.name));
    }
    if (values.json) {
      printJson(io, tables);
      return EXIT.OK;
    }
    for (const t of tables) {
      line(io.stdout, `${t.name} (${t.kind}, key ${t.key.join(', ')}): ${t.description}`);
      const rows = t.columns.map((c) => ({
        column: c.name,
        type: `${c.type}${c.nullable ? '' : ' NOT NULL'}`,
        description: c.values ? `${c.description} [${c.values.join('|')}]` : c.description,
      }));
      const out = formatTable(
        [{ name: 'column', type: 'VARCHAR' }, { name: 'type', type: 'VARCHAR' }, { name: 'description', type: 'VARCHAR' }],
        rows,
        { maxCellWidth: 140 },
      );
      // the row count line adds nothing here
      io.stdout.write(`${out.split('\n').slice(0, -2).map((l) => `  ${l}`).join('\n')}\n\n`);
    }
    return EXIT.OK;
  },
};
