/** Suppressions (--require-reasons, --report-unused), baselines (round trip), --changed-since in a real git repo. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyChangedSince, type ChangedLines } from '../src/ci/changed.js';
import { parseSuppressions } from '../src/engine/suppress.js';
import type { AuditResult } from '../src/engine/result.js';
import { cli, git, tempCopy } from './support/ci.js';

const APP = 'test/data/ci-app';
const json = (stdout: string) => JSON.parse(stdout) as AuditResult;

function edit(file: string, fn: (text: string) => string): void {
  writeFileSync(file, fn(readFileSync(file, 'utf8')));
}

describe('inline suppressions', () => {
  function suppressedCopy(): string {
    const dir = tempCopy(APP);
    edit(join(dir, 'app.py'), (t) =>
      t
        .replace('app = Flask(__name__)', '# prodaudit-ignore debug-mode-enabled: nothing to suppress here\napp = Flask(__name__)')
        .replace('    app.run(host="0.0.0.0", debug=True)', '    # prodaudit-ignore debug-mode-enabled: local development entry point only\n    app.run(host="0.0.0.0", debug=True)')
        .replace('def index():', 'def index():  # prodaudit-ignore no-such-rule: typo'),
    );
    edit(join(dir, '.env.production'), (t) => `# prodaudit-ignore debug-mode-enabled\n${t}`);
    // A directive for a rule that does not run with --only is not "unused".
    edit(join(dir, 'docker-compose.yml'), (t) => `# prodaudit-ignore-file sql-injection: no SQL here\n${t}`);
    return dir;
  }
  const run = (dir: string, ...flags: string[]) => cli([dir, '--only', 'debug-mode-enabled', '--format', 'json', ...flags]);

  it('a directive on the line above (with or without reason) suppresses; the rest stays', () => {
    const r = json(run(suppressedCopy()).stdout);
    assert.deepEqual(r.findings.map((f) => `${f.location.path}:${f.location.startLine}`), ['docker-compose.yml:6']);
    assert.equal(r.suppressed, 2);
  });

  it('--require-reasons: a directive without a reason suppresses nothing and fails the gate', () => {
    const out = run(suppressedCopy(), '--require-reasons');
    assert.equal(out.code, 1);
    assert.match(out.stderr, /1 suppression problem/);
    const r = json(out.stdout);
    assert.deepEqual(r.findings.map((f) => `${f.location.path}:${f.location.startLine}`).sort(), ['.env.production:2', 'docker-compose.yml:6']);
    assert.deepEqual(r.suppressionProblems?.map((p) => `${p.kind} ${p.path}:${p.line}`), ['missingReason .env.production:1']);
  });

  it('--report-unused: directives that suppress nothing, and unknown rule ids, are reported', () => {
    const out = run(suppressedCopy(), '--report-unused');
    assert.equal(out.code, 1);
    const r = json(out.stdout);
    assert.deepEqual(r.suppressionProblems?.map((p) => `${p.kind} ${p.path}:${p.line}`), ['unused app.py:5', 'unknownRule app.py:16']);
    // Without the flag the same run passes (no gate set) and lists no problems.
    const plain = run(suppressedCopy());
    assert.equal(plain.code, 0);
    assert.equal(json(plain.stdout).suppressionProblems, undefined);
  });

  it('config can turn both on', () => {
    const dir = suppressedCopy();
    writeFileSync(join(dir, '.prodaudit.yml'), 'suppressions:\n  requireReasons: true\n  reportUnused: true\n');
    const r = json(run(dir).stdout);
    assert.deepEqual(r.suppressionProblems?.map((p) => p.kind).sort(), ['missingReason', 'unknownRule', 'unused']);
  });

  it('parses every comment syntax and both placements', () => {
    const js = parseSuppressions('const a = 1;\n// prodaudit-ignore cors-wildcard, weak-secret-key: reviewed\napp.use(cors());\nfoo(); // prodaudit-ignore all\n');
    assert.deepEqual(js.map((s) => [s.line, s.covers, s.rules, s.reason]), [
      [2, [2, 3], ['cors-wildcard', 'weak-secret-key'], 'reviewed'],
      [4, [4], ['all'], ''],
    ]);
    const yaml = parseSuppressions('services:\n  # prodaudit-ignore: debug-mode-enabled -- staging only\n  # another comment\n  DEBUG: "1"\n');
    assert.deepEqual(yaml.map((s) => [s.covers, s.rules, s.reason]), [[[2, 4], ['debug-mode-enabled'], 'staging only']]);
    const file = parseSuppressions('# prodaudit-ignore-file default-credentials: demo data\nFROM python:3.12\n');
    assert.equal(file[0]?.file, true);
  });
});

describe('baseline', () => {
  const APP_PY = `import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]


def create_worker():
    worker = Flask("worker")
    worker.debug = True
    return worker


@app.route("/")
def index():
    return "ok"


if __name__ == "__main__":
    app.run(debug=True)
`;

  function project(): string {
    const dir = mkdtempSync(join(tmpdir(), 'prodaudit-baseline-'));
    writeFileSync(join(dir, 'app.py'), APP_PY);
    writeFileSync(join(dir, 'requirements.txt'), 'flask==3.0.3\ngunicorn==22.0.0\n');
    return dir;
  }

  it('round trip: baseline, unrelated edits, a moved function, one new problem: exactly one new finding fails the gate', () => {
    const dir = project();
    const first = cli([dir, '--format', 'json']);
    const before = json(first.stdout);
    assert.ok(before.findings.length >= 2, 'the project starts with findings');

    const b = cli(['baseline', dir]);
    assert.equal(b.code, 0, b.stderr);
    const file = join(dir, '.prodaudit-baseline.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.findings.length, before.findings.length);
    assert.equal(cli(['baseline', dir]).code, 0);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), saved, 'same tree, same baseline bytes');

    // Gate passes on the baseline as it is.
    const clean = cli([dir, '--baseline', file, '--fail-on', 'low', '--format', 'json']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(json(clean.stdout).findings.length, 0);

    // Unrelated edits (lines shift), and create_worker moved below index().
    const worker = 'def create_worker():\n    worker = Flask("worker")\n    worker.debug = True\n    return worker\n\n\n';
    let text = APP_PY.replace(worker, '');
    text = text.replace('    return "ok"\n', `    return "ok, and welcome"\n\n\n${worker.trimEnd()}\n`);
    text = `"""Shop backend."""\nimport logging\n${text}`.replace('app = Flask(__name__)', 'app = Flask(__name__)\nlog = logging.getLogger(__name__)');
    writeFileSync(join(dir, 'app.py'), text);
    const moved = cli([dir, '--baseline', file, '--fail-on', 'low', '--format', 'json']);
    assert.equal(moved.code, 0, `fingerprints survive moves and edits: ${moved.stdout}`);
    assert.deepEqual(json(moved.stdout).baseline?.fixed, []);

    // One new problem, in code only one rule reports (a committed .env file would also be dotenv-committed).
    const withNew = `${text}\napp.config["DEBUG"] = True\n`;
    writeFileSync(join(dir, 'app.py'), withNew);
    const newLine = withNew.split('\n').indexOf('app.config["DEBUG"] = True') + 1;
    const after = cli([dir, '--baseline', file, '--fail-on', 'low', '--format', 'json']);
    assert.equal(after.code, 1);
    const r = json(after.stdout);
    assert.deepEqual(r.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine}`), [`debug-mode-enabled app.py:${newLine}`]);
    assert.equal(r.baseline?.unchanged, before.findings.length);
    assert.match(after.stderr, /gate failed: 1 new finding at or above low/);

    // Fixing a baselined problem lists it as fixed.
    writeFileSync(join(dir, 'app.py'), text.replace('    worker.debug = True\n', ''));
    const fixed = json(cli([dir, '--baseline', file, '--format', 'json']).stdout);
    assert.deepEqual(fixed.baseline?.fixed.map((f) => f.path), ['app.py']);
  });

  it('--fail-on-regression compares with the baseline score; a bad baseline file is exit 2', () => {
    const dir = project();
    writeFileSync(join(dir, 'app.py'), APP_PY.replace('    worker.debug = True\n', '').replace('app.run(debug=True)', 'app.run()'));
    assert.equal(cli([dir, '--update-baseline', join(dir, 'base.json')]).code, 0);
    assert.equal(cli([dir, '--baseline', join(dir, 'base.json'), '--fail-on-regression']).code, 0);
    writeFileSync(join(dir, 'app.py'), APP_PY);
    const worse = cli([dir, '--baseline', join(dir, 'base.json'), '--fail-on-regression']);
    assert.equal(worse.code, 1);
    assert.match(worse.stderr, /score \d+ dropped below the baseline's \d+/);
    writeFileSync(join(dir, 'bad.json'), '{"version": 2}');
    const bad = cli([dir, '--baseline', join(dir, 'bad.json')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a prodaudit baseline/);
    assert.equal(cli([dir, '--baseline', join(dir, 'missing.json')]).code, 2);
  });
});

describe('--changed-since', () => {
  it('reports only findings on changed files and lines, in a temp git repo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodaudit-git-'));
    git(dir, 'init', '-q');
    writeFileSync(join(dir, 'requirements.txt'), 'flask==3.0.3\n');
    writeFileSync(join(dir, 'app.py'), 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/")\ndef index():\n    return "ok"\n\n\nif __name__ == "__main__":\n    app.run(debug=True)\n');
    writeFileSync(join(dir, 'worker.py'), 'from flask import Flask\n\nworker = Flask("worker")\nworker.debug = True\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    const base = git(dir, 'rev-parse', 'HEAD').trim();

    // Committed change: an unrelated line in app.py. Uncommitted: a new problem in worker.py. Untracked: .env.production.
    edit(join(dir, 'app.py'), (t) => t.replace('return "ok"', 'return "hello"'));
    git(dir, 'commit', '-qam', 'copy change');
    edit(join(dir, 'worker.py'), (t) => `${t}worker.config["DEBUG"] = True\n`);
    writeFileSync(join(dir, '.env.production'), 'FLASK_DEBUG=1\n');

    const all = json(cli([dir, '--only', 'debug-mode-enabled', '--format', 'json']).stdout);
    const where = (r: AuditResult) => r.findings.map((f) => `${f.location.path}:${f.location.startLine}`).sort();
    assert.deepEqual(where(all), ['.env.production:1', 'app.py:12', 'worker.py:4', 'worker.py:5']);

    const out = cli([dir, '--only', 'debug-mode-enabled', '--format', 'json', '--changed-since', base, '--fail-on', 'high']);
    const changed = json(out.stdout);
    assert.deepEqual(where(changed), ['.env.production:1', 'worker.py:5']);
    assert.equal(changed.changedSince?.hidden, 2);
    assert.equal(out.code, 1);

    // Only the committed copy change since HEAD~1 plus the working tree: app.py:12 still untouched.
    assert.deepEqual(where(json(cli([dir, '--only', 'debug-mode-enabled', '--format', 'json', '--changed-since', 'HEAD']).stdout)), ['.env.production:1', 'worker.py:5']);

    const bad = cli([dir, '--changed-since', 'no-such-ref']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /git rev-parse failed/);
  });

  it('project-level findings are kept once; line findings need a changed line', () => {
    const base = { ruleId: 'r', title: 't', severity: 'high' as const, confidence: 'high' as const, category: 'operations' as const, message: 'm', snippet: '', fingerprint: 'f', app: '' };
    const result = {
      findings: [
        { ...base, projectLevel: true, location: { path: 'app.py', startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 } },
        { ...base, projectLevel: false, location: { path: 'app.py', startLine: 3, startColumn: 1, endLine: 5, endColumn: 1 } },
        { ...base, projectLevel: false, location: { path: 'app.py', startLine: 9, startColumn: 1, endLine: 9, endColumn: 1 } },
        { ...base, projectLevel: false, location: { path: 'other.py', startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 } },
      ],
    } as unknown as AuditResult;
    const changed: ChangedLines = new Map([['app.py', new Set([5])]]);
    const r = applyChangedSince(result, 'main', changed);
    assert.deepEqual(r.findings.map((f) => `${f.location.path}:${f.location.startLine}:${f.projectLevel}`), ['app.py:1:true', 'app.py:3:false']);
  });
});
