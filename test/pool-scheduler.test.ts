/**
 * The pool's batch scheduler: every batch is handed out exactly once, an app's batches stay on
 * the thread that started it while other apps have work, and a thread with nothing of its own
 * helps with the app that has the most left. And how many threads a pass gets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableParallelism } from 'node:os';
import type { DiscoveredFile } from '../src/engine/discover.js';
import { AppScheduler, autoThreads } from '../src/engine/pool.js';

describe('AppScheduler', () => {
  it('keeps each app on one thread while other apps have work', () => {
    // Batches 0-2 are app a, 3-5 app b.
    const s = new AppScheduler(['a', 'a', 'a', 'b', 'b', 'b']);
    const t0 = [s.take(0), s.take(0), s.take(0)];
    const t1 = [s.take(1), s.take(1), s.take(1)];
    assert.deepEqual(t0, [0, 1, 2]);
    assert.deepEqual(t1, [3, 4, 5]);
    assert.equal(s.take(0), undefined);
    assert.equal(s.take(1), undefined);
  });

  it('starts the free app with the most work left, then helps from the end of the busiest', () => {
    const s = new AppScheduler(['a', 'b', 'b', 'b', 'b', 'c']);
    assert.equal(s.take(0), 1); // b has the most batches
    assert.equal(s.take(1), 0); // a and c have one each: the first found
    assert.equal(s.take(1), 5); // a is done: c is free
    assert.equal(s.take(1), 4); // every app left is held: help b from its end
    assert.equal(s.take(0), 2);
    assert.equal(s.take(0), 3);
    assert.equal(s.take(0), undefined);
    assert.equal(s.take(1), undefined);
  });

  it('hands out every batch exactly once under any interleaving', () => {
    const apps = Array.from({ length: 200 }, (_, i) => `app${Math.floor(i / 7) % 9}`);
    const s = new AppScheduler(apps);
    const seen: number[] = [];
    // Threads take in an uneven order (thread 0 twice as often); stop when all three get nothing.
    const order = [0, 1, 0, 2];
    for (let step = 0, idle = 0; idle < 3; step++) {
      const b = s.take(order[step % order.length]!);
      if (b === undefined) idle++;
      else {
        idle = 0;
        seen.push(b);
      }
    }
    assert.deepEqual([...seen].sort((x, y) => x - y), apps.map((_, i) => i));
  });
});

describe('autoThreads', () => {
  const repo = (apps: Record<string, number>, size = 20_000) => {
    const files: DiscoveredFile[] = [];
    for (const [app, n] of Object.entries(apps)) for (let k = 0; k < n; k++) files.push({ path: `${app}/m${k}.py`, kind: 'python', size } as DiscoveredFile);
    return { files, items: files.map((_, i) => ({ i })) };
  };
  const appOf = (p: string) => p.slice(0, p.indexOf('/'));
  const cores = Math.min(availableParallelism(), 8);

  it('stays on one thread for small work', () => {
    const { files, items } = repo({ a: 50, b: 50 });
    assert.equal(autoThreads(items, files, appOf), 1);
  });

  it('stays on one thread when one app holds most of a large repository (its scans would run on every thread)', () => {
    const { files, items } = repo({ big: 2400, small: 600 });
    assert.equal(autoThreads(items, files, appOf), 1);
  });

  it('uses the cores when the work is spread over apps', () => {
    const { files, items } = repo({ a: 1000, b: 1000, c: 1000 });
    assert.equal(autoThreads(items, files, appOf), cores);
  });
});
