/**
 * The report must not depend on how it was computed: byte-identical JSON (ignoring the
 * timing field stats.durationMs) with 1 thread, N worker threads, a cold cache and a warm
 * cache, on every fixture at once (all rules). A warm re-run must also really skip parsing,
 * and after one file changes the cached run must equal a fresh one.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rules } from '../rules/index.js';
import { auditDirectory, type AuditOptions, type RunStats } from '../src/engine/audit.js';
import type { AuditResult } from '../src/engine/result.js';
import { reporters } from '../src/reporters/index.js';
import { FIXTURE_META } from './support/markers.js';

let work: string;
let root: string;

const json = (r: AuditResult) => reporters.json({ ...r, stats: { ...r.stats, durationMs: 0 } }, { color: false, rules });

async function run(options: Partial<AuditOptions>): Promise<{ out: string; stats: RunStats; result: AuditResult }> {
  let stats: RunStats | undefined;
  const result = await auditDirectory(root, { rules, ignore: FIXTURE_META, ...options, onStats: (s) => (stats = s) });
  return { out: json(result), stats: stats!, result };
}

describe('determinism: 1 thread, N threads, cold and warm cache', () => {
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'prodaudit-det-'));
    root = join(work, 'fixtures');
    cpSync('fixtures', root, { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('gives byte-identical JSON every way it is computed', async () => {
    const base = await run({ workers: 1 });
    assert.ok(base.result.findings.length > 0, 'the fixtures should produce findings');
    assert.equal(base.stats.parses.maxPerFile, 1, 'each file is parsed at most once');
    assert.equal(base.stats.reads.maxPerFile, 1, 'each file is read at most once');
    const cache = join(work, 'cache');
    for (const [name, options] of [
      ['2 threads', { workers: 2 }],
      ['3 threads', { workers: 3 }],
      ['cold cache, 2 threads', { workers: 2, cache }],
      ['warm cache, 2 threads', { workers: 2, cache }],
      ['warm cache, 1 thread', { workers: 1, cache }],
    ] as const) {
      const r = await run(options);
      assert.equal(r.out, base.out, `${name}: JSON differs from the 1-thread run`);
      if (name.startsWith('2') || name.startsWith('3')) assert.ok(r.stats.threads > 1, `${name}: the pool was not used`);
      if (name.startsWith('warm')) {
        assert.equal(r.stats.parses.total, 0, `${name}: an unchanged re-run must not parse`);
        assert.equal(r.stats.cache.misses, 0, `${name}: every file should come from the cache`);
      }
    }
  });

  it('after one file changes, the cached run equals a fresh run', async () => {
    const cache = join(work, 'cache-change');
    const before = await run({ workers: 1, cache });
    const target = before.result.findings.find((f) => !f.projectLevel)!;
    assert.ok(target, 'need a file with a finding');
    const path = join(root, target.location.path);
    writeFileSync(path, `\n${readFileSync(path, 'utf8')}`); // shifts every finding in it by one line
    const warm = await run({ workers: 1, cache });
    const fresh = await run({ workers: 1 });
    assert.equal(warm.out, fresh.out, 'cached run after a change differs from a fresh run');
    assert.notEqual(warm.out, before.out, 'the change should move a finding');
    assert.ok(warm.stats.cache.misses >= 1 && warm.stats.cache.hits >= 1, `expected hits and a miss: ${JSON.stringify(warm.stats.cache)}`);
  });
});
