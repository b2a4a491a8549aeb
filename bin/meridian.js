#!/usr/bin/env node
// The binary runs the TypeScript sources through tsx, which also lets users write `meridian.config.ts`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
