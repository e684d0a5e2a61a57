#!/usr/bin/env node
import { main } from '../dist/src/cli.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`prodaudit: internal error: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 3;
  },
);
