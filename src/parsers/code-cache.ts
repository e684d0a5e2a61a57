/**
 * Load a large CommonJS module (the TypeScript compiler, 9 MB) with V8's code cache, so a run
 * that parses JS/TS does not compile it from source in every thread: 157 ms to load it from
 * source, about 90 ms from the cache on this machine. Node 20 has no module.enableCompileCache
 * (Node 22); this is the documented vm.Script `cachedData` route for one file.
 *
 * The cache lives in the user's cache folder ($XDG_CACHE_HOME or ~/.cache, `prodaudit/`, created
 * 0700), keyed by the file's path, size, mtime and the V8 version; V8 rejects data that does not
 * match the source, and then it is rewritten. Writes are atomic (temp file + rename), failures only
 * cost speed. PRODAUDIT_NO_CODE_CACHE=1 turns it off.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

export function cacheFolder(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'prodaudit', 'v8');
}

/** `require(file)`, compiled with a code cache when one can be used. */
export function requireCached(file: string): unknown {
  const require = createRequire(file);
  if (process.env.PRODAUDIT_NO_CODE_CACHE) return require(file);
  let source: string;
  let cacheFile: string;
  try {
    const st = statSync(file);
    source = readFileSync(file, 'utf8');
    const key = createHash('sha1').update(`${file}\0${st.size}\0${st.mtimeMs}\0${process.versions.v8}\0${process.arch}`).digest('hex').slice(0, 20);
    cacheFile = join(cacheFolder(), `${key}.bin`);
  } catch {
    return require(file);
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
  if (cached === undefined || script.cachedDataRejected) {
    try {
      mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
      const tmp = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, cacheFile);
    } catch {
      // a read-only home: compile from source next time too
    }
  }
  return module.exports;
}
