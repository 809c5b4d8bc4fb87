import type { Rng } from './random.js';
import type { SbiSection } from './sbi-codes.js';

/**
 * Dutch company identity: KvK number, VAT number and a plausible trade name. Identifiers come from a
 * permutation of the customer's index, so they are unique within a ledger without a lookup table.
 */

const KVK_SPACE = 90_000_000; // 10000000 … 99999999
const KVK_MULT = 37_454_371; // coprime with 90,000,000 (= 2^7·3^2·5^7), so index ↦ number is a bijection

/** 8-digit KvK (Chamber of Commerce) number, unique per index below 90 million. */
export function kvkNumber(index: number, salt: number): string {
  return String(10_000_000 + ((index * KVK_MULT + salt) % KVK_SPACE));
}

/** Weighted digit sum of the Dutch 11-test (BSN/RSIN): 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11). */
export function elevenProof(nine: string): boolean {
  if (!/^\d{9}$/.test(nine)) return false;
  let s = 0;
  for (let i = 0; i < 8; i++) s += (9 - i) * Number(nine[i]);
  return (s - Number(nine[8])) % 11 === 0;
}

/**
 * Dutch VAT number `NL#########B01`: the nine digits are a fiscal number (RSIN) that passes the 11-test,
 * as pre-2020 VAT numbers of legal entities do.
 */
export function nlVatNumber(index: number, salt: number): string {
  let base = (index * 61_629_037 + salt) % 100_000_000;
  for (;;) {
    const eight = String(base).padStart(8, '0');
    let s = 0;
    for (let i = 0; i < 8; i++) s += (9 - i) * Number(eight[i]);
    const check = s % 11;
    if (check < 10) return `NL${eight}${check}B01`;
    base = (base + 1) % 100_000_000;
  }
}

/** Belgian VAT `BE0#########`: 10 digits whose last two are 97 − (first eight mod 97). */
export function beVatNumber(rng: Rng): string {
  const first = rng.int(2_000_000, 9_999_999); // 0 + 7 digits = 8 digits
  return `BE0${first}${String(97 - ((first) % 97)).padStart(2, '0')}`;
}

export function deVatNumber(rng: Rng): string {
  return `DE${rng.int(100_000_000, 399_999_999)}`;
}

const SURNAMES = [
  'De Vries', 'Jansen', 'Van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'De Boer', 'Mulder', 'De Groot',
  'Bos', 'Vos', 'Peters', 'Hendriks', 'Van Leeuwen', 'Dekker', 'Brouwer', 'De Wit', 'Dijkstra', 'Smits',
  'De Graaf', 'Van der Meer', 'Van der Linden', 'Kok', 'Jacobs', 'De Haan', 'Vermeulen', 'Van den Heuvel',
  'Van der Veen', 'Van Dijk', 'Hoekstra', 'Kuipers', 'Postma', 'Huisman', 'Koster', 'Willems', 'Van Wijk',
  'Prins', 'Maas', 'Verhoeven', 'Timmermans', 'Groen', 'Koning', 'Schouten', 'Scholten', 'Wouters',
];

const PLACES = [
  'Amsterdam', 'Rotterdam', 'Utrecht', 'Eindhoven', 'Groningen', 'Tilburg', 'Almere', 'Breda', 'Nijmegen',
  'Apeldoorn', 'Haarlem', 'Arnhem', 'Zwolle', 'Leeuwarden', 'Maastricht', 'Dordrecht', 'Den Bosch', 'Venlo',
  'Delft', 'Alkmaar', 'Deventer', 'Helmond', 'Amersfoort', 'Enschede', 'Zaandam', 'Westland', 'Veghel',
];

const COINED = [
  'Noordzee', 'Polder', 'Delta', 'Oranje', 'Zuidas', 'Randstad', 'Hollandia', 'Lage Landen', 'Waddenzee',
  'Kempen', 'Veluwe', 'Brabant', 'Maasvallei', 'IJssel', 'Rijnmond', 'Horizon', 'Vitaal', 'Vakwerk',
];

/** Trade words per SBI section, so a name hints at the activity. */
const TRADE: Record<SbiSection, readonly string[]> = {
  A: ['Kwekerij', 'Agro', 'Tuinbouw', 'Melkveehouderij', 'Akkerbouw'],
  B: ['Zand- en Grindwinning', 'Delfstoffen', 'Mineralen'],
  C: ['Metaalbewerking', 'Productie', 'Machinebouw', 'Kunststoffen', 'Voedingsmiddelen', 'Drukkerij'],
  D: ['Energie', 'Warmte', 'Zonne-energie'],
  E: ['Recycling', 'Afvalbeheer', 'Waterzuivering'],
  F: ['Bouw', 'Aannemersbedrijf', 'Installatietechniek', 'Schildersbedrijf', 'Dakwerken', 'Grondwerken'],
  G: ['Groothandel', 'Handelsonderneming', 'Auto', 'Import', 'Retail', 'Techniek'],
  H: ['Transport', 'Logistiek', 'Koeriersdienst', 'Expeditie', 'Warehousing'],
  I: ['Horeca', 'Catering', 'Hotel', 'Restaurant', 'Eetcafé'],
  J: ['Software', 'ICT', 'Media', 'Digital', 'Data'],
  K: ['Finance', 'Verzekeringen', 'Beleggingen', 'Holding'],
  L: ['Vastgoed', 'Beheer', 'Projectontwikkeling'],
  M: ['Advies', 'Ingenieursbureau', 'Accountants', 'Architecten', 'Consultancy'],
  N: ['Verhuur', 'Uitzendbureau', 'Schoonmaak', 'Facilitair', 'Beveiliging'],
  O: ['Gemeente', 'Waterschap', 'Omgevingsdienst', 'Veiligheidsregio'],
  P: ['Opleidingen', 'Academie', 'Trainingen'],
  Q: ['Zorg', 'Thuiszorg', 'Fysiotherapie', 'Tandartsenpraktijk'],
  R: ['Events', 'Sportcentrum', 'Theater', 'Recreatie'],
  S: ['Dienstverlening', 'Reparatie', 'Stichting', 'Vereniging'],
  T: ['Huishouding'],
  U: ['International Office', 'Agency'],
};

const PUBLIC_SECTIONS: readonly SbiSection[] = ['O', 'U'];

/** A Dutch-looking company name; a few contain a comma or an ampersand, as real names do. */
export function companyName(rng: Rng, section: SbiSection, foreign: string | null): string {
  const trade = rng.pick(TRADE[section]);
  if (PUBLIC_SECTIONS.includes(section)) return `${trade} ${rng.pick(PLACES)}`;
  if (foreign === 'BE') return `${rng.pick(SURNAMES)} ${trade} BV`;
  if (foreign === 'DE') return `${rng.pick(COINED)} ${trade} GmbH`;
  const legal = rng.weighted(['B.V.', 'V.O.F.', 'N.V.', 'Holding B.V.', ''], [70, 12, 3, 5, 10]);
  const form = rng.int(0, 5);
  const name =
    form === 0 ? `${rng.pick(SURNAMES)} ${trade}`
    : form === 1 ? `${trade} ${rng.pick(PLACES)}`
    : form === 2 ? `${rng.pick(SURNAMES)} & ${rng.pick(SURNAMES)} ${trade}`
    : form === 3 ? `${rng.pick(SURNAMES)}, ${rng.pick(SURNAMES)} en Partners`
    : form === 4 ? `${rng.pick(COINED)} ${trade}`
    : `${trade} ${rng.pick(SURNAMES)} ${rng.pick(PLACES)}`;
  return legal ? `${name} ${legal}` : name;
}
