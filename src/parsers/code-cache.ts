/**
 * Load a large CommonJS file with V8's code cache: the TypeScript compiler (9 MB), so a run that
 * parses JS/TS does not compile it from source in every thread (157 ms from source, about 90 ms
 * from the cache on this machine), and prodaudit's own single-file build (src/bundle-loader.ts).
 * Node 20 has no module.enableCompileCache (Node 22); this is the documented vm.Script
 * `cachedData` route for one file.
 *
 * The cache lives in the user's cache folder ($XDG_CACHE_HOME or ~/.cache, `prodaudit/v8`,
 * created 0700), one entry per file, keyed by its path, size, mtime and the V8 version; writing
 * a file's entry removes its older ones. V8 rejects data that does not match the source, and then
 * it is rewritten. Writes are atomic (temp file + rename), failures only cost speed.
 * PRODAUDIT_NO_CODE_CACHE=1 turns it off.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { readUtf8 } from '../engine/encoding.js';

export function cacheFolder(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'prodaudit', 'v8');
}

/** `require(file)`, compiled with a code cache when one can be used. */
export function requireCached(file: string): unknown {
  const loaded = loadCached(file);
  loaded.save();
  return loaded.exports;
}

/**
 * Load a CommonJS file as `require` would, compiled with a code cache when one can be used, and
 * return its exports with `save()`, which writes the cache when there was none (or V8 rejected
 * it). Saving after the program ran (bin/prodaudit.js does, for the single-file build) also stores
 * the functions V8 compiled lazily during the run, not only the top level: 75 ms to load the
 * build instead of 120 ms with a cache taken right after loading, 290 ms as separate ES modules.
 */
export function loadCached(file: string): { exports: unknown; save(): void } {
  const require = createRequire(file);
  const plain = () => ({ exports: require(file) as unknown, save() {} });
  if (process.env.PRODAUDIT_NO_CODE_CACHE) return plain();
  let source: string;
  let cacheFile: string;
  let prefix: string;
  try {
    const st = statSync(file);
    source = readUtf8(readFileSync(file));
    const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
    // <file>-<version of it and of V8>.bin: a new build of the file replaces its old entries.
    prefix = `${sha1(file).slice(0, 16)}-`;
    cacheFile = join(cacheFolder(), `${prefix}${sha1(`${st.size}\0${st.mtimeMs}\0${process.versions.v8}\0${process.arch}`).slice(0, 16)}.bin`);
  } catch {
    return plain();
  }
  let cached: Buffer | undefined;
  try {
    cached = readFileSync(cacheFile);
  } catch {
    cached = undefined;
  }
  const script = new Script((Module as unknown as { wrap(s: string): string }).wrap(source), { filename: file, cachedData: cached });
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  (script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void).call(module.exports, module.exports, require, module, file, dirname(file));
  module.loaded = true;
  let pending = cached === undefined || script.cachedDataRejected === true;
  const save = () => {
    if (!pending) return;
    pending = false;
    try {
      mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
      const tmp = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, cacheFile);
      for (const old of readdirSync(dirname(cacheFile))) if (old.startsWith(prefix) && old.endsWith('.bin') && join(dirname(cacheFile), old) !== cacheFile) rmSync(join(dirname(cacheFile), old), { force: true });
    } catch {
      // a read-only home: compile from source next time too
    }
  };
  return { exports: module.exports, save };
}
