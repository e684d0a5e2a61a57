/**
 * A pass worker thread: builds its own PassEnv (parsers, facts from the manifests the main
 * thread already read, the same rules), then audits the batches of files it is sent and
 * returns plain FileOutcomes. It never decides anything the main thread's merge decides.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnyRule } from './rule.js';
import { BUNDLE_REGISTRY, BUNDLE_WORKER, bundle } from './bundle-state.js';
import { auditFile, createPassEnv, type PassEnv } from './file-pass.js';
import type { BatchMessage, InitMessage, WorkerReply } from './pool.js';

/** Serve the pool from this thread (started below as dist/src/engine/worker.js, or by src/bundle-loader.ts). */
export function runWorker(): void {
  const port = parentPort!;
  let env: Promise<PassEnv> | undefined;
  let files: InitMessage['files'] = [];
  port.on('message', (msg: InitMessage | BatchMessage | { type: 'finish' }) => {
    if (msg.type === 'init') {
      files = msg.files;
      env = (async () => {
        const own = bundle();
        const registry = msg.registry === BUNDLE_REGISTRY && own ? own : ((await import(msg.registry)) as { rules: readonly AnyRule[] });
        const byId = new Map(registry.rules.map((r) => [r.meta.id, r]));
        const rules = msg.ruleIds.map((id) => byId.get(id)!);
        return createPassEnv({ root: msg.root, config: msg.config, rules, files: msg.files, hashing: msg.hashing, seeded: msg.seeded, threads: msg.threads });
      })();
      return;
    }
    void env!.then((e) => {
      if (msg.type === 'finish') {
        const reply: WorkerReply = { type: 'counts', reads: [...e.reader.reads], parses: [...e.parses] };
        port.postMessage(reply);
        return;
      }
      const outcomes = msg.items.map((it) => auditFile(e, files[it.i]!, it.source));
      const reply: WorkerReply = { type: 'done', batch: msg.batch, outcomes, memos: e.memoLog.splice(0) };
      port.postMessage(reply);
    });
  });
}

// Started as a worker script of its own (the unbundled build); a worker that loads the bundle calls runWorker itself.
if (parentPort && (workerData as { role?: string } | null)?.role !== BUNDLE_WORKER) runWorker();
