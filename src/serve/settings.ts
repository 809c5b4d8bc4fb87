/**
 * Targets the CFO page compares against. Defaults are common Dutch B2B practice; `creditlake serve`
 * fills them from the config when it carries them.
 */
export interface DashboardSettings {
  currency: string;
  dsoTargetDays: number;
  overduePctTarget: number;
  ceiTargetPct: number;
}

export const defaultSettings: DashboardSettings = {
  currency: 'EUR',
  dsoTargetDays: 45,
  overduePctTarget: 15,
  ceiTargetPct: 80,
};
