/**
 * Hostile and broken input (issue 7): every case below is planted next to a small Flask app with
 * one real finding (`app.run(debug=True)`), so each test checks three things at once: the bad file
 * gives a diagnostic (or, when the input is valid, is audited correctly), the rest of the scan goes
 * on (the planted finding is still reported), and nothing throws. Then filesystem boundaries
 * (symlinks out of the root, loops, `..` in config paths) and the `--strict` exit code.
 * Large inputs are generated in temp folders, never committed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rules } from '../rules/index.js';
import { main } from '../src/cli.js';
import { ConfigError, parseConfig } from '../src/config/load.js';
import { auditDirectory } from '../src/engine/audit.js';
import type { AuditResult } from '../src/engine/result.js';
import { readSource } from '../src/engine/source.js';

const TMP = mkdtempSync(join(tmpdir(), 'prodaudit-robust-'));
after(() => rmSync(TMP, { recursive: true, force: true }));
let counter = 0;

const APP = "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(debug=True)\n";

function tree(files: Record<string, string | Buffer>): string {
  const dest = join(TMP, `t${counter++}`);
  mkdirSync(dest, { recursive: true });
  const all: Record<string, string | Buffer> = { 'requirements.txt': 'flask==3.0.0\n', 'app.py': APP, ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dest, path)), { recursive: true });
    writeFileSync(join(dest, path), text);
  }
  return dest;
}

const audit = (root: string, extra: Partial<Parameters<typeof auditDirectory>[1]> = {}) => auditDirectory(root, { rules, ...extra });

/** The planted finding survived and no rule crashed. */
function scanWentOn(r: AuditResult): void {
  assert.ok(
    r.findings.some((f) => f.ruleId === 'debug-mode-enabled' && f.location.path === 'app.py'),
    `the rest of the scan must go on; findings: ${r.findings.map((f) => `${f.ruleId}@${f.location.path}`).join(', ')}`,
  );
  const errors = r.outcomes.filter((o) => o.status === 'error');
  assert.deepEqual(errors.map((o) => `${o.ruleId}: ${o.error}`), []);
}

function diag(r: AuditResult, path: string, pattern: RegExp): void {
  const mine = r.diagnostics.filter((d) => d.path === path);
  assert.ok(mine.some((d) => pattern.test(d.message)), `expected a diagnostic on ${path} matching ${pattern}; got ${JSON.stringify(r.diagnostics)}`);
}

