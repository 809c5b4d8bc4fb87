import { BAND_RULES, COMMON_BANDS } from '../feeds/credit-report/scales.js';
import { refCbsBankruptcies, refCbsFirms, refSbiCodes, refSbiSections, refScoreBands } from '../schema/marts/credit-risk.js';
import type { TableDef } from '../schema/table.js';
import { shippedCbsBankruptcies, shippedCbsFirms, type CbsBranch, type CbsPeriod } from './cbs.js';
import { sbiReference } from './sbi.js';

/**
 * The shipped reference data as warehouse relations: SBI sections and codes (with version), the score
 * band mapping, and the CBS national baseline. They are inlined as typed VALUES lists by the template
 * call `{{ reference_table('name') }}`, so the same model runs on DuckDB and Athena without seed files.
 */
type Cell = string | number | boolean | null;
const REF_TYPES = ['VARCHAR', 'INTEGER', 'BIGINT', 'DATE', 'BOOLEAN'] as const;
type RefType = (typeof REF_TYPES)[number];

export interface ReferenceTable {
  columns: readonly { name: string; type: RefType }[];
  rows: () => Cell[][];
}

/** A reference table's columns are its ref_<name> mart's declared columns (src/schema/marts/credit-risk.ts). */
function columnsOf(mart: TableDef): ReferenceTable['columns'] {
  return mart.columns.map((c) => {
    if (!(REF_TYPES as readonly string[]).includes(c.sqlType)) throw new Error(`${mart.name}.${c.name}: ${c.sqlType} is not a reference-table type`);
    return { name: c.name, type: c.sqlType as RefType };
  });
}

/** Branch and period cells of a CBS StatLine row, in the order both CBS tables declare them. */
function cbsBranchPeriodCells(r: { branch: CbsBranch; period: CbsPeriod }): Cell[] {
  return [r.branch.code, r.branch.label, r.branch.section ?? null, r.period.label, r.period.granularity, r.period.start, r.period.end, r.period.mark];
}

export const REFERENCE_TABLES: Readonly<Record<string, ReferenceTable>> = {
  sbi_sections: {
    columns: columnsOf(refSbiSections),
    rows: () => sbiReference().sections.map((s) => ['SBI2008', s.section, s.name, s.cbsName, s.divisions.join(',')]),
  },
  sbi_codes: {
    columns: columnsOf(refSbiCodes),
    rows: () => [...sbiReference().codes.values()].map((c) => [c.version, c.code, c.dotted, c.description, c.level, c.division, c.section]),
  },
  score_bands: {
    columns: columnsOf(refScoreBands),
    rows: () =>
      BAND_RULES.map((r) => [
        r.scale, r.rating ?? null, r.min ?? null, r.max ?? null, r.band, r.band ? COMMON_BANDS[r.band - 1]!.label : 'not rated', r.insolvent ?? false, r.note,
      ]),
  },
  cbs_bankruptcies: {
    columns: columnsOf(refCbsBankruptcies),
    rows: () => shippedCbsBankruptcies().map((r) => [r.debtorType, ...cbsBranchPeriodCells(r), r.bankruptcies]),
  },
  cbs_firms: {
    columns: columnsOf(refCbsFirms),
    rows: () =>
      shippedCbsFirms().map((r) => [
        ...cbsBranchPeriodCells(r), r.total,
        r.counts['Rechtsvorm Natuurlijke personen (aantal)'] ?? null, r.counts['Rechtspersonen (aantal)'] ?? null,
      ]),
  },
};

function literal(v: Cell, type: RefType): string {
  if (v === null) return `CAST(NULL AS ${type})`;
  if (type === 'DATE') return `DATE '${v}'`;
  if (type === 'BOOLEAN') return v ? 'true' : 'false';
  if (type === 'INTEGER' || type === 'BIGINT') return String(v);
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** `(SELECT CAST(c AS T) AS c, … FROM (VALUES …) AS t(c, …))`: typed, portable (DuckDB and Trino). */
export function referenceTableSql(name: string): string {
  const t = REFERENCE_TABLES[name];
  if (!t) throw new Error(`unknown reference table "${name}"; known: ${Object.keys(REFERENCE_TABLES).join(', ')}`);
  const names = t.columns.map((c) => c.name);
  const values = t.rows().map((r) => `(${r.map((v, i) => literal(v, t.columns[i]!.type)).join(', ')})`);
  const select = t.columns.map((c) => `CAST(t.${c.name} AS ${c.type}) AS ${c.name}`).join(', ');
  return `(SELECT ${select} FROM (VALUES\n  ${values.join(',\n  ')}\n) AS t(${names.join(', ')}))`;
}
