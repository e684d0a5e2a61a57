/**
 * The on-demand parse cache (project.python()/project.script() lookups and project-check scans):
 * least recently used entries leave first, bounded by source characters, with TypeScript trees
 * (about ten times their source in memory) under a smaller share of their own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnDemandModules } from '../src/engine/file-pass.js';
import type { PyModule } from '../src/parsers/python.js';

const MB = 1024 * 1024;
const mod = (name: string) => ({ name }) as unknown as PyModule;

describe('OnDemandModules', () => {
  it('keeps every module while the sources fit the budget, however many there are', () => {
    const c = new OnDemandModules();
    for (let i = 0; i < 2000; i++) c.set(`m${i}.py`, mod(`m${i}`), 10_000, false);
    for (let i = 0; i < 2000; i++) assert.equal(c.has(`m${i}.py`), true, `m${i}.py kept`);
  });

  it('drops the least recently used Python modules once the characters exceed the budget', () => {
    const c = new OnDemandModules();
    c.set('a.py', mod('a'), 20 * MB, false);
    c.set('b.py', mod('b'), 20 * MB, false);
    assert.deepEqual(c.get('a.py'), mod('a')); // a is now the most recently used
    c.set('c.py', mod('c'), 20 * MB, false);
    assert.equal(c.has('b.py'), false);
    assert.equal(c.has('a.py'), true);
    assert.equal(c.has('c.py'), true);
  });

  it('bounds TypeScript trees by their own smaller share, leaving Python modules alone', () => {
    const c = new OnDemandModules();
    c.set('a.py', mod('a'), 1 * MB, false);
    c.set('x.ts', mod('x'), 3 * MB, true);
    c.set('y.ts', mod('y'), 3 * MB, true);
    c.set('z.ts', mod('z'), 3 * MB, true);
    assert.equal(c.has('x.ts'), false);
    assert.equal(c.has('y.ts'), true);
    assert.equal(c.has('z.ts'), true);
    assert.equal(c.has('a.py'), true);
  });

  it('keeps a file larger than the whole budget (the one just parsed is never evicted)', () => {
    const c = new OnDemandModules();
    c.set('a.py', mod('a'), 1 * MB, false);
    c.set('huge.py', mod('huge'), 100 * MB, false);
    assert.equal(c.has('huge.py'), true);
    assert.equal(c.has('a.py'), false);
  });

  it('remembers a file that failed to parse (undefined) so it is not parsed again', () => {
    const c = new OnDemandModules();
    c.set('broken.py', undefined, 100, false);
    assert.equal(c.has('broken.py'), true);
    assert.equal(c.get('broken.py'), undefined);
  });
});
