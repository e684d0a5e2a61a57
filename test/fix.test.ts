/**
 * Fix tests. The sweep: for every fixture case (fixtures/<rule>/<case>/, that rule alone) and every
 * realistic app (fixtures/_apps/<app>/, all rules) with a finding that has a fix, apply all fixes
 * (unsafe too) to a temp copy and check: the findings with fixes are gone, every changed file still
 * parses, no finding appears that was not there before, a second run changes nothing, and the
 * `--patch` output passes `git apply --check` on a pristine copy and yields byte-identical files.
 * New rules landing on main are covered without touching this file. Then edge cases of the
 * machinery: CRLF, tabs, BOM, two findings on one line, a file changed between scan and apply,
 * conflicting, parse-breaking and ineffective fixes, new files, writes outside the root.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { after, describe, it } from 'node:test';
import { rules } from '../rules/index.js';
import { main } from '../src/cli.js';
import { auditDirectory } from '../src/engine/audit.js';
import { combinedPatch } from '../src/engine/diff.js';
import { kindOf } from '../src/engine/discover.js';
import { decodeSource } from '../src/engine/encoding.js';
import { computeFixes, mapOffset, parseErrors, writeFixes, type FixRun } from '../src/engine/fix.js';
import type { Finding } from '../src/engine/result.js';
import { defineRule, type AnyRule } from '../src/engine/rule.js';
import type { Fix, TextRange } from '../src/engine/types.js';
import { FIXTURE_META, fixedSiblingOf } from './support/markers.js';

const FIXTURES = 'fixtures';
const TMP = mkdtempSync(join(tmpdir(), 'prodaudit-fix-'));
after(() => rmSync(TMP, { recursive: true, force: true }));
let counter = 0;
const subdirs = (dir: string) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : []);

function copyCase(src: string): string {
  const dest = join(TMP, `c${counter++}`);
  cpSync(src, dest, { recursive: true });
  return dest;
}

function writeTree(files: Record<string, string | Buffer>): string {
  const dest = join(TMP, `c${counter++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dest, path)), { recursive: true });
    writeFileSync(join(dest, path), text);
  }
  return dest;
}

/** Every file under a folder (not .git), as bytes. */
function snapshot(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const abs = join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else out.set(relative(root, abs).split(sep).join('/'), readFileSync(abs));
    }
  };
  walk(root);
  return out;
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const label = (f: Finding) => `${f.ruleId} ${f.location.path}:${f.location.startLine} ${f.message}`;
const audit = (root: string, ruleSet: readonly AnyRule[]) => auditDirectory(root, { rules: ruleSet, ignore: FIXTURE_META });
const fixAll = (root: string, ruleSet: readonly AnyRule[]) => computeFixes(root, { rules: ruleSet, ignore: FIXTURE_META }, { unsafe: true });

