/**
 * The pool's batch scheduler: every batch is handed out exactly once, an app's batches stay on
 * the thread that started it while other apps have work, and a thread with nothing of its own
 * helps with the app that has the most left.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppScheduler } from '../src/engine/pool.js';

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
