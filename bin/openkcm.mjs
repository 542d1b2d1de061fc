#!/usr/bin/env node
// The `openkcm` command. Plain JavaScript so `npx openkcm` works without a build: it registers
// tsx's loader and hands over to the TypeScript CLI in cli/.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
