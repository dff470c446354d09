#!/usr/bin/env node
'use strict';
// The CLI is compiled TypeScript; `npm ci` builds it (the "prepare" script).
require('../dist/src/cli.js').runCli(process.argv);
