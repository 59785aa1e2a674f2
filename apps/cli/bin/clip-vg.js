#!/usr/bin/env node
// The committed `clip-vg` launcher: npm links a workspace's bin only if the file exists at install time, and dist/
// exists only after a build. So the link points here, and this says how to build when the build is missing.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  const root = path.resolve(__dirname, '..', '..', '..');
  process.stderr.write(`clip-vg: not built yet: run \`npm run build\` in ${root} (a minute or two), then clip-vg again\n`);
  process.exit(1);
}
require(cli);
