/**
 * Loads the single-file build (dist/prodaudit.cjs) with V8's code cache, for bin/prodaudit.js and
 * for pool workers (started with this file and workerData.role = BUNDLE_WORKER). It imports only
 * Node built-ins, code-cache.ts and encoding.ts, so using it costs nothing when the bundle is absent or stale
 * (older than dist/src/cli.js, i.e. `tsc` ran without the bundle step): the caller then imports
 * the separate ES modules. PRODAUDIT_NO_BUNDLE=1 forces those.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { BUNDLE_WORKER } from './engine/bundle-state.js';
import { loadCached } from './parsers/code-cache.js';

/** What src/bundle.ts exports. */
export interface Bundle {
  main(argv: string[]): Promise<number>;
  runWorker(): void;
}

const BUNDLE_FILE = fileURLToPath(new URL('../prodaudit.cjs', import.meta.url));
const ENTRY_FILE = fileURLToPath(new URL('./cli.js', import.meta.url));

/** The bundle and a `save()` that writes its code cache (call it once the program has run), or undefined. */
export function loadBundle(): { bundle: Bundle; save(): void } | undefined {
  if (process.env.PRODAUDIT_NO_BUNDLE) return undefined;
  try {
    if (statSync(BUNDLE_FILE).mtimeMs < statSync(ENTRY_FILE).mtimeMs) return undefined;
  } catch {
    return undefined;
  }
  const loaded = loadCached(BUNDLE_FILE);
  return { bundle: loaded.exports as Bundle, save: loaded.save };
}

if (parentPort && (workerData as { role?: string } | null)?.role === BUNDLE_WORKER) {
  const loaded = loadBundle();
  if (!loaded) throw new Error(`prodaudit: worker could not load ${BUNDLE_FILE}`);
  loaded.bundle.runWorker(); // the main thread writes the code cache, after its run
}
