import { BAND_RULES, COMMON_BANDS } from '../feeds/credit-report/scales.js';
import { shippedCbsBankruptcies, shippedCbsFirms } from './cbs.js';
import { sbiReference } from './sbi.js';

/**
 * The shipped reference data as warehouse relations: SBI sections and codes (with version), the score
 * band mapping, and the CBS national baseline. They are inlined as typed VALUES lists by the template
 * call `{{ reference_table('name') }}`, so the same model runs on DuckDB and Athena without seed files.
 */
type Cell = string | number | boolean | null;
type RefType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DATE' | 'BOOLEAN';

export interface ReferenceTable {
  columns: readonly { name: string; type: RefType }[];
  rows: () => Cell[][];
}

export const REFERENCE_TABLES: Readonly<Record<string, ReferenceTable>> = {
  sbi_sections: {
    columns: [
      { name: 'sbi_version', type: 'VARCHAR' },
      { name: 'sbi_section', type: 'VARCHAR' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'cbs_name', type: 'VARCHAR' },
      { name: 'divisions', type: 'VARCHAR' },
    ],
    rows: () => sbiReference().sections.map((s) => ['SBI2008', s.section, s.name, s.cbsName, s.divisions.join(',')]),
  },
  sbi_codes: {
    columns: [
      { name: 'sbi_version', type: 'VARCHAR' },
      { name: 'sbi_code', type: 'VARCHAR' },
      { name: 'sbi_code_dotted', type: 'VARCHAR' },
      { name: 'description', type: 'VARCHAR' },
      { name: 'level', type: 'VARCHAR' },
      { name: 'sbi_division', type: 'VARCHAR' },
      { name: 'sbi_section', type: 'VARCHAR' },
    ],
    rows: () => [...sbiReference().codes.values()].map((c) => [c.version, c.code, c.dotted, c.description, c.level, c.division, c.section]),
  },
  score_bands: {
    columns: [
      { name: 'score_scale', type: 'VARCHAR' },
      { name: 'rating', type: 'VARCHAR' },
      { name: 'min_score', type: 'INTEGER' },
      { name: 'max_score', type: 'INTEGER' },
      { name: 'common_band', type: 'INTEGER' },
      { name: 'common_band_label', type: 'VARCHAR' },
      { name: 'insolvent', type: 'BOOLEAN' },
      { name: 'note', type: 'VARCHAR' },
    ],
    rows: () =>
      BAND_RULES.map((r) => [
        r.scale, r.rating ?? null, r.min ?? null, r.max ?? null, r.band, r.band ? COMMON_BANDS[r.band - 1]!.label : 'not rated', r.insolvent ?? false, r.note,
      ]),
  },
  cbs_bankruptcies: {
    columns: [
      { name: 'debtor_type', type: 'VARCHAR' },
      { name: 'branch_code', type: 'VARCHAR' },
      { name: 'branch_label', type: 'VARCHAR' },
      { name: 'sbi_section', type: 'VARCHAR' },
      { name: 'period_label', type: 'VARCHAR' },
      { name: 'period_type', type: 'VARCHAR' },
      { name: 'period_start', type: 'DATE' },
      { name: 'period_end', type: 'DATE' },
      { name: 'provisional_mark', type: 'VARCHAR' },
      { name: 'bankruptcies', type: 'INTEGER' },
    ],
    rows: () =>
      shippedCbsBankruptcies().map((r) => [
        r.debtorType, r.branch.code, r.branch.label, r.branch.section ?? null, r.period.label, r.period.granularity,
        r.period.start, r.period.end, r.period.mark, r.bankruptcies,
      ]),
  },
  cbs_firms: {
    columns: [
      { name: 'branch_code', type: 'VARCHAR' },
      { name: 'branch_label', type: 'VARCHAR' },
      { name: 'sbi_section', type: 'VARCHAR' },
      { name: 'period_label', type: 'VARCHAR' },
      { name: 'period_type', type: 'VARCHAR' },
      { name: 'period_start', type: 'DATE' },
      { name: 'period_end', type: 'DATE' },
      { name: 'provisional_mark', type: 'VARCHAR' },
      { name: 'firms', type: 'INTEGER' },
      { name: 'natural_persons', type: 'INTEGER' },
      { name: 'legal_entities', type: 'INTEGER' },
    ],
    rows: () =>
      shippedCbsFirms().map((r) => [
        r.branch.code, r.branch.label, r.branch.section ?? null, r.period.label, r.period.granularity, r.period.start, r.period.end,
        r.period.mark, r.total, r.counts['Rechtsvorm Natuurlijke personen (aantal)'] ?? null, r.counts['Rechtspersonen (aantal)'] ?? null,
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
