/**
 * The cache file names the per-file parts an app-wide scan or project check used by memo name
 * (format 4), not one key and digest per part. These tests write records through AuditCache and
 * read them back: what validates must be exactly what the full records would have validated.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

interface Written {
  project: Record<string, { deps: { memos: Record<string, string>; parts?: Record<string, unknown> } }>;
  memos: Record<string, { deps: { memos: Record<string, string>; parts?: unknown } }>;
  parts: { hashes: Record<string, string>; byMemo: Record<string, { d: string; at: '*' | number[]; x: Record<string, unknown> }> };
}

/** A memo's parts as written (format 5: the common digest `d` for the paths `at` indexes in `hashes`, the rest in `x`), path -> digest or [digest, value]. */
function partsOf(data: Written, name: string): Record<string, unknown> {
  const m = data.parts.byMemo[name]!;
  const order = Object.keys(data.parts.hashes);
  const out: Record<string, unknown> = {};
  for (const path of m.at === '*' ? order : m.at.map((i) => order[i]!)) out[path] = m.d;
  return { ...out, ...m.x };
}

function readData(): Written {
  return JSON.parse(readFileSync(join(dir, readdirSync(dir).find((n) => n.endsWith('.json'))!), 'utf8')) as Written;
}

const digests: Record<string, string> = { 'm\0a.py': 'da', 'm\0b.py': 'db', 'm\0c.py': 'dc', 'n\0a.py': 'na', 'scan\0\0flask': 'S' };
const hashOf = (p: string) => hashes[p] ?? '-';

