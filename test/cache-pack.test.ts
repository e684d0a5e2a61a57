/**
 * The cache file names the per-file parts an app-wide scan or project check used by memo name
 * (format 4), not one key and digest per part. These tests write records through AuditCache and
 * read them back: what validates must be exactly what the full records would have validated.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AuditCache } from '../src/engine/cache.js';
import type { Dependencies, MemoEntry } from '../src/engine/file-pass.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prodaudit-cache-pack-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const hashes: Record<string, string> = { 'a.py': 'ha', 'b.py': 'hb', 'c.py': 'hc' };
const part = (path: string, digest: string, value?: unknown): MemoEntry => ({ deps: { fileList: false, files: { [path]: hashes[path]! }, memos: {} }, digest, ...(value === undefined ? {} : { value }) });
const deps = (memos: Record<string, string>): Dependencies => ({ fileList: true, files: {}, memos });

/** A cache holding parts of `m` for three files and of `n` for one, plus records that use them. */
function writeCache(): void {
  const c = new AuditCache(dir, 'k', 'list');
  c.storeMemo('m\0a.py', part('a.py', 'da'), true);
  c.storeMemo('m\0b.py', part('b.py', 'db', ['x']), true);
  c.storeMemo('m\0c.py', part('c.py', 'dc'), true);
  c.storeMemo('n\0a.py', part('a.py', 'na'), true);
  // An app scan over all of m's parts, and one over a subset of n's and m's, each with an app memo beside them.
  c.storeMemo('scan\0\0flask', { deps: deps({ 'm\0a.py': 'da', 'm\0b.py': 'db', 'm\0c.py': 'dc' }), digest: 'S' }, true);
  c.storeProject('all-m', { facts: 'F', deps: deps({ 'm\0a.py': 'da', 'm\0b.py': 'db', 'm\0c.py': 'dc', 'scan\0\0flask': 'S' }), drafts: [] }, true);
  c.storeProject('some-m', { facts: 'F', deps: deps({ 'm\0b.py': 'db', 'n\0a.py': 'na' }), drafts: [] }, true);
  // A digest the file does not hold for that part (a record from another state): kept as it is.
  c.storeProject('stale', { facts: 'F', deps: deps({ 'm\0a.py': 'old' }), drafts: [] }, true);
  c.save();
}

const digests: Record<string, string> = { 'm\0a.py': 'da', 'm\0b.py': 'db', 'm\0c.py': 'dc', 'n\0a.py': 'na', 'scan\0\0flask': 'S' };
const hashOf = (p: string) => hashes[p] ?? '-';

describe('cache format 4: parts named by memo in dependency records', () => {
  it('writes the parts a record used by memo name, all of them as *', () => {
    writeCache();
    const file = readdirSync(dir).find((n) => n.endsWith('.json'))!;
    const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { project: Record<string, { deps: { memos: Record<string, string>; parts?: Record<string, unknown> } }>; memos: Record<string, { deps: { parts?: unknown } }> };
    assert.deepEqual(data.project['all-m']!.deps.parts, { m: '*' });
    assert.deepEqual(data.project['all-m']!.deps.memos, { 'scan\0\0flask': 'S' });
    assert.deepEqual(data.project['some-m']!.deps.parts, { m: ['b.py'], n: '*' });
    assert.deepEqual(data.project['stale']!.deps.memos, { 'm\0a.py': 'old' });
    assert.equal(data.project['stale']!.deps.parts, undefined);
    assert.deepEqual(data.memos['scan\0\0flask']!.deps.parts, { m: '*' });
  });

  it('validates a read-back record exactly as the full one: every part at its digest, nothing more', () => {
    writeCache();
    const seen: string[] = [];
    const c = new AuditCache(dir, 'k', 'list');
    const ok = c.project('all-m', 'F', hashOf, (k) => (seen.push(k), digests[k]));
    assert.ok(ok, 'unchanged parts: a hit');
    assert.deepEqual(seen.sort(), ['m\0a.py', 'm\0b.py', 'm\0c.py', 'scan\0\0flask']);
    assert.deepEqual(ok.deps.memos, { 'scan\0\0flask': 'S', 'm\0a.py': 'da', 'm\0b.py': 'db', 'm\0c.py': 'dc' });
    const some = new AuditCache(dir, 'k', 'list').project('some-m', 'F', hashOf, (k) => digests[k]);
    assert.deepEqual(some?.deps.memos, { 'm\0b.py': 'db', 'n\0a.py': 'na' });
  });

  it('misses when one part of a packed set has another digest now, or the record was stale', () => {
    writeCache();
    assert.equal(new AuditCache(dir, 'k', 'list').project('all-m', 'F', hashOf, (k) => (k === 'm\0c.py' ? 'changed' : digests[k])), undefined);
    assert.equal(new AuditCache(dir, 'k', 'list').project('stale', 'F', hashOf, (k) => digests[k]), undefined);
  });

  it('reads parts back on demand, valid while their file has the hash they read', () => {
    writeCache();
    const c = new AuditCache(dir, 'k', 'list');
    assert.deepEqual(c.memo('m\0b.py', hashOf, (k) => digests[k]), { deps: { fileList: false, files: { 'b.py': 'hb' }, memos: {} }, digest: 'db', value: ['x'] });
    assert.equal(c.memo('m\0b.py', (p) => (p === 'b.py' ? 'edited' : hashOf(p)), (k) => digests[k]), undefined);
    assert.equal(c.memo('m\0zz.py', hashOf, (k) => digests[k]), undefined);
    assert.equal(c.memo('scan\0\0flask', hashOf, (k) => digests[k])?.digest, 'S');
  });

  it('packs a record read back packed against the next file it is written to', () => {
    writeCache();
    // A run that validates one record and carries the rest over as they were read.
    const c = new AuditCache(dir, 'k', 'list');
    for (const k of ['m\0a.py', 'm\0b.py', 'm\0c.py', 'n\0a.py', 'scan\0\0flask']) c.storeMemo(k, c.memo(k, hashOf, (x) => digests[x])!, false);
    c.storeProject('all-m', c.project('all-m', 'F', hashOf, (k) => digests[k])!, true);
    c.save();
    const again = new AuditCache(dir, 'k', 'list').project('all-m', 'F', hashOf, (k) => digests[k]);
    assert.deepEqual(again?.deps.memos, { 'scan\0\0flask': 'S', 'm\0a.py': 'da', 'm\0b.py': 'db', 'm\0c.py': 'dc' });
  });
});
