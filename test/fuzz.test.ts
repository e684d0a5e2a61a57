/**
 * Seeded, bounded fuzz (issue 7): fixture files are mutated (byte flips, truncation, token
 * deletion, duplication, splicing) and every parser and every rule runs on them through the
 * engine. Zero crashes (no thrown exception, no rule `error` outcome) and no file over the
 * per-file budget (a budget diagnostic would show it). At least 2,000 mutated files per run;
 * the count is printed. PRODAUDIT_FUZZ_SEED replays a run; PRODAUDIT_FUZZ_FILES changes the size.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rules } from '../rules/index.js';
import { auditDirectory } from '../src/engine/audit.js';
import { kindOf } from '../src/engine/discover.js';

const SEED = Number(process.env.PRODAUDIT_FUZZ_SEED ?? 20261122);
const COUNT = Math.max(2000, Number(process.env.PRODAUDIT_FUZZ_FILES ?? 2000));
const TMP = mkdtempSync(join(tmpdir(), 'prodaudit-fuzz-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

/** mulberry32: small, seeded, reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(): { path: string; data: Buffer }[] {
  const out: { path: string; data: Buffer }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (kindOf(p) !== undefined && statSync(p).size < 64 * 1024) out.push({ path: p, data: readFileSync(p) });
    }
  };
  walk('fixtures');
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

const TOKENS = /[A-Za-z_][A-Za-z0-9_]*|\d+|\S/g;

function mutate(src: Buffer, r: () => number): Buffer {
  const pick = Math.floor(r() * 6);
  const at = Math.floor(r() * (src.length + 1));
  switch (pick) {
    case 0: {
      const b = Buffer.from(src);
      for (let i = 0, n = 1 + Math.floor(r() * 8); i < n && b.length; i++) { const k = Math.floor(r() * b.length); b[k] = b[k]! ^ (1 << Math.floor(r() * 8)); }
      return b;
    }
    case 1:
      return src.subarray(0, at);
    case 2: {
      const text = src.toString('utf8');
      const toks = [...text.matchAll(TOKENS)];
      if (!toks.length) return src;
      let out = text;
      for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) {
        const t = toks[Math.floor(r() * toks.length)]!;
        out = out.slice(0, t.index) + out.slice(t.index! + t[0].length);
      }
      return Buffer.from(out);
    }
    case 3: {
      const len = Math.floor(r() * 200);
      return Buffer.concat([src.subarray(0, at), src.subarray(at, at + len), src.subarray(at)]);
    }
    case 4: {
      const from = Math.floor(r() * src.length);
      return Buffer.concat([src.subarray(0, at), src.subarray(from, from + Math.floor(r() * 300)), src.subarray(Math.floor(r() * src.length))]);
    }
    default: {
      const junk = ['{', '}', '(', ')', '[', ']', '"', "'", '`', '\\', ':', '\n', '\t', '#', '//', '/*', '"""', '${', '&a', '*a', '\0', '\uFFFD', '<<: *x', '- ', '\r'];
      return Buffer.concat([src.subarray(0, at), Buffer.from(junk[Math.floor(r() * junk.length)]!), src.subarray(at)]);
    }
  }
}

describe('fuzz', () => {
  it(`${COUNT} mutated fixture files through every parser and rule: no crash, no hang`, { timeout: 600_000 }, async () => {
    const r = rng(SEED);
    const files = corpus();
    assert.ok(files.length > 50, 'a corpus to mutate');
    const PER_PROJECT = 250;
    let done = 0;
    const crashes = new Set<string>();
    const started = performance.now();
    for (let p = 0; done < COUNT; p++) {
      const root = join(TMP, `p${p}`);
      const n = Math.min(PER_PROJECT, COUNT - done);
      for (let i = 0; i < n; i++) {
        const f = files[Math.floor(r() * files.length)]!;
        // Keep the name (the kind decides the parser); a folder per file keeps manifests apart.
        const dest = join(root, `m${i}`, f.path.replace(/^fixtures\/[^/]+\/[^/]+\//, ''));
        mkdirSync(dirname(dest), { recursive: true });
        writeFileSync(dest, mutate(f.data, r));
      }
      let res;
      try {
        res = await auditDirectory(root, { rules, workers: 1 });
      } catch (error) {
        assert.fail(`seed ${SEED}, project ${p}: the audit threw: ${(error as Error).stack}`);
      }
      for (const o of res.outcomes) if (o.status === 'error') crashes.add(`${o.ruleId}: ${o.error}`);
      for (const d of res.diagnostics) if (/budget|Maximum call stack/.test(d.message)) crashes.add(`${d.path}: ${d.message}`);
      done += n;
      rmSync(root, { recursive: true, force: true });
    }
    console.log(`# fuzz: ${done} mutated files audited with ${rules.length} rules (seed ${SEED}) in ${Math.round(performance.now() - started)} ms`);
    assert.ok(done >= 2000);
    assert.deepEqual([...crashes].sort(), [], `seed ${SEED}: rule errors, stack overflows or files over the per-file budget`);
  });
});