/** The whole acceptance check for one folder. Returns the run for extra assertions. */
async function sweep(src: string, ruleSet: readonly AnyRule[]): Promise<FixRun | undefined> {
  const before = await audit(src, ruleSet);
  const fixable = before.findings.filter((f) => f.fix);
  if (fixable.length === 0) return undefined;

  const work = copyCase(src);
  const pristine = copyCase(src);
  const run = await fixAll(work, ruleSet);
  assert.deepEqual(run.skipped.map((s) => `${label(s.finding)}: ${s.reason}`), [], 'every fix applies');
  const written = writeFixes(work, run.changes);
  assert.deepEqual(written.refused, []);

  const after = await audit(work, ruleSet);
  // The findings that had fixes are gone (and so is any finding a later pass fixed).
  assert.deepEqual(after.findings.filter((f) => f.fix).map(label), [], 'findings with fixes are gone');
  for (const f of fixable) assert.ok(run.fixed.some((x) => x.fingerprint === f.fingerprint), `fixed: ${label(f)}`);
  // No finding appears that was not there before (same rule, file and message).
  const had = before.findings.map((f) => `${f.ruleId}\0${f.location.path}\0${f.message}`);
  for (const f of after.findings) {
    const k = `${f.ruleId}\0${f.location.path}\0${f.message}`;
    const i = had.indexOf(k);
    assert.ok(i !== -1, `new finding after fixing: ${label(f)}`);
    had.splice(i, 1);
  }
  // Every changed file still parses (no more errors than before), and matches a *.fixed sibling if the case has one.
  for (const c of run.changes) {
    const kind = kindOf(c.path);
    assert.equal(parseErrors(kind, c.path, c.after).length, c.before === undefined ? 0 : parseErrors(kind, c.path, c.before).length, `${c.path} parses after fixing`);
    const golden = join(src, fixedSiblingOf(c.path));
    if (existsSync(golden)) assert.equal(c.after, readFileSync(golden, 'utf8'), `${c.path} equals ${fixedSiblingOf(c.path)}`);
  }
  // Idempotent: a second run changes nothing.
  const again = await fixAll(work, ruleSet);
  assert.deepEqual(again.changes.map((c) => c.path), [], 'a second --fix run changes nothing');

  // The patch applies to a pristine copy and gives the same bytes as --fix.
  const patch = combinedPatch(run.changes);
  assert.deepEqual(patch.omitted, []);
  git(pristine, 'init', '-q');
  writeFileSync(join(TMP, 'last.patch'), patch.text);
  git(pristine, 'apply', '--check', join(TMP, 'last.patch'));
  git(pristine, 'apply', join(TMP, 'last.patch'));
  const a = snapshot(work);
  const b = snapshot(pristine);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [path, bytes] of a) assert.ok(bytes.equals(b.get(path)!), `${path}: patch result differs from --fix`);
  return run;
}

describe('fix sweep: every fixture finding with a fix', () => {
  for (const rule of rules) {
    for (const name of subdirs(join(FIXTURES, rule.meta.id))) {
      it(`${rule.meta.id}/${name}`, async () => {
        await sweep(join(FIXTURES, rule.meta.id, name), [rule]);
      });
    }
  }
  for (const app of subdirs(join(FIXTURES, '_apps'))) {
    it(`_apps/${app} (all rules)`, async () => {
      await sweep(join(FIXTURES, '_apps', app), rules);
    });
  }
});

const debugRule = rules.find((r) => r.meta.id === 'debug-mode-enabled')!;
const FLASK = 'from flask import Flask\n\napp = Flask(__name__)\n';

