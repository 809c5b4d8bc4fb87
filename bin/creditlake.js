#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm install` needs no build step
// and `npx creditlake` works from a fresh clone.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
