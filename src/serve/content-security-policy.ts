/**
 * The dashboards' Content-Security-Policy, one text for `creditlake serve` and the CloudFront
 * distribution on AWS. Everything the page may load comes from its own origin. Inline styles are
 * allowed because ECharts sets element styles; scripts only from our own bundle.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
