#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { loadBundle } from '../dist/src/bundle-loader.js';

// V8 grows a heap by up to 4x its live size between full collections; an audit allocates and drops
// parsed modules file after file, so the heap (and each worker's) swelled to several times what
// was live: the 20,000-file monorepo peaked at 1.8 GB, 0.77 GB with growth held to 1.4x, for a
// few percent more CPU. Flags set here apply to every later collection and to the workers; while
// a pool runs, src/engine/pool.ts holds growth to 1.1x (POOL_HEAP_GROWING_PERCENT).
if (!/--heap-growing-percent/.test(process.env.NODE_OPTIONS ?? '') && !process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) {
  setFlagsFromString('--heap-growing-percent=40');
}

// The single-file build, loaded with V8's code cache (src/bundle-loader.ts); the separate ES modules
// when it is absent or older than them.
const loaded = loadBundle();
const main = loaded ? loaded.bundle.main : (await import('../dist/src/cli.js')).main;

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    loaded?.save();
  },
  (error) => {
    process.stderr.write(`prodaudit: internal error: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 3;
  },
);
