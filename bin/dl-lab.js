#!/usr/bin/env node
// The bundle is built by `npm run build` (run by `npm install` through `prepare`).
import '../dist/cli.mjs';
