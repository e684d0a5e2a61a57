/**
 * Whether this code runs as the single-file build (dist/prodaudit.cjs, built from src/bundle.ts
 * by src/build-bundle.ts) and, if so, its rule registry. Worker threads then load that same file
 * (src/bundle-loader.ts) and take their rules from it: importing dist/rules/index.js would load a
 * second copy of every module, and its rule objects would not be the ones the run was given.
 */
import type { AnyRule } from './rule.js';

/** The registry name pool workers are sent when the rules are the bundle's own (see registryFor). */
export const BUNDLE_REGISTRY = 'prodaudit:bundle';

/** workerData.role of a pool worker that loads the bundle (src/bundle-loader.ts calls runWorker). */
export const BUNDLE_WORKER = 'prodaudit-bundle-worker';

export interface BundleState {
  /** Absolute path of the bundle file. */
  readonly file: string;
  readonly rules: readonly AnyRule[];
}

let state: BundleState | undefined;

export function setBundle(s: BundleState): void {
  state = s;
}

export function bundle(): BundleState | undefined {
  return state;
}
