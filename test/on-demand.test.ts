/**
 * The parsed-module cache (the pass's parses, project.python()/project.script() lookups and
 * project-check scans): least recently used entries leave first, other apps' before the current
 * app's, bounded by the modules' estimated heap bytes
 * (`moduleBytes`: per syntax node, which tracks memory far better than source characters).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { cacheBudgets, MIN_CACHE_BYTES, moduleBytes, ParsedModules } from '../src/engine/file-pass.js';
import { SourceReader } from '../src/engine/source.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initPython, parsePython, type PyModule } from '../src/parsers/python.js';
import { parseScript } from '../src/parsers/script.js';

const MB = 1024 * 1024;
const mod = (name: string) => ({ name }) as unknown as PyModule;

describe('ParsedModules', () => {
  it('keeps every module while their bytes fit the budget, however many there are', () => {
    const c = new ParsedModules(100 * MB, 100 * MB);
    for (let i = 0; i < 2000; i++) c.set(`m${i}.py`, mod(`m${i}`), 40_000, 'app');
    for (let i = 0; i < 2000; i++) assert.equal(c.has(`m${i}.py`), true, `m${i}.py kept`);
  });

  it('drops the least recently used modules once their bytes exceed the budget', () => {
    const c = new ParsedModules(50 * MB, 50 * MB);
    c.set('a.py', mod('a'), 20 * MB, 'app');
    c.set('b.ts', mod('b'), 20 * MB, 'app');
    assert.deepEqual(c.get('a.py'), mod('a')); // a is now the most recently used
    c.set('c.py', mod('c'), 20 * MB, 'app');
    assert.equal(c.has('b.ts'), false);
    assert.equal(c.has('a.py'), true);
    assert.equal(c.has('c.py'), true);
  });

  it('holds other apps to their smaller share, least recently used app first', () => {
    const c = new ParsedModules(100 * MB, 10 * MB);
    c.set('one/a.py', mod('a'), 6 * MB, 'one');
    c.set('two/b.py', mod('b'), 6 * MB, 'two');
    c.set('two/c.py', mod('c'), 6 * MB, 'two');
    // Working on app two: app one (6 MB) fits the other-apps share.
    assert.equal(c.has('one/a.py'), true);
    c.set('three/d.py', mod('d'), 1 * MB, 'three');
    // Working on app three: one and two hold 18 MB of other apps; app one (least recent) goes first, then two's oldest.
    assert.equal(c.has('one/a.py'), false);
    assert.equal(c.has('two/b.py'), false);
    assert.equal(c.has('two/c.py'), true);
    assert.equal(c.has('three/d.py'), true);
  });

  it('evicts other apps before the current app when the whole budget is exceeded', () => {
    const c = new ParsedModules(30 * MB, 30 * MB);
    c.set('app/a.py', mod('a'), 10 * MB, 'app');
    c.set('lib/x.py', mod('x'), 10 * MB, 'lib');
    c.set('app/b.py', mod('b'), 15 * MB, 'app');
    assert.equal(c.has('lib/x.py'), false);
    assert.equal(c.has('app/a.py'), true);
    assert.equal(c.has('app/b.py'), true);
  });

  it('keeps a module larger than the whole budget (the one just parsed is never evicted)', () => {
    const c = new ParsedModules(50 * MB);
    c.set('a.py', mod('a'), 1 * MB, 'app');
    c.set('huge.py', mod('huge'), 100 * MB, 'app');
    assert.equal(c.has('huge.py'), true);
    assert.equal(c.has('a.py'), false);
  });

  it('remembers a file that failed to parse (undefined) so it is not parsed again', () => {
    const c = new ParsedModules();
    c.set('broken.py', undefined, moduleBytes(undefined, 100), 'app');
    assert.equal(c.has('broken.py'), true);
    assert.equal(c.get('broken.py'), undefined);
  });

  it('replaces a module set twice without counting it twice', () => {
    const c = new ParsedModules(25 * MB, 25 * MB);
    c.set('a.py', mod('a'), 10 * MB, 'app');
    c.set('a.py', mod('a2'), 10 * MB, 'app');
    c.set('b.py', mod('b'), 10 * MB, 'app');
    assert.equal(c.has('a.py'), true);
    assert.deepEqual(c.get('a.py'), mod('a2'));
  });
});

describe('cacheBudgets', () => {
  it('gives each thread less as threads are added, never below the floor', () => {
    const one = cacheBudgets(1, true);
    const two = cacheBudgets(2, true);
    assert.ok(two.modules < one.modules / 2, 'two threads share what the target leaves after two thread baselines');
    for (const n of [8, 64]) assert.equal(cacheBudgets(n, false).modules, MIN_CACHE_BYTES);
    assert.deepEqual(cacheBudgets(0, true), one);
  });

  it('keeps other apps within the modules budget, with more of it on the main thread, and texts only there', () => {
    for (const n of [1, 2, 4]) {
      const main = cacheBudgets(n, true);
      const worker = cacheBudgets(n, false);
      assert.ok(main.otherApps <= main.modules && worker.otherApps < main.otherApps);
      assert.ok(main.retainChars > 0 && worker.retainChars === 0);
      assert.ok(worker.recentChars > 0 && worker.recentChars === main.recentChars);
    }
  });

  it('keeps the one-thread budgets the fixtures need (other apps for project checks, retained texts)', () => {
    const one = cacheBudgets(1, true);
    assert.ok(one.otherApps >= 40 * MB, `${one.otherApps}`);
    assert.ok(one.modules >= 512 * MB, "one thread keeps a whole app's modules (single-app repositories reuse them)");
    assert.ok(one.retainChars >= 16 * MB, `${one.retainChars}`);
  });
});

describe('ParsedModules.resize', () => {
  it('evicts down to smaller budgets at once, other apps first', () => {
    const c = new ParsedModules(100 * MB, 100 * MB);
    c.set('one/a.py', mod('a'), 10 * MB, 'one');
    c.set('two/b.py', mod('b'), 10 * MB, 'two');
    c.set('two/c.py', mod('c'), 10 * MB, 'two');
    c.resize(25 * MB, 5 * MB);
    assert.equal(c.has('one/a.py'), false);
    assert.equal(c.has('two/c.py'), true);
    assert.ok(c.size <= 25 * MB);
    c.resize(12 * MB, 5 * MB);
    assert.equal(c.has('two/b.py'), false, 'then the current app, least recently used first');
    assert.equal(c.has('two/c.py'), true);
  });
});

describe('SourceReader.limitRecent', () => {
  it('bounds the on-demand memo by characters, oldest reads leaving first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodaudit-recent-'));
    try {
      for (const n of ['a', 'b', 'c']) writeFileSync(join(dir, `${n}.py`), n.repeat(100));
      const r = new SourceReader(dir, () => true, false);
      r.limitRecent(1000);
      for (const n of ['a', 'b', 'c']) r.readShared(`${n}.py`);
      r.limitRecent(250);
      for (const n of ['a', 'b', 'c']) r.readShared(`${n}.py`);
      assert.equal(r.reads.get('a.py'), 2, 'a was dropped when the limit shrank, and read again');
      assert.equal(r.reads.get('c.py'), 1, 'c stayed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('moduleBytes', () => {
  before(initPython);

  it('grows with the syntax a module holds, not with its characters', () => {
    // Same length: a long comment is one node, dense calls are hundreds.
    const comment = `# ${'x'.repeat(2000)}\n`;
    const calls = 'f(a, b)\n'.repeat(Math.floor(comment.length / 8));
    const sparse = moduleBytes(parsePython(comment), comment.length);
    const dense = moduleBytes(parsePython(calls), calls.length);
    assert.ok(dense > 50 * sparse, `dense ${dense} vs sparse ${sparse}`);
  });

  it('weighs TypeScript by its source file\'s nodes', () => {
    const small = 'export const a = 1;\n';
    const large = small.repeat(200);
    const ratio = moduleBytes(parseScript('b.ts', large), large.length) / moduleBytes(parseScript('a.ts', small), small.length);
    assert.ok(ratio > 150 && ratio < 250, `ratio ${ratio}`);
  });
});
