#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { main } from '../dist/src/cli.js';

// V8 grows a heap by up to 4x its live size between full collections; an audit allocates and drops
// parsed modules file after file, so the heap (and each worker's) swelled to several times what
// was live: the 20,000-file monorepo peaked at 1.8 GB, 0.77 GB with growth held to 1.4x, for a
// few percent more CPU. With small caches (cacheBudgets) the slack is most of what is left: 1.2x
// took the peak from 457 to 397 MB (old spaces: main 123 -> 116 MB, worker 80 -> 70 MB), 1.1x to
// 385 MB, for 173 full collections instead of 88 (at 1.4x) and no more time in their pauses
// (2.0 s against 2.4 s, --trace-gc). Flags set here apply to every later collection and to the workers.
if (!/--heap-growing-percent/.test(process.env.NODE_OPTIONS ?? '') && !process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) {
  setFlagsFromString('--heap-growing-percent=10');
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`prodaudit: internal error: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 3;
  },
);
