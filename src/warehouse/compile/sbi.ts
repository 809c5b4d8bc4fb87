/**
 * SBI 2008 / NACE Rev. 2 section of a code from its 2-digit division. The ranges are fixed by the
 * classification itself, so a CASE expression is enough and the SQL stays table-free and portable.
 */
export const SBI_SECTION_DIVISIONS: readonly (readonly [section: string, from: string, to: string])[] = [
  ['A', '01', '03'], ['B', '05', '09'], ['C', '10', '33'], ['D', '35', '35'], ['E', '36', '39'],
  ['F', '41', '43'], ['G', '45', '47'], ['H', '49', '53'], ['I', '55', '56'], ['J', '58', '63'],
  ['K', '64', '66'], ['L', '68', '68'], ['M', '69', '75'], ['N', '77', '82'], ['O', '84', '84'],
  ['P', '85', '85'], ['Q', '86', '88'], ['R', '90', '93'], ['S', '94', '96'], ['T', '97', '98'],
  ['U', '99', '99'],
];

export function sbiSectionCase(expr: string): string {
  const division = `substr(${expr}, 1, 2)`;
  const whens = SBI_SECTION_DIVISIONS.map(([s, from, to]) =>
    from === to ? `WHEN ${division} = '${from}' THEN '${s}'` : `WHEN ${division} BETWEEN '${from}' AND '${to}' THEN '${s}'`,
  );
  return `CASE ${whens.join(' ')} ELSE 'unknown' END`;
}