describe('fix edge cases', () => {
  it('keeps CRLF line endings, inserted lines included', async () => {
    const text = `${FLASK}\nif __name__ == "__main__":\n    app.run(debug=True)\n`.replace(/\n/g, '\r\n');
    const root = writeTree({ 'app.py': text, 'requirements.txt': 'flask\n' });
    const run = await fixAll(root, [debugRule]);
    writeFixes(root, run.changes);
    const out = readFileSync(join(root, 'app.py'), 'utf8');
    assert.match(out, /^import os\r\n/);
    assert.match(out, /app\.run\(debug=os\.environ/);
    assert.equal(out.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
    assert.equal((await audit(root, [debugRule])).findings.length, 0);
  });

  it('keeps tab indentation', async () => {
    const root = writeTree({ 'app.py': `${FLASK}\nif __name__ == "__main__":\n\tif True:\n\t\tapp.run(debug=True)\n`, 'requirements.txt': 'flask\n' });
    const run = await fixAll(root, [debugRule]);
    writeFixes(root, run.changes);
    const out = readFileSync(join(root, 'app.py'), 'utf8');
    assert.match(out, /\n\tif True:\n\t\tapp\.run\(debug=os\.environ\.get\(/);
    assert.equal(parseErrors('python', 'app.py', out).length, 0);
  });

  it('keeps a UTF-8 byte-order mark first and puts imports after it', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const root = writeTree({ 'app.py': Buffer.concat([bom, Buffer.from(`${FLASK}app.run(debug=True)\n`)]), 'requirements.txt': 'flask\n' });
    const run = await fixAll(root, [debugRule]);
    assert.deepEqual(writeFixes(root, run.changes).refused, []);
    const bytes = readFileSync(join(root, 'app.py'));
    assert.ok(bytes.subarray(0, 3).equals(bom), 'BOM still first');
    assert.equal(bytes.indexOf(bom, 3), -1, 'only one BOM');
    assert.match(bytes.subarray(3).toString('utf8'), /^import os\nfrom flask import Flask/);
    assert.equal((await audit(root, [debugRule])).findings.length, 0);
    // and the patch carries the BOM line unchanged
    const pristine = writeTree({ 'app.py': Buffer.concat([bom, Buffer.from(`${FLASK}app.run(debug=True)\n`)]) });
    git(pristine, 'init', '-q');
    writeFileSync(join(TMP, 'bom.patch'), combinedPatch(run.changes).text);
    git(pristine, 'apply', join(TMP, 'bom.patch'));
    assert.ok(readFileSync(join(pristine, 'app.py')).equals(bytes));
  });

  it('keeps UTF-16 files UTF-16 (with their BOM) and leaves them out of patches', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('FLASK_DEBUG=1\n', 'utf16le')]);
    const root = writeTree({ '.env.production': utf16, 'requirements.txt': 'flask\n', 'app.py': FLASK });
    const run = await fixAll(root, [debugRule]);
    assert.deepEqual(writeFixes(root, run.changes).refused, []);
    const out = readFileSync(join(root, '.env.production'));
    assert.deepEqual([out[0], out[1]], [0xff, 0xfe]);
    const d = decodeSource(out);
    assert.ok(!('binary' in d) && d.text === 'FLASK_DEBUG=0\n');
    assert.deepEqual(combinedPatch(run.changes).omitted.map((o) => o.path), ['.env.production']);
  });

  it('fixes two findings on one line, adding the shared import once', async () => {
    const root = writeTree({
      'serve.py': 'from werkzeug.serving import run_simple\nfrom app import app\n\nrun_simple("0.0.0.0", 5000, app, use_debugger=True, use_reloader=True)\n',
      'app.py': FLASK,
      'requirements.txt': 'flask\n',
    });
    const before = await audit(root, [debugRule]);
    assert.equal(before.findings.filter((f) => f.location.path === 'serve.py' && f.location.startLine === 4).length, 2);
    const run = await fixAll(root, [debugRule]);
    assert.equal(run.passes, 1);
    writeFixes(root, run.changes);
    const out = readFileSync(join(root, 'serve.py'), 'utf8');
    assert.equal(out.match(/^import os$/gm)?.length, 1);
    assert.match(out, /use_debugger=os\.environ[^\n]*use_reloader=os\.environ/);
    assert.equal((await audit(root, [debugRule])).findings.length, 0);
  });

  it("follows the file's quote style and PEP 8 blank lines when adding an import", async () => {
    const root = writeTree({
      'config.py': "'''Settings.'''\nclass Config:\n    NAME = 'vault'\n    DEBUG = True\n",
      'app.py': "from flask import Flask\n\napp = Flask('vault')\n",
      'requirements.txt': 'flask\n',
    });
    const run = await fixAll(root, [debugRule]);
    writeFixes(root, run.changes);
    assert.equal(
      readFileSync(join(root, 'config.py'), 'utf8'),
      "'''Settings.'''\n\nimport os\n\n\nclass Config:\n    NAME = 'vault'\n    DEBUG = os.environ.get('FLASK_DEBUG', '').lower() in ('1', 'true')\n",
    );
  });

  it('refuses a file modified between scan and apply, and writes the others', async () => {
    const root = writeTree({ 'app.py': `${FLASK}app.run(debug=True)\n`, '.env.production': 'FLASK_DEBUG=1\n', 'requirements.txt': 'flask\n' });
    const run = await fixAll(root, [debugRule]);
    writeFileSync(join(root, 'app.py'), `${FLASK}# edited meanwhile\napp.run(debug=True)\n`);
    const result = writeFixes(root, run.changes);
    assert.deepEqual(result.refused.map((r) => r.path), ['app.py']);
    assert.match(result.refused[0]!.reason, /changed since it was audited/);
    assert.equal(readFileSync(join(root, 'app.py'), 'utf8'), `${FLASK}# edited meanwhile\napp.run(debug=True)\n`);
    assert.equal(readFileSync(join(root, '.env.production'), 'utf8'), 'FLASK_DEBUG=0\n');
  });

  it('writes atomically and keeps the file mode', async () => {
    const root = writeTree({ 'app.py': `#!/usr/bin/env python\n${FLASK}app.run(debug=True)\n`, 'requirements.txt': 'flask\n' });
    chmodSync(join(root, 'app.py'), 0o751);
    const run = await fixAll(root, [debugRule]);
    writeFixes(root, run.changes);
    assert.equal(statSync(join(root, 'app.py')).mode & 0o777, 0o751);
    assert.deepEqual(readdirSync(root).filter((n) => n.includes('.tmp')), [], 'no temp files left');
    assert.match(readFileSync(join(root, 'app.py'), 'utf8'), /^#!\/usr\/bin\/env python\nimport os\n/, 'the shebang stays first');
  });

  it('documents introduced variables in .env.example once, without duplicating existing ones', async () => {
    const root = writeTree({
      'app.py': `${FLASK}app.run(debug=True)\n`,
      'other.py': `${FLASK}app.run(debug=True)\n`,
      '.env.example': 'DATABASE_URL=postgresql://localhost/app',
      'requirements.txt': 'flask\n',
    });
    const run = await fixAll(root, [debugRule]);
    writeFixes(root, run.changes);
    assert.equal(readFileSync(join(root, '.env.example'), 'utf8'), 'DATABASE_URL=postgresql://localhost/app\n\n# Set to 1 only on development machines: enables the Werkzeug debugger.\nFLASK_DEBUG=\n');
    const again = await fixAll(root, [debugRule]);
    assert.deepEqual(again.changes, []);
  });
});

/** A test rule: reports `at` with `fix` for each match of `pattern` in *.py files. */
function probeRule(id: string, make: (m: RegExpExecArray, text: string) => { at: TextRange; fix: Fix } | undefined, pattern: RegExp): AnyRule {
  return defineRule({
    meta: {
      id,
      title: id,
      category: 'configuration',
      severity: 'low',
      confidence: 'high',
      fixable: 'always',
      effort: 'minutes',
      messages: { m: 'probe' },
      docs: { why: 'test', fix: 'test', references: [] },
    },
    check: {
      python(ctx) {
        for (const m of ctx.text.matchAll(new RegExp(pattern.source, 'g'))) {
          const r = make(m as RegExpExecArray, ctx.text);
          if (r) ctx.report({ messageId: 'm', ...r });
        }
      },
    },
  });
}

describe('fix machinery', () => {
  const at = (m: RegExpExecArray) => ({ start: m.index, end: m.index + m[0].length });

  it('does not write a fix that breaks the parse, and says so', async () => {
    const rule = probeRule('probe-break', (m) => ({ at: at(m), fix: { title: 'break', applicability: 'safe', edits: [{ ...at(m), text: 'X = (' }] } }), /BAD = 1/);
    const root = writeTree({ 'a.py': 'BAD = 1\nOK = 2\n' });
    const run = await computeFixes(root, { rules: [rule] });
    assert.deepEqual(run.changes, []);
    assert.equal(run.skipped.length, 1);
    assert.match(run.skipped[0]!.reason, /would not parse/);
  });

  it('does not write a fix that leaves its finding', async () => {
    const rule = probeRule('probe-noop', (m) => ({ at: at(m), fix: { title: 'noop', applicability: 'safe', edits: [{ ...at(m), text: 'BAD  =  1' }] } }), /BAD\s*=\s*1/);
    const root = writeTree({ 'a.py': 'BAD = 1\n' });
    const run = await computeFixes(root, { rules: [rule] });
    assert.deepEqual(run.changes, []);
    assert.match(run.skipped[0]?.reason ?? '', /did not remove the finding/);
  });

  it('skips an overlapping fix, then applies it in the next pass', async () => {
    // Two rules fix the same span differently; the second one's fix is retried on the new text.
    const a = probeRule('probe-a', (m) => ({ at: at(m), fix: { title: 'a', applicability: 'safe', edits: [{ ...at(m), text: 'X = 2' }] } }), /X = 1/);
    const b = probeRule('probe-b', (m) => ({ at: at(m), fix: { title: 'b', applicability: 'safe', edits: [{ ...at(m), text: 'X = 3' }] } }), /X = [12]/);
    const root = writeTree({ 'a.py': 'X = 1\n' });
    const run = await computeFixes(root, { rules: [a, b] });
    assert.equal(run.passes, 2);
    assert.equal(run.changes[0]?.after, 'X = 3\n');
    assert.deepEqual(run.skipped, []);
  });

  it('applies safe fixes only unless unsafe ones are asked for', async () => {
    const rule = probeRule('probe-unsafe', (m) => ({ at: at(m), fix: { title: 'u', applicability: 'unsafe', edits: [{ ...at(m), text: 'X = 0' }] } }), /X = 1/);
    const root = writeTree({ 'a.py': 'X = 1\n' });
    assert.deepEqual((await computeFixes(root, { rules: [rule] })).changes, []);
    assert.equal((await computeFixes(root, { rules: [rule] }, { unsafe: true })).changes[0]?.after, 'X = 0\n');
  });

  it('creates new files, never overwrites one, and never writes outside the root', async () => {
    const mk = (path: string) =>
      probeRule(`probe-new-${path.replace(/\W/g, '')}`, (m) => ({ at: at(m), fix: { title: 'new', applicability: 'safe', edits: [], newFiles: [{ path, text: 'made\n' }] } }), /NEED/);
    const root = writeTree({ 'a.py': 'NEED = 1\n', 'exists.txt': 'keep\n' });
    // reports until its file exists: the re-audit sees the new file through the overlay
    const creates = defineRule({
      ...mk('docs/new.txt'),
      check: {
        python(ctx) {
          if (!ctx.project.fileSet.has('docs/new.txt')) ctx.report({ messageId: 'm', at: { start: 0, end: 4 }, fix: { title: 'new', applicability: 'safe', edits: [], newFiles: [{ path: 'docs/new.txt', text: 'made\n' }] } });
        },
      },
    });
    const run = await computeFixes(root, { rules: [creates] });
    assert.deepEqual(run.changes.map((c) => [c.path, c.before, c.after]), [['docs/new.txt', undefined, 'made\n']]);
    writeFixes(root, run.changes);
    assert.equal(readFileSync(join(root, 'docs/new.txt'), 'utf8'), 'made\n');
    assert.match(combinedPatch(run.changes).text, /^--- \/dev\/null\n\+\+\+ b\/docs\/new\.txt\n/);

    const overwrite = await computeFixes(root, { rules: [mk('exists.txt')] });
    assert.deepEqual(overwrite.changes, []);
    assert.match(overwrite.skipped[0]?.reason ?? '', /never overwrites/);
    const escape = await computeFixes(root, { rules: [mk('../escape.txt')] });
    assert.deepEqual(escape.changes, []);
    assert.match(escape.skipped[0]?.reason ?? '', /outside the audited root/);
    assert.equal(existsSync(join(root, '..', 'escape.txt')), false);
    assert.deepEqual(writeFixes(root, [{ path: '../escape.txt', before: undefined, after: 'x', encoding: 'utf8', hash: undefined }]).written, []);
  });

  it('maps offsets through edits', () => {
    const edits = [{ start: 0, end: 0, text: 'import os\n' }, { start: 10, end: 14, text: 'os.environ.get("X")' }];
    assert.equal(mapOffset(5, edits, false), 15);
    assert.equal(mapOffset(10, edits, false), 20);
    assert.equal(mapOffset(12, edits, false), 20);
    assert.equal(mapOffset(12, edits, true), 39);
    assert.equal(mapOffset(20, edits, false), 45);
  });
});

const capture = async (...argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'prodaudit', ...argv], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
};

