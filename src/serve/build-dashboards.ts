// `npm run build:dashboards`: bundles the front end into dashboards/dist (for hosting or a check).
import { buildDashboards } from './bundle.js';

const { distDir, bytes } = await buildDashboards();
for (const [file, size] of Object.entries(bytes)) console.log(`${distDir}/assets/${file}  ${(size / 1024).toFixed(1)} KiB`);
