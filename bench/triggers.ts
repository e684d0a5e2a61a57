/**
 * `node dist/bench/triggers.js DIR [python|script]`: what each rule's text trigger costs and keeps
 * on a tree, to choose which trigger to narrow next. For every file of the kind (discovered as an
 * audit would) it runs every rule's triggers and prints:
 *
 * - the bytes whose files any trigger keeps (those files are parsed) and the total;
 * - per rule: the bytes its trigger keeps, the bytes only it keeps (what narrowing it to nothing
 *   would save in parsing), and its time over the tree (second of two passes, so compiled).
 *
 * The app is taken to use every backend framework, so this is an upper bound of what an audit
 * parses (an audit also parses files to learn their frameworks when the manifests name none).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rules } from '../rules/index.js';
import { discover } from '../src/engine/discover.js';
import { matchesTriggers } from '../src/engine/file-pass.js';
import { BACKEND_FRAMEWORKS, type FileKind, type TriggerApp } from '../src/engine/types.js';

const root = resolve(process.argv[2] ?? '.');
const kind = (process.argv[3] ?? 'python') as FileKind;
const app: TriggerApp = { root: '', dependencies: new Map(), frameworks: new Set(BACKEND_FRAMEWORKS) };
const texts = discover(root)
  .files.filter((f) => f.kind === kind)
  .map((f) => readFileSync(join(root, f.path), 'latin1'));
const checked = rules.filter((r) => r.check[kind as keyof typeof r.check]);
const options = new Map(checked.map((r) => [r, r.options ? r.options.parse({}) : {}]));

const time = new Map<string, number>();
const kept = new Map<string, number>();
const solo = new Map<string, number>();
let keptBytes = 0;
let totalBytes = 0;
for (let pass = 0; pass < 2; pass++) {
  for (const text of texts) {
    const hits: string[] = [];
    for (const r of checked) {
      const t = performance.now();
      const hit = matchesTriggers(r, text, options.get(r), kind, app);
      if (pass === 1) time.set(r.meta.id, (time.get(r.meta.id) ?? 0) + performance.now() - t);
      if (hit) hits.push(r.meta.id);
    }
    if (pass === 0) continue;
    totalBytes += text.length;
    if (hits.length) keptBytes += text.length;
    for (const h of hits) kept.set(h, (kept.get(h) ?? 0) + text.length);
    if (hits.length === 1) solo.set(hits[0]!, (solo.get(hits[0]!) ?? 0) + text.length);
  }
}

const mb = (n: number | undefined) => ((n ?? 0) / 1e6).toFixed(2).padStart(6);
console.log(`${texts.length} ${kind} files, ${mb(totalBytes).trim()} MB; triggers keep ${mb(keptBytes).trim()} MB; ${[...time.values()].reduce((a, b) => a + b, 0).toFixed(0)} ms of triggers`);
console.log('kept MB  only MB  trigger ms  rule');
for (const r of [...checked].sort((a, b) => (kept.get(b.meta.id) ?? 0) - (kept.get(a.meta.id) ?? 0))) {
  const id = r.meta.id;
  console.log(`${mb(kept.get(id))}   ${mb(solo.get(id))}   ${(time.get(id) ?? 0).toFixed(0).padStart(9)}  ${id}`);
}