describe('seed replica: flask-file-vault', () => {
  const src = join(FIXTURES, '_apps', 'flask-file-vault');
  it('prodaudit fix --unsafe-fixes raises its score', { skip: !existsSync(src) }, async (t) => {
    const root = copyCase(src);
    const before = await audit(root, rules);
    const { code, stdout } = await capture('fix', '--unsafe-fixes', '--ignore', 'expect.yaml', root);
    assert.equal(code, 0);
    assert.match(stdout, /Fixes: [1-9]\d* findings? fixed/);
    const after = await audit(root, rules);
    assert.ok(before.score !== null && after.score !== null && after.score > before.score, `score ${before.score} -> ${after.score}`);
    assert.ok(after.grade <= before.grade, `grade ${before.grade} -> ${after.grade}`);
    assert.deepEqual(after.findings.filter((f) => f.fix).map(label), [], 'nothing fixable is left');
    const had = new Set(before.findings.map((f) => `${f.ruleId} ${f.location.path} ${f.message}`));
    for (const f of after.findings) assert.ok(had.has(`${f.ruleId} ${f.location.path} ${f.message}`), `new finding: ${label(f)}`);
    t.diagnostic(`flask-file-vault: score ${before.score} (${before.grade}) -> ${after.score} (${after.grade}); fixed ${before.findings.length - after.findings.length} of ${before.findings.length}`);
    for (const f of after.findings) t.diagnostic(`remaining: ${f.severity} ${label(f)}`);
  });
});

