/** Okabe-Ito: distinguishable with the common colour-vision deficiencies; lighter twins for dark. */
export const PALETTE_LIGHT = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#8C6D00', '#4D4D4D'];
export const PALETTE_DARK = ['#56B4E9', '#F0B93A', '#2FC598', '#FF8A4C', '#E39AC6', '#9AD3F5', '#F0E442', '#CCCCCC'];

/** The colours of a chart's text, axes, grid lines and tooltip, per theme (the page's own, as literals: an exported PNG has no CSS). */
export function chartColours(dark: boolean) {
  return {
    palette: dark ? PALETTE_DARK : PALETTE_LIGHT,
    text: dark ? '#e8ebef' : '#1b1f24',
    muted: dark ? '#aab2bd' : '#4d5560',
    line: dark ? '#3a414c' : '#d5dae1',
    panel: dark ? '#1d2128' : '#ffffff',
  };
}

export const CHART_FONT = '"DejaVu Sans", system-ui, sans-serif';
