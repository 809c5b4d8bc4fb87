import { buildSmallLake } from '../test/support/small-lake.ts';
const t0 = Date.now();
const lake = await buildSmallLake({ customers: 80, months: 15 });
console.log(lake, Date.now() - t0);
