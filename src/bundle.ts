/**
 * Entry of the single-file build, dist/prodaudit.cjs (src/build-bundle.ts): the CLI and the pass
 * worker in one CommonJS file, which bin/prodaudit.js loads with V8's code cache. Loading ~200
 * ES modules one by one (resolve, read, compile, link) took 290 ms of every run and of every
 * worker thread; the cached bundle loads in about 75 ms.
 */
import { fileURLToPath } from 'node:url';
import { rules } from '../rules/index.js';
import { setBundle } from './engine/bundle-state.js';

setBundle({ file: fileURLToPath(import.meta.url), rules });

export { main } from './cli.js';
export { runWorker } from './engine/worker.js';
