/**
 * Running the per-file pass over many files: inline on the main thread, or on a pool of
 * worker threads with the main thread taking batches too. Batches are contiguous runs of
 * files balanced by bytes; results are put back in file order, so the merge (and the
 * report) is the same with 1 or N threads.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import { BUNDLE_WORKER, bundle } from './bundle-state.js';
import type { DiscoveredFile } from './discover.js';
import { adoptMemo, auditFile, type FileOutcome, type MemoEntry, type PassEnv } from './file-pass.js';
import type { Source } from './source.js';

export interface InitMessage {
  readonly type: 'init';
  readonly registry: string;
  readonly ruleIds: readonly string[];
  readonly root: string;
  readonly config: Config;
  readonly files: readonly DiscoveredFile[];
  readonly hashing: boolean;
  readonly seeded: readonly [string, Source][];
  /** Threads of the run, for each worker's cache budgets. */
  readonly threads: number;
}

export interface BatchMessage {
  readonly type: 'batch';
  readonly batch: number;
  readonly items: readonly WorkItem[];
}

export type WorkerReply =
  | { readonly type: 'done'; readonly batch: number; readonly outcomes: readonly FileOutcome[]; readonly memos: readonly [string, MemoEntry][] }
  | { readonly type: 'counts'; readonly reads: readonly [string, number][]; readonly parses: readonly [string, number][] };

/** A file to audit: its index in the discovered list, and its source when the main thread already read it. */
export interface WorkItem {
  readonly i: number;
  readonly source?: Source;
}

/** Below this much work a pool costs more than it saves (each thread loads the parsers: ~0.3 s). */
export const POOL_MIN_FILES = 2000;
export const POOL_MIN_BYTES = 10 * 1024 * 1024;
/** An app with more than this share of the work's bytes keeps the pass on one thread (see autoThreads). */
export const DOMINANT_APP_SHARE = 0.5;

/**
 * Threads for the pass: one for small work, and one when a single app holds most of it. Every
 * thread that audits an app computes that app's memoised scans (login routes, CSRF and env facts)
 * and parses their modules again, so two threads sharing one app cost more than they save: on the
 * Python corpus (one app, 1,525 files) 2 threads took 10.4 s wall and 13.5 s CPU against 7.4 s
 * and 8.7 s on one; on the JS corpus (one app) 2 threads saved 5% wall for 26% more CPU. Apps
 * spread over threads scale: six apps 3.8 -> 3.3 s, the 60-app monorepo 32 -> 22 s.
 */