describe('fix CLI', () => {
  const app = () => writeTree({ 'app.py': `${FLASK}app.run(debug=True)\n`, '.env.production': 'FLASK_DEBUG=1\n', 'requirements.txt': 'flask\n' });

  it('--diff prints a patch and writes nothing', async () => {
    const root = app();
    const { code, stdout, stderr } = await capture('--diff', '--unsafe-fixes', '--only', 'debug-mode-enabled', root);
    assert.equal(code, 0);
    assert.match(stdout, /^--- a\/\.env\.production\n\+\+\+ b\/\.env\.production\n/m);
    assert.match(stdout, /^\+import os$/m);
    assert.match(stderr, /2 findings fixable now \(3 files to change\); nothing was written/);
    assert.equal(readFileSync(join(root, 'app.py'), 'utf8'), `${FLASK}app.run(debug=True)\n`);
  });

  it('--fix applies safe fixes and names the flag for the unsafe rest; fix --unsafe-fixes applies them', async () => {
    const root = app();
    const safe = await capture('--fix', '--only', 'debug-mode-enabled', '--no-color', root);
    assert.match(safe.stdout, /Fixes: 1 finding fixed \(1 file changed\)/);
    assert.match(safe.stdout, /1 finding has an unsafe fix not applied: review them, then add --unsafe-fixes/);
    assert.equal(readFileSync(join(root, '.env.production'), 'utf8'), 'FLASK_DEBUG=0\n');
    const all = await capture('fix', '--unsafe-fixes', '--only', 'debug-mode-enabled', root);
    assert.match(all.stdout, /Fixes: 1 finding fixed \(2 files changed\)/);
    assert.match(all.stdout, /0 findings need a human/);
    assert.match(readFileSync(join(root, 'app.py'), 'utf8'), /^import os\n/);
  });

  it('--patch writes one patch that git apply accepts, and leaves the files alone', async () => {
    const root = app();
    const out = join(TMP, `cli-${counter++}.patch`);
    const { code, stderr } = await capture('--patch', out, '--unsafe-fixes', '--only', 'debug-mode-enabled', '--format', 'json', root);
    assert.equal(code, 0);
    assert.match(stderr, /Patch written to/);
    assert.equal(readFileSync(join(root, 'app.py'), 'utf8'), `${FLASK}app.run(debug=True)\n`);
    git(root, 'init', '-q');
    git(root, 'apply', out);
    assert.match(readFileSync(join(root, 'app.py'), 'utf8'), /debug=os\.environ/);
  });
});