describe('hostile and broken input', () => {
  it('binary content with a source extension is skipped with a diagnostic', async () => {
    const r = await audit(tree({ 'blob.py': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0xff, 0xfe, 0, 0]), 'img.js': Buffer.alloc(4096, 0) }));
    diag(r, 'blob.py', /binary/);
    diag(r, 'img.js', /binary/);
    scanWentOn(r);
  });

  it('invalid UTF-8 is replaced, reported, and the file is still audited', async () => {
    const bad = Buffer.concat([Buffer.from('from flask import Flask\nx = "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"\napp = Flask(__name__)\napp.run(debug=True)\n')]);
    const r = await audit(tree({ 'svc/bad.py': bad }));
    diag(r, 'svc/bad.py', /not valid UTF-8/);
    assert.ok(r.findings.some((f) => f.location.path === 'svc/bad.py' && f.location.startLine === 4), 'the lossy-decoded file is audited at the right line');
    scanWentOn(r);
  });

  it('UTF-16 with a BOM, CRLF and mixed line endings are decoded and located exactly', async () => {
    const body = "from flask import Flask\r\napp = Flask(__name__)\r\n\r\napp.run(debug=True)\r\n";
    const r = await audit(
      tree({
        'u16le.py': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]),
        'u16be.py': (() => {
          const b = Buffer.from(body, 'utf16le');
          b.swap16();
          return Buffer.concat([Buffer.from([0xfe, 0xff]), b]);
        })(),
        'crlf.py': body,
        'mixed.py': 'from flask import Flask\r\napp = Flask(__name__)\n\r\nprint(1)\napp.run(debug=True)\r\n',
      }),
    );
    for (const [path, line] of [['u16le.py', 4], ['u16be.py', 4], ['crlf.py', 4], ['mixed.py', 5]] as const) {
      const f = r.findings.find((x) => x.location.path === path && x.ruleId === 'debug-mode-enabled');
      assert.ok(f, `${path} is audited`);
      assert.equal(f.location.startLine, line, `${path}: line`);
    }
    scanWentOn(r);
  });

  it('a 20 MB minified bundle is skipped with a diagnostic, fast', async () => {
    const chunk = 'var a=function(b){return b&&b.c?b.d(b):null};';
    const big = chunk.repeat(Math.ceil((20 * 1024 * 1024) / chunk.length));
    const t0 = performance.now();
    const r = await audit(tree({ 'static/bundle.js': big }));
    diag(r, 'static/bundle.js', /over the .* MB limit/);
    scanWentOn(r);
    assert.ok(performance.now() - t0 < 60_000);
  });

  it('a 1 MB single line is audited; its snippet is bounded', async () => {
    const line = `app.run(debug=True); x = "${'a'.repeat(1024 * 1024)}"\n`;
    const r = await audit(tree({ 'one.py': `from flask import Flask\napp = Flask(__name__)\n${line}`, 'one.js': `const s = "${'b'.repeat(1024 * 1024)}";\n` }));
    const f = r.findings.find((x) => x.location.path === 'one.py');
    assert.ok(f, 'the long line is audited');
    assert.ok(f.snippet.length <= 240, 'snippet is bounded');
    scanWentOn(r);
  });

  it('5,000-deep nesting in Python, JS, JSON and YAML neither crashes nor hangs', async () => {
    const n = 5000;
    const r = await audit(
      tree({
        'deep.py': `x = ${'['.repeat(n)}${']'.repeat(n)}\ny = ${'('.repeat(n)}1${')'.repeat(n)}\n`,
        'deep.js': `const x = ${'['.repeat(n)}${']'.repeat(n)};\nconst y = ${'{a:'.repeat(n)}1${'}'.repeat(n)};\nfunction f(){${'if(a){'.repeat(n)}${'}'.repeat(n)}}\n`,
        'deep.json': `${'['.repeat(n)}${']'.repeat(n)}`,
        'deep.yaml': `a: ${'['.repeat(n)}${']'.repeat(n)}\n`,
      }),
    );
    scanWentOn(r);
  });

  it('empty files of every kind are fine', async () => {
    const r = await audit(tree({ 'empty.py': '', 'empty.js': '', 'e/empty.json': '', 'empty.yaml': '', '.env': '', Dockerfile: '', 'e/package.json': '', 'e/pyproject.toml': '' }));
    scanWentOn(r);
  });

  it('unreadable files give a diagnostic (run as an unprivileged user when the tests run as root)', async (t) => {
    const root = tree({ 'secret.py': 'x = 1\n', 'locked.json': '{}' });
    chmodSync(root, 0o755);
    for (const d of [TMP, root]) chmodSync(d, 0o755);
    chmodSync(join(root, 'secret.py'), 0o000);
    chmodSync(join(root, 'locked.json'), 0o000);
    let r: AuditResult;
    if (process.getuid?.() === 0) {
      // root reads through chmod 000: audit from a child process that drops to `nobody` first.
      const here = dirname(fileURLToPath(import.meta.url));
      const script = `process.setgid(65534); process.setuid(65534);
        const { auditDirectory } = await import(${JSON.stringify(resolve(here, '../src/engine/audit.js'))});
        const { rules } = await import(${JSON.stringify(resolve(here, '../rules/index.js'))});
        process.stdout.write(JSON.stringify(await auditDirectory(${JSON.stringify(root)}, { rules })));`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (child.status !== 0) {
        t.skip(`running as root and cannot drop privileges here (${child.stderr.split('\n').find((l) => l.includes('Error')) ?? child.status}); chmod does not block root`);
        return;
      }
      r = JSON.parse(child.stdout) as AuditResult;
    } else r = await audit(root);
    diag(r, 'secret.py', /cannot read file \(EACCES\)/);
    diag(r, 'locked.json', /cannot read file \(EACCES\)/);
    scanWentOn(r);
  });

  it('a directory named like a file is a folder: what is inside is audited, nothing is read as a file', async () => {
    const r = await audit(tree({ 'svc.py/inner.py': 'from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n', 'conf.json/x.yaml': 'a: 1\n' }));
    assert.ok(r.findings.some((f) => f.location.path === 'svc.py/inner.py'));
    assert.ok(!r.diagnostics.some((d) => d.path === 'svc.py' || d.path === 'conf.json'), JSON.stringify(r.diagnostics));
    scanWentOn(r);
  });

  it('files vanishing during the scan give a diagnostic', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`gone/m${i}.py`] = 'from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n';
    const root = tree(files);
    let removed = false;
    const r = await audit(root, {
      onProgress: () => {
        if (removed) return;
        removed = true;
        for (const f of readdirSync(join(root, 'gone'))) unlinkSync(join(root, 'gone', f));
      },
    });
    scanWentOn(r);
    // The reader every thread uses: a listed file that is gone when it is read is a diagnostic.
    const gone = readSource(root, 'gone/m7.py', false);
    assert.equal(gone.text, undefined);
    assert.match(gone.diagnostics[0]?.message ?? '', /vanished/);
  });

  it('a YAML alias bomb is an error, not a hang or an out-of-memory', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const bomb = `${lines.join('\n')}\n`;
    const t0 = performance.now();
    const r = await audit(tree({ 'docker-compose.yml': `services:\n  web:\n    image: x\n${bomb.replace(/^/gm, '# ')}`, 'bomb.yaml': bomb, '.github/workflows/ci.yml': bomb, 'pnpm-lock.yaml': bomb }));
    assert.ok(performance.now() - t0 < 60_000);
    scanWentOn(r);
  });

  it('duplicate keys are tolerated (last one wins) and reported where they hide a value', async () => {
    const r = await audit(
      tree({
        'docker-compose.yml': 'services:\n  web:\n    image: a\n    image: b\n    environment:\n      DEBUG: "1"\n      DEBUG: "0"\n',
        'conf.json': '{"a": 1, "a": 2}',
        'web/package.json': '{"name": "x", "name": "y", "dependencies": {"express": "4.0.0"}, "dependencies": {}}',
      }),
    );
    scanWentOn(r);
  });

  it('malformed package.json and pyproject.toml give a diagnostic and the scan goes on', async () => {
    const r = await audit(tree({ 'web/package.json': '{"name": "x", "dependencies": {"express": ', 'py/pyproject.toml': '[project\nname = "x"\ndependencies = ["flask>=',
      'js/package.json': '[1, 2, 3]' }));
    diag(r, 'web/package.json', /not valid JSON/);
    assert.ok(r.diagnostics.some((d) => d.path === 'py/pyproject.toml'), JSON.stringify(r.diagnostics));
    scanWentOn(r);
  });

  it('a rule that overruns the per-file time budget is stopped for that file with a diagnostic', async () => {
    const slow = { ...rules[0]!, meta: { ...rules[0]!.meta, id: 'zz-slow', triggers: undefined }, check: { python: (ctx: { path: string }) => { if (ctx.path !== 'slow.py') return; const t = Date.now(); while (Date.now() - t < 60); } } };
    process.env.PRODAUDIT_FILE_BUDGET_MS = '50';
    let r: AuditResult;
    try {
      r = await auditDirectory(tree({ 'slow.py': APP }), { rules: [slow as (typeof rules)[number], ...rules] });
    } finally {
      delete process.env.PRODAUDIT_FILE_BUDGET_MS;
    }
    assert.ok(r.diagnostics.some((d) => /budget/.test(d.message)), JSON.stringify(r.diagnostics));
    scanWentOn(r);
  });
});