export function autoThreads(items: readonly WorkItem[], files: readonly DiscoveredFile[], appOf: (path: string) => string): number {
  let bytes = 0;
  const perApp = new Map<string, number>();
  for (const it of items) {
    const f = files[it.i]!;
    bytes += f.size;
    const app = appOf(f.path);
    perApp.set(app, (perApp.get(app) ?? 0) + f.size);
  }
  if (items.length < POOL_MIN_FILES && bytes < POOL_MIN_BYTES) return 1;
  if (Math.max(...perApp.values()) > bytes * DOMINANT_APP_SHARE) return 1;
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/**
 * A worker's young generation (V8 default 48 MB: two 16 MB semi-spaces plus their large objects).
 * The pass's garbage is short-lived parse trees and outcomes, so 4 MB semi-spaces cost no CPU
 * beyond the noise of a shared machine (±5%) on the monorepo and keep 26 MB less resident per
 * worker (new space 34 -> 8 MB). The main thread's cannot be set from here: V8 sizes it when the
 * isolate is created, and neither setFlagsFromString nor --semi-space-growth-factor changed it.
 */
export const WORKER_YOUNG_GENERATION_MB = 12;

/**
 * Heap growth while the pool runs (V8 --heap-growing-percent; bin/prodaudit.js sets 40 for the
 * whole run). Pool threads keep small caches (cacheBudgets), so the heaps' slack is most of the
 * peak: on the monorepo 40 -> 20 took it from 457 to 397 MB, 10 to 385 MB, with 173 full
 * collections instead of 88 and no more time in their pauses (--trace-gc). One thread keeps up to
 * 512 MB of modules, and there 10 cost 60% more CPU on the monorepo, so it is only for runs with a
 * pool (their pass, project checks and cache write: the main thread's budgets are the pool's
 * there), and one-thread runs keep 40. A user's own flag wins.
 */
export const POOL_HEAP_GROWING_PERCENT = 10;
export const HEAP_GROWING_PERCENT = 40;

function userHeapGrowth(): boolean {
  return /--heap-growing-percent/.test(process.env.NODE_OPTIONS ?? '') || process.execArgv.some((a) => a.startsWith('--heap-growing-percent'));
}

function poolHeapGrowth(on: boolean): void {
  if (!userHeapGrowth()) setFlagsFromString(`--heap-growing-percent=${on ? POOL_HEAP_GROWING_PERCENT : HEAP_GROWING_PERCENT}`);
}

export interface PoolSetup {
  readonly threads: number;
  /** URL of the module exporting `rules` (the registry), loaded by each worker. */
  readonly registry: string;
  readonly init: Omit<InitMessage, 'type' | 'registry' | 'threads'>;
  readonly onProgress?: (done: number) => void;
}

export interface PassCounts {
  readonly reads: Map<string, number>;
  readonly parses: Map<string, number>;
}

/**
 * Audit the items; outcomes come back indexed like `items`, with the memo results the threads
 * computed (main thread's last: env.memoLog is drained by the caller, after the project checks).
 */
export async function runPass(env: PassEnv, files: readonly DiscoveredFile[], items: readonly WorkItem[], setup: PoolSetup): Promise<{ outcomes: FileOutcome[]; counts: PassCounts[]; memos: [string, MemoEntry][] }> {
  const outcomes: FileOutcome[] = new Array(items.length);
  const memos: [string, MemoEntry][] = [];
  const position = new Map(items.map((it, k) => [it.i, k]));
  let done = 0;
  const put = (list: readonly FileOutcome[], batch: readonly WorkItem[]) => {
    list.forEach((o, j) => (outcomes[position.get(batch[j]!.i)!] = o));
    done += list.length;
    setup.onProgress?.(done);
  };
  const counts: PassCounts[] = [{ reads: env.reader.reads, parses: env.parses }];
  if (setup.threads <= 1 || items.length === 0) {
    for (const it of items) put([auditFile(env, files[it.i]!, it.source)], [it]);
    return { outcomes, counts, memos };
  }

  // Held after the pool too, through the project checks and the cache write (the caller calls
  // endPoolHeapGrowth): with the pool's small cache budgets they keep little, and at 40 their
  // garbage was the cold monorepo's peak (416 MB against 348 MB at 10, the same CPU within noise).
  poolHeapGrowth(true);
  try {
    return await runPool(env, files, items, setup, outcomes, memos, counts, put);
  } catch (error) {
    poolHeapGrowth(false);
    throw error;
  }
}

/** The run's heap growth back after a pool (runPass with threads > 1 leaves the pool's on). */
export function endPoolHeapGrowth(): void {
  poolHeapGrowth(false);
}

async function runPool(
  env: PassEnv,
  files: readonly DiscoveredFile[],
  items: readonly WorkItem[],
  setup: PoolSetup,
  outcomes: FileOutcome[],
  memos: [string, MemoEntry][],
  counts: PassCounts[],
  put: (list: readonly FileOutcome[], batch: readonly WorkItem[]) => void,
): Promise<{ outcomes: FileOutcome[]; counts: PassCounts[]; memos: [string, MemoEntry][] }> {
  const batches = makeBatches(items, files, setup.threads, (path) => env.facts.appOf(path).root);
  const scheduler = new AppScheduler(batches.map((b) => b.app));
  const workers = Array.from({ length: setup.threads - 1 }, (_, k) => new PoolWorker(setup, k + 1, (b, list, found) => (put(list, batches[b]!.items), memos.push(...found.map(([key, e]) => [key, adoptMemo(env, key, e)] as [string, MemoEntry])))));
  const feed = (w: PoolWorker) => {
    while (w.alive && w.inFlight.size < 2) {
      const b = scheduler.take(w.thread);
      if (b === undefined) break;
      w.send(b, batches[b]!.items);
    }
  };
  for (const w of workers) w.onIdle = () => feed(w);
  for (const w of workers) feed(w);
  // The main thread (thread 0) works too, one batch at a time, yielding so replies and refills get through.
  for (let b = scheduler.take(0); b !== undefined; b = scheduler.take(0)) {
    const batch = batches[b]!.items;
    put(batch.map((it) => auditFile(env, files[it.i]!, it.source)), batch);
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(workers.map((w) => w.drained()));
  // A worker that died leaves batches behind: the main thread does them.
  for (const w of workers) {
    for (const b of w.orphans()) put(batches[b]!.items.map((it) => auditFile(env, files[it.i]!, it.source)), batches[b]!.items);
  }
  for (const w of workers) {
    const c = await w.finish();
    if (c) counts.push(c);
  }
  return { outcomes, counts, memos };
}

/**
 * Contiguous runs of files of one app, each about totalBytes / (threads * 8), at most 200 files.
 * A batch never spans two apps, so the scheduler can keep an app on one thread.
 */
function makeBatches(items: readonly WorkItem[], files: readonly DiscoveredFile[], threads: number, appOf: (path: string) => string): { app: string; items: WorkItem[] }[] {
  let total = 0;
  for (const it of items) total += files[it.i]!.size;
  const target = Math.max(64 * 1024, Math.ceil(total / (threads * 8)));
  const batches: { app: string; items: WorkItem[] }[] = [];
  let cur: WorkItem[] = [];
  let app = '';
  let bytes = 0;
  for (const it of items) {
    const a = appOf(files[it.i]!.path);
    if (cur.length && a !== app) {
      batches.push({ app, items: cur });
      cur = [];
      bytes = 0;
    }
    app = a;
    cur.push(it);
    bytes += files[it.i]!.size;
    if (bytes >= target || cur.length >= 200) {
      batches.push({ app, items: cur });
      cur = [];
      bytes = 0;
    }
  }
  if (cur.length) batches.push({ app, items: cur });
  return batches;
}

/**
 * Hands out batches so each app stays on one thread while there is other work. Rules compute
 * app-wide facts once per app and thread (CSRF protection, the app's env reads, its login routes,
 * each parsing many of the app's files), so two threads on one app did that work twice, and the
 * pool was slower than one thread on a repository of several apps. A thread keeps taking its
 * app's batches in order; when they run out it starts the app with the most work left that no
 * thread holds; only when every app is held does it help with the one with the most batches
 * left, from the end. Which thread audits a file never changes the output (results are merged in
 * file order), only how often app-wide facts are recomputed.
 */
export class AppScheduler {
  private readonly queues = new Map<string, number[]>();
  private readonly holder = new Map<number, string>();
  private readonly held = new Map<string, number>();

  constructor(apps: readonly string[]) {
    apps.forEach((a, b) => {
      let q = this.queues.get(a);
      if (!q) this.queues.set(a, (q = []));
      q.push(b);
    });
  }

  take(thread: number): number | undefined {
    const mine = this.holder.get(thread);
    const q = mine === undefined ? undefined : this.queues.get(mine);
    if (q && q.length) return q.shift();
    if (mine !== undefined) {
      this.holder.delete(thread);
      this.held.set(mine, (this.held.get(mine) ?? 1) - 1);
    }
    let best: string | undefined;
    let bestLeft = 0;
    for (const [app, queue] of this.queues) {
      if (queue.length > bestLeft && !this.held.get(app)) {
        best = app;
        bestLeft = queue.length;
      }
    }
    if (best !== undefined) {
      this.holder.set(thread, best);
      this.held.set(best, (this.held.get(best) ?? 0) + 1);
      return this.queues.get(best)!.shift();
    }
    // Every app with work left is held by another thread: help the one with the most left.
    let busiest: number[] | undefined;
    for (const queue of this.queues.values()) if (queue.length && (!busiest || queue.length > busiest.length)) busiest = queue;
    return busiest?.pop();
  }
}

class PoolWorker {
  readonly inFlight = new Set<number>();
  alive = true;
  onIdle: () => void = () => {};
  private readonly worker: Worker;
  private waiters: (() => void)[] = [];
  private countsWaiter: ((c: PassCounts | undefined) => void) | undefined;

  constructor(
    setup: PoolSetup,
    readonly thread: number,
    onDone: (batch: number, outcomes: readonly FileOutcome[], memos: readonly [string, MemoEntry][]) => void,
  ) {
    // The single-file build's workers load that file too (src/bundle-loader.ts), not the ES modules.
    const own = bundle();
    const script = own ? pathToFileURL(join(dirname(own.file), 'src', 'bundle-loader.js')) : new URL('./worker.js', import.meta.url);
    this.worker = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB }, ...(own ? { workerData: { role: BUNDLE_WORKER } } : {}) });
    this.worker.on('message', (m: WorkerReply) => {
      if (m.type === 'counts') {
        this.countsWaiter?.({ reads: new Map(m.reads), parses: new Map(m.parses) });
        return;
      }
      this.inFlight.delete(m.batch);
      onDone(m.batch, m.outcomes, m.memos);
      this.onIdle();
      this.settle();
    });
    this.worker.on('error', () => this.die());
    this.worker.on('exit', () => this.die());
    const init: InitMessage = { type: 'init', registry: setup.registry, ...setup.init, threads: setup.threads };
    this.worker.postMessage(init);
  }

  send(batch: number, items: readonly WorkItem[]): void {
    this.inFlight.add(batch);
    const msg: BatchMessage = { type: 'batch', batch, items };
    this.worker.postMessage(msg);
  }

  drained(): Promise<void> {
    if (!this.alive || this.inFlight.size === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  orphans(): number[] {
    return this.alive ? [] : [...this.inFlight];
  }

  async finish(): Promise<PassCounts | undefined> {
    if (!this.alive) return undefined;
    const counts = await new Promise<PassCounts | undefined>((r) => {
      this.countsWaiter = r;
      this.worker.postMessage({ type: 'finish' });
    });
    this.alive = false;
    await this.worker.terminate();
    return counts;
  }

  private die(): void {
    if (!this.alive) return;
    this.alive = false;
    this.countsWaiter?.(undefined);
    this.settle(true);
  }

  private settle(force = false): void {
    if (force || this.inFlight.size === 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const r of w) r();
    }
  }
}
