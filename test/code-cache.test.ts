/** The V8 code cache (the TypeScript compiler, the single-file build): same exports with or without it, bad cache data survived and replaced, one entry per file. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cacheFolder, loadCached, requireCached } from '../src/parsers/code-cache.js';

describe('requireCached', () => {
  let work: string;
  let saved: string | undefined;
  let mod: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'prodaudit-code-cache-'));
    saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(work, 'cache');
    mod = join(work, 'mod.cjs');
    writeFileSync(mod, "const path = require('node:path');\nexports.name = path.basename(__filename);\nexports.dir = __dirname;\nmodule.exports.twice = (x) => 2 * x;\n");
  });
  after(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(work, { recursive: true, force: true });
  });

  it('runs the module as require would, and writes the cache once (private to the user)', () => {
    const first = requireCached(mod) as { name: string; dir: string; twice: (x: number) => number };
    assert.equal(first.name, 'mod.cjs');
    assert.equal(first.dir, work);
    assert.equal(first.twice(21), 42);
    const files = readdirSync(cacheFolder());
    assert.equal(files.length, 1);
    assert.equal(statSync(cacheFolder()).mode & 0o777, 0o700);
    const again = requireCached(mod) as { twice: (x: number) => number };
    assert.equal(again.twice(2), 4);
    assert.deepEqual(readdirSync(cacheFolder()), files, 'a valid cache is read, not rewritten under another name');
  });

  it('survives cache data V8 rejects, and replaces it', () => {
    const file = join(cacheFolder(), readdirSync(cacheFolder())[0]!);
    writeFileSync(file, 'not V8 code cache data');
    // In a fresh process: this one's V8 has the script compiled already and would not look at the data.
    const url = new URL('../src/parsers/code-cache.js', import.meta.url).href;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { requireCached } from ${JSON.stringify(url)}; process.stdout.write(String(requireCached(${JSON.stringify(mod)}).twice(5)));`], {
      env: { ...process.env, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '10');
    assert.notEqual(readFileSync(file, 'utf8'), 'not V8 code cache data');
  });

  it('a rebuilt file replaces its old entry instead of adding one', () => {
    const before = readdirSync(cacheFolder());
    assert.equal(before.length, 1);
    writeFileSync(mod, `${readFileSync(mod, 'utf8')}exports.rebuilt = true;\n`);
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { requireCached } from ${JSON.stringify(new URL('../src/parsers/code-cache.js', import.meta.url).href)}; process.stdout.write(String(requireCached(${JSON.stringify(mod)}).rebuilt));`], {
      env: { ...process.env, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'true');
    const after = readdirSync(cacheFolder());
    assert.equal(after.length, 1, `one entry per file: ${after.join(', ')}`);
    assert.notDeepEqual(after, before);
  });

  it('loadCached writes the cache only when asked, once the program has run', () => {
    const other = join(work, 'other.cjs');
    writeFileSync(other, 'exports.lazy = () => [1, 2, 3].map((x) => x * 2);\n');
    const count = () => readdirSync(cacheFolder()).length;
    const n = count();
    const loaded = loadCached(other);
    assert.deepEqual((loaded.exports as { lazy: () => number[] }).lazy(), [2, 4, 6]);
    assert.equal(count(), n, 'nothing written before save()');
    loaded.save();
    loaded.save();
    assert.equal(count(), n + 1);
  });

  it('loads the TypeScript compiler with the same API', async () => {
    const { loadTs } = await import('../src/parsers/script.js');
    const ts = loadTs();
    const sf = ts.createSourceFile('a.ts', 'const x: number = 1;', ts.ScriptTarget.Latest, true);
    assert.equal(sf.statements.length, 1);
    assert.equal(ts.SyntaxKind[sf.statements[0]!.kind], 'FirstStatement');
  });
});