describe('cache format 4-5: parts named by memo in dependency records, and written compactly', () => {
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

  it('validates a read-back record asking only for the parts of edited files', () => {
    writeCache();
    const seen: string[] = [];
    const c = new AuditCache(dir, 'k', 'list');
    const ok = c.project('all-m', 'F', hashOf, (k) => (seen.push(k), digests[k]));
    assert.ok(ok, 'unchanged parts: a hit');
    // A part read its own file only: while that file's hash is the recorded one, so is its digest.
    assert.deepEqual(seen, ['scan\0\0flask']);
    const edited = (p: string) => (p === 'b.py' ? 'hb2' : hashOf(p));
    const asked: string[] = [];
    assert.ok(new AuditCache(dir, 'k', 'list').project('all-m', 'F', edited, (k) => (asked.push(k), digests[k])), 'an edit that leaves the part as it was: a hit');
    assert.deepEqual(asked.sort(), ['m\0b.py', 'scan\0\0flask']);
    assert.ok(new AuditCache(dir, 'k', 'list').project('some-m', 'F', edited, (k) => digests[k]));
    // some-m lists b.py of m and all of n: an edit to c.py is not its business.
    const other: string[] = [];
    assert.ok(new AuditCache(dir, 'k', 'list').project('some-m', 'F', (p) => (p === 'c.py' ? 'hc2' : hashOf(p)), (k) => (other.push(k), digests[k])));
    assert.deepEqual(other, []);
  });

  it('misses when a part of an edited file has another digest now, or the record was stale', () => {
    writeCache();
    const edited = (p: string) => (p === 'c.py' ? 'hc2' : hashOf(p));
    assert.equal(new AuditCache(dir, 'k', 'list').project('all-m', 'F', edited, (k) => (k === 'm\0c.py' ? 'changed' : digests[k])), undefined);
    assert.equal(new AuditCache(dir, 'k', 'list').project('some-m', 'F', (p) => (p === 'b.py' ? 'hb2' : hashOf(p)), (k) => (k === 'm\0b.py' ? 'changed' : digests[k])), undefined);
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

  it('writes a record that still holds as it was read, and carries over the parts it did not ask for', () => {
    writeCache();
    // A run that validates one record: no part is asked for, none is stored anew.
    const c = new AuditCache(dir, 'k', 'list');
    c.storeProject('all-m', c.project('all-m', 'F', hashOf, (k) => digests[k])!, true);
    c.save();
    const data = readData();
    assert.deepEqual(data.project['all-m']!.deps, { fileList: true, files: {}, memos: { 'scan\0\0flask': 'S' }, parts: { m: '*' } });
    assert.deepEqual(partsOf(data, 'm'), { 'a.py': 'da', 'b.py': ['db', ['x']], 'c.py': 'dc' });
    assert.deepEqual(partsOf(data, 'n'), { 'a.py': 'na' });
    const again = new AuditCache(dir, 'k', 'list');
    assert.ok(again.project('all-m', 'F', hashOf, (k) => digests[k]));
    assert.deepEqual(again.memo('m\0b.py', hashOf, (k) => digests[k]), { deps: { fileList: false, files: { 'b.py': 'hb' }, memos: {} }, digest: 'db', value: ['x'] });
    assert.equal(again.memo('n\0a.py', hashOf, (k) => digests[k])?.digest, 'na');
  });

  it('expands a record whose parts changed and packs it against the next file', () => {
    writeCache();
    // b.py was edited and its part of m has a new digest; the app scan is carried over as read.
    const edited = (p: string) => (p === 'b.py' ? 'hb2' : hashOf(p));
    const c = new AuditCache(dir, 'k', 'list');
    assert.equal(c.memo('m\0b.py', edited, (k) => digests[k]), undefined, 'its file changed');
    c.storeMemo('m\0b.py', { deps: { fileList: false, files: { 'b.py': 'hb2' }, memos: {} }, digest: 'db2' }, true);
    c.storeMemo('scan\0\0flask', c.memo('scan\0\0flask', edited, (k) => digests[k])!, false);
    c.save();
    const data = readData();
    // The parts of a.py and c.py are those the file still holds; b.py's old digest is not.
    assert.deepEqual(data.memos['scan\0\0flask']!.deps, { fileList: true, files: {}, memos: { 'm\0b.py': 'db' }, parts: { m: ['a.py', 'c.py'] } });
    assert.deepEqual(partsOf(data, 'm'), { 'b.py': 'db2', 'a.py': 'da', 'c.py': 'dc' });
    assert.deepEqual(data.parts.hashes, { 'b.py': 'hb2', 'a.py': 'ha', 'c.py': 'hc' });
    const next = (k: string) => (k === 'm\0b.py' ? 'db2' : digests[k]);
    assert.equal(new AuditCache(dir, 'k', 'list').memo('scan\0\0flask', edited, next), undefined, 'it used the old part of b.py');
  });

  it('writes the digest most parts share once, and reads every part back (paths that are array indexes too)', () => {
    const c = new AuditCache(dir, 'k', 'list');
    // Paths JSON.parse gives back first ("7", "10"): the indexes must follow the order it reads.
    const paths = ['src/a.py', '10', 'src/b.py', '7', 'src/c.py'];
    const own = (path: string, digest: string, value?: unknown): MemoEntry => ({ deps: { fileList: false, files: { [path]: `h-${path}` }, memos: {} }, digest, ...(value === undefined ? {} : { value }) });
    for (const p of paths) c.storeMemo(`none\0${p}`, own(p, 'NONE'), true);
    for (const p of paths) c.storeMemo(`some\0${p}`, p === '7' ? own(p, 'S7', { at: 7 }) : own(p, 'NONE'), true);
    c.storeMemo('few\0src/b.py', own('src/b.py', 'NONE'), true);
    c.storeMemo('few\u{0}7', own('7', 'NONE'), true);
    c.save();
    const data = readData();
    assert.deepEqual(Object.keys(data.parts.hashes), ['7', '10', 'src/a.py', 'src/b.py', 'src/c.py']);
    assert.deepEqual(data.parts.byMemo.none, { d: 'NONE', at: '*', x: {} });
    assert.deepEqual(data.parts.byMemo.some, { d: 'NONE', at: [1, 2, 3, 4], x: { '7': ['S7', { at: 7 }] } });
    assert.deepEqual(partsOf(data, 'few'), { '7': 'NONE', 'src/b.py': 'NONE' });
    const back = new AuditCache(dir, 'k', 'list');
    const hashOfP = (p: string) => `h-${p}`;
    for (const p of paths) {
      assert.equal(back.memo(`none\0${p}`, hashOfP, () => undefined)?.digest, 'NONE');
      assert.deepEqual(back.memo(`some\0${p}`, hashOfP, () => undefined)?.value, p === '7' ? { at: 7 } : undefined);
      assert.equal(back.memo(`few\0${p}`, hashOfP, () => undefined)?.digest, p === '7' || p === 'src/b.py' ? 'NONE' : undefined);
    }
  });

  it('keeps why a cache file could not be written, and the run goes on', () => {
    const blocked = join(dir, 'not-a-folder');
    writeFileSync(blocked, 'a file where the cache folder would go');
    const c = new AuditCache(join(blocked, 'cache'), 'k', 'list');
    c.storeMemo('m\0a.py', part('a.py', 'da'), true);
    c.save();
    assert.match(c.stats.saveError ?? '', /ENOTDIR|EEXIST|not a directory/);
  });
});
