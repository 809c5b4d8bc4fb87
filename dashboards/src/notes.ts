import { NOTE_TEXT, wordNote, type Note, type NoteCode } from '../../src/serve/notes.js';
import type { Lang } from './format.js';
import { isLabelKey, t } from './i18n.js';

/** The server's notes (src/serve/notes.ts) in Dutch; a missing code fails the type check. */
const NOTE_TEXT_NL: Record<NoteCode, string> = {
  grouped_one_dimension: 'deze kaart toont één indeling tegelijk: {filter} = {value} (niet gefilterd op {filters})',
  no_breakdown: 'nog geen indeling naar {filters}: filter niet toegepast',
  not_by_group: 'niet ingedeeld naar klantgroep: filters niet toegepast',
  customers_no_column: 'klanten hebben geen kolom {column}: filter {filter} niet toegepast',
  write_off_costs_missing: 'kosten van afboekingen vragen mart write_offs_monthly: getoond zijn de afgeboekte bedragen',
  cash_forecast_portfolio: 'de kasprognose wordt alleen voor de hele portefeuille gemaakt',
  cash_forecast_13w_portfolio: 'de kasprognose voor 13 weken wordt alleen voor de hele portefeuille gemaakt',
  month_in_progress: '{month} loopt nog ({days} dagen aan gegevens): de stromen zijn onvolledig',
  no_complete_month: '{month} loopt nog: er is nog geen volledige maand',
  last_complete_month: 'getoond {complete}, de laatste volledige maand; {month} loopt nog ({days} dagen aan gegevens)',
  dso_no_breakdown: 'nog geen DSO per {filter}: getoond per segment',
  no_customer: 'geen klant {customer}',
  not_in_master: '{customer} staat niet in het debiteurenbestand (gefactureerd of betalend zonder record): geen naam, gegevens of voorwaarden; geteld onder segment, land en grootte "onbekend"',
  no_utilisation: 'credit_limit_utilisation niet gebouwd: geen limietgebruik',
  no_score: 'customer_risk niet gebouwd: geen score',
  action_amounts: 'bedrag: kosten van de stap, of het afgeboekte bedrag (negatief: teruggekregen)',
  unscored_left_out: '{count} klanten zonder numerieke score staan er niet in (zie de lijst op prioriteit)',
  unscored_left_out_one: '1 klant zonder numerieke score staat er niet in (zie de lijst op prioriteit)',
  rising_ranked: 'gerangschikt: secties met minstens {min} gevolgde bedrijven; de balken tonen het 95%-interval van het percentage',
  rising_small_left_out: '{count} stijgende secties met minder dan {min} gevolgde bedrijven zijn niet gerangschikt',
  rising_small_left_out_one: '1 stijgende sectie met minder dan {min} gevolgde bedrijven is niet gerangschikt',
  national_rate: 'landelijk: CBS-faillissementen / bedrijven van de sectie waar CBS het kwartaal dekt, anders de CBS-basis',
  no_promises: 'betalingsbeloften staan niet in de gegevens: geen signaal "belofte niet nagekomen"',
  no_account_manager: 'klanten hebben geen eigenaar: filter op eigenaar niet toegepast',
};

/** Values that name a filter are shown with the filter's label. */
function filterLabel(lang: Lang, name: string): string {
  const key = `f_${name === 'size_class' ? 'size' : name}`;
  return isLabelKey(key) ? t(lang, key) : name;
}

/** A server note in the page's language. */
export function noteText(n: Note, lang: Lang): string {
  if (!Object.hasOwn(NOTE_TEXT, n.code)) return n.code;
  const vars = { ...n.vars };
  if (vars.filter) vars.filter = filterLabel(lang, vars.filter);
  if (vars.filters) vars.filters = vars.filters.split(/, |\//).map((f) => filterLabel(lang, f)).join(', ');
  return wordNote({ code: n.code, vars }, lang === 'nl' ? NOTE_TEXT_NL : NOTE_TEXT);
}
