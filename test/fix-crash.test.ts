/**
 * Crash injection for `prodaudit fix` (issue 7): the process is killed with SIGKILL (no handlers,
 * no cleanup: a power cut) at every phase of every file it writes, through the test-only hook
 * PRODAUDIT_TEST_KILL_AT=PHASE:N in src/engine/fix.ts. After each kill every file must be either
 * exactly its old bytes or exactly its new bytes, never truncated or mixed; modes are kept;
 * files the fix does not touch keep their mtime; and a re-run finishes the job byte-identically
 * to an uninterrupted run and removes the dead run's temp files.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tempCopy } from './support/ci.js';

const BIN = join(process.cwd(), 'bin', 'prodaudit.js');
const SOURCE = join(process.cwd(), 'fixtures', '_apps', 'flask-insecure');
const PHASES = ['before-write', 'mid-write', 'before-rename', 'after-rename'] as const;
const TEMP = /\.prodaudit-\d+-[0-9a-f]{8}\.tmp$/;

function copy(): string {
  const root = tempCopy(SOURCE, 'prodaudit-crash-');
  chmodSync(join(root, 'app.py'), 0o750); // an unusual mode the rewrite must keep
  return root;
}

/** Every file under root except the cache, as path -> bytes. */
function snapshot(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.prodaudit-cache') walk(abs);
      } else out.set(relative(root, abs), readFileSync(abs));
    }
  };
  walk(root);
  return out;
}

function fix(root: string, killAt?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '' };
  if (killAt) env.PRODAUDIT_TEST_KILL_AT = killAt;
  else delete env.PRODAUDIT_TEST_KILL_AT;
  return spawnSync(process.execPath, [BIN, 'fix', '--unsafe-fixes', root], { env, encoding: 'utf8' });
}

describe('fix survives being killed at any point of writing', () => {
  const pristine = copy();
  const before = snapshot(pristine);
  const doneRoot = copy();
  const run = fix(doneRoot);
  const after = snapshot(doneRoot);
  const changed = [...after.keys()].filter((p) => !before.get(p)?.equals(after.get(p)!)).sort();

  it('the uninterrupted run changes several files (the crash points below are real)', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.ok(changed.length >= 4, `files changed: ${changed.join(', ')}`);
  });

  for (const phase of PHASES) {
    it(`killed ${phase} of the first, a middle and the last file written: every file old or new; the re-run completes`, () => {
      // The first file written and the last (bounded: each case is two full runs of the CLI).
      for (const n of [...new Set([1, Math.ceil(changed.length / 2), changed.length])]) {
        const root = copy();
        const mtimes = new Map([...before.keys()].map((p) => [p, statSync(join(root, p)).mtimeMs]));
        try {
          const killed = fix(root, `${phase}:${n}`);
          assert.equal(killed.signal, 'SIGKILL', `${phase}:${n} was not killed: status ${killed.status}, ${killed.stderr}`);
          const now = snapshot(root);
          let nNew = 0;
          const temps: string[] = [];
          for (const [path, bytes] of now) {
            if (TEMP.test(path)) {
              temps.push(path);
              continue;
            }
            const old = before.get(path);
            const neu = after.get(path);
            const isOld = !!old && bytes.equals(old);
            const isNew = !!neu && bytes.equals(neu);
            assert.ok(isOld || isNew, `${phase}:${n}: ${path} is neither its old nor its new content (${bytes.length} bytes)`);
            if (!isOld) nNew++;
          }
          for (const path of before.keys()) assert.ok(now.has(path), `${phase}:${n}: ${path} disappeared`);
          // How many files were already replaced when the process died.
          const expectedNew = phase === 'after-rename' ? n : n - 1;
          assert.equal(nNew, expectedNew, `${phase}:${n}: ${nNew} files replaced`);
          // A temp file is left only when the kill came between creating it and renaming it.
          assert.equal(temps.length, phase === 'mid-write' || phase === 'before-rename' ? 1 : 0, `${phase}:${n}: temp files ${temps.join(', ')}`);
          for (const path of before.keys()) {
            if (now.get(path)!.equals(before.get(path)!)) assert.equal(statSync(join(root, path)).mtimeMs, mtimes.get(path), `${phase}:${n}: ${path} untouched but its mtime changed`);
          }
          assert.equal(statSync(join(root, 'app.py')).mode & 0o777, 0o750, `${phase}:${n}: app.py lost its mode`);

          const again = fix(root);
          assert.equal(again.status, 0, again.stderr);
          const final = snapshot(root);
          assert.deepEqual([...final.keys()].sort(), [...after.keys()].sort(), `${phase}:${n}: the re-run left different files (temp files not cleaned?)`);
          for (const [path, bytes] of after) assert.ok(final.get(path)!.equals(bytes), `${phase}:${n}: ${path} differs from an uninterrupted run`);
          assert.equal(statSync(join(root, 'app.py')).mode & 0o777, 0o750);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }
    });
  }

  it('cleans up', () => {
    rmSync(pristine, { recursive: true, force: true });
    rmSync(doneRoot, { recursive: true, force: true });
  });
});