describe('filesystem boundaries', () => {
  it('symlinks out of the root are not followed; loops terminate', async () => {
    const outside = join(TMP, `outside${counter++}`);
    mkdirSync(join(outside, 'pkg'), { recursive: true });
    writeFileSync(join(outside, 'leak.py'), 'from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n');
    writeFileSync(join(outside, 'pkg', 'leak2.py'), 'from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n');
    const root = tree({ 'sub/real.py': 'x = 1\n' });
    symlinkSync(join(outside, 'leak.py'), join(root, 'link.py'));
    symlinkSync(join(outside, 'pkg'), join(root, 'linkdir'));
    symlinkSync(root, join(root, 'sub', 'loop'));
    symlinkSync(join(root, 'sub', 'a'), join(root, 'sub', 'b'));
    symlinkSync(join(root, 'sub', 'b'), join(root, 'sub', 'a'));
    const r = await audit(root);
    assert.ok(!r.findings.some((f) => /link|leak|loop/.test(f.location.path)), JSON.stringify(r.findings.map((f) => f.location.path)));
    diag(r, 'link.py', /outside the audited root/);
    scanWentOn(r);
  });

  it('`..` and absolute paths in config paths are refused', () => {
    for (const yaml of ['baseline: ../../etc/baseline.json', 'baseline: /etc/passwd', 'ignore: ["../other"]', 'apps:\n  ../x:\n    rules: {}', 'apps:\n  x:\n    ignore: ["a/../../b"]']) {
      assert.throws(() => parseConfig(yaml, '.prodaudit.yml'), (e: unknown) => e instanceof ConfigError && /outside|\.\./.test(e.message), yaml);
    }
    assert.doesNotThrow(() => parseConfig('baseline: ci/baseline.json\nignore: ["docs/", "*.gen.py", "!keep.py"]\n', '.prodaudit.yml'));
  });
});

describe('--strict', () => {
  it('diagnostics leave the exit code alone unless --strict', async () => {
    const root = tree({ 'blob.py': Buffer.from([0, 1, 2, 0]) });
    const io = { stdout: () => {}, stderr: () => {} };
    assert.equal(await main(['node', 'prodaudit', 'audit', root, '--format', 'json'], io), 0);
    let err = '';
    assert.equal(await main(['node', 'prodaudit', 'audit', root, '--format', 'json', '--strict'], { stdout: () => {}, stderr: (s) => void (err += s) }), 1);
    assert.match(err, /diagnostic/);
    const clean = tree({});
    assert.equal(await main(['node', 'prodaudit', 'audit', clean, '--format', 'json', '--strict'], io), 0);
  });
});
