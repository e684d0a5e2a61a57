/**
 * End-to-end tests of the built bin (`node bin/prodaudit.js`, built by `npm test`), run as a user
 * would: exit codes (0 pass, 1 gate failed, 2 usage or config error), report formats, CI gates,
 * usage errors and bad input. Generated repositories live in os.tmpdir().
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rules } from '../rules/index.js';
import { AuditResultSchema, type AuditResult } from '../src/engine/result.js';
import { cli, tempRepo, type CliRun } from './support/ci.js';

const repo = (files: Record<string, string>): string => tempRepo(files, 'prodaudit-cli-');

function json(run: CliRun): AuditResult {
  const parsed = AuditResultSchema.safeParse(JSON.parse(run.stdout));
  assert.ok(parsed.success, `--format json output does not match AuditResultSchema: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 5))}`);
  return parsed.data;
}

const at = (r: AuditResult, ruleId: string) => r.findings.filter((f) => f.ruleId === ruleId).map((f) => `${f.location.path}:${f.location.startLine}`).sort();

const FLASK_DEBUG = 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/")\ndef index():\n    return "ok"\n\n\nif __name__ == "__main__":\n    app.run(debug=True)\n';
const FLASK_FROM_ENV = FLASK_DEBUG.replace('debug=True', 'debug=os.environ.get("FLASK_DEBUG") == "1"').replace('from flask', 'import os\n\nfrom flask');
const EXPRESS_STACK = "const express = require('express');\nconst app = express();\napp.use((err, req, res, next) => {\n  res.status(500).json({ message: err.message, stack: err.stack });\n});\napp.listen(3000);\n";

const SYNC_AT_START = "const { Sequelize } = require('sequelize');\nconst sequelize = new Sequelize(process.env.DATABASE_URL);\nmodule.exports = sequelize;\nsequelize.sync();\n";

/** One critical finding (debug=True, app.py:12) and one high (sync() at start-up, db.js:4). */
const INSECURE = repo({
  'requirements.txt': 'flask==3.0.3\n',
  'app.py': FLASK_DEBUG,
  'package.json': '{ "name": "api", "dependencies": { "sequelize": "6.37.3" } }\n',
  'db.js': SYNC_AT_START,
});
const CLEAN = repo({ 'requirements.txt': 'flask==3.0.3\n', 'app.py': FLASK_FROM_ENV });
/** Rules whose findings these tests count: new rules landing elsewhere must not change the expected exit codes. */
const ONLY = ['--only', 'debug-mode-enabled,missing-migrations'];

describe('exit codes and gates', () => {
  it('exits 0 when no gate is set, even with findings, and prints the text report', () => {
    const r = cli([INSECURE, ...ONLY]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Readiness score: \d+\/100/);
    assert.match(r.stdout, /debug-mode-enabled/);
    assert.match(r.stdout, /app\.py:12/);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when stdout is not a terminal');
  });

  it('--fail-on: exits 1 at or above the severity, 0 below it', () => {
    const critical = cli([INSECURE, ...ONLY, '--fail-on', 'critical']);
    assert.equal(critical.code, 1);
    assert.match(critical.stderr, /gate failed: 1 finding at or above critical/);
    const high = cli([INSECURE, ...ONLY, '--fail-on', 'high']);
    assert.equal(high.code, 1);
    assert.match(high.stderr, /2 findings at or above high/);
    const clean = cli([CLEAN, ...ONLY, '--fail-on', 'low']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(clean.stderr, '');
  });

  it('--fail-on with an unknown severity is a usage error naming the choices', () => {
    const r = cli([INSECURE, '--fail-on', 'severe']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /severe/);
    assert.match(r.stderr, /critical, high, medium, low, info/);
  });

  it('--min-score: exits 1 below the bar, 0 at or above it; out-of-range values are usage errors', () => {
    const score = json(cli([INSECURE, ...ONLY, '--format', 'json'])).score;
    assert.ok(score !== null && score < 100, `score ${score}`);
    const below = cli([INSECURE, ...ONLY, '--min-score', String(score + 1)]);
    assert.equal(below.code, 1);
    assert.match(below.stderr, new RegExp(`gate failed: score ${score} is below the minimum ${score + 1}`));
    assert.equal(cli([INSECURE, ...ONLY, '--min-score', String(score)]).code, 0);
    for (const bad of ['101', '-1', 'abc']) {
      const r = cli([INSECURE, '--min-score', bad]);
      assert.equal(r.code, 2, `--min-score ${bad}`);
      assert.match(r.stderr, /expected a number from 0 to 100/);
    }
  });

  it('--ci fails on high by default, passes a clean repository, and never colours or spins', () => {
    const fail = cli([INSECURE, ...ONLY, '--ci']);
    assert.equal(fail.code, 1);
    assert.match(fail.stderr, /gate failed: 2 findings at or above high/);
    assert.doesNotMatch(fail.stdout + fail.stderr, /\x1b\[/);
    const pass = cli([CLEAN, ...ONLY, '--ci']);
    assert.equal(pass.code, 0, pass.stderr);
    // An explicit --fail-on overrides the CI default.
    assert.equal(cli([INSECURE, ...ONLY, '--ci', '--fail-on', 'critical']).code, 1);
    assert.equal(cli([repo({ 'db.js': SYNC_AT_START }), ...ONLY, '--ci', '--fail-on', 'critical']).code, 0);
  });

  it('every rule at once: the hardened realistic apps pass --ci', () => {
    for (const app of ['flask-hardened', 'django-hardened', 'express-hardened']) {
      const r = cli([join('fixtures', '_apps', app), '--ci', '--format', 'json']);
      assert.equal(r.code, 0, `${app}: ${r.stderr}`);
      assert.deepEqual(json(r).findings, [], app);
    }
  });
});

describe('report formats', () => {
  it('--format json validates against the versioned schema, with root-relative POSIX locations', () => {
    const r = cli([INSECURE, ...ONLY, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const result = json(r);
    assert.equal(result.tool.name, 'prodaudit');
    assert.deepEqual(at(result, 'debug-mode-enabled'), ['app.py:12']);
    assert.deepEqual(at(result, 'missing-migrations'), ['db.js:4']);
    for (const f of result.findings) {
      assert.doesNotMatch(f.location.path, /^\/|\\|^[A-Za-z]:/, 'root-relative POSIX path');
      assert.ok(f.location.endLine >= f.location.startLine);
    }
    const debug = result.findings.find((f) => f.ruleId === 'debug-mode-enabled')!;
    assert.equal(debug.severity, 'critical');
    assert.deepEqual([debug.location.startColumn, debug.location.endColumn], [19, 23]); // `True` in `    app.run(debug=True)`
    assert.ok(result.outcomes.some((o) => o.ruleId === 'debug-mode-enabled' && o.status === 'failed'));
    assert.ok(result.apps.length >= 1);
  });

  it('--format markdown writes the checklist: checkboxes by priority, effort and totals', () => {
    const r = cli([INSECURE, ...ONLY, '--format', 'markdown']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# Production readiness/m);
    const critical = r.stdout.search(/^## .*Critical/m);
    const high = r.stdout.search(/^## .*High/m);
    assert.ok(critical !== -1 && high > critical, 'critical section before the high one');
    const debugItem = r.stdout.search(/^- \[ \] \*\*Debug mode enabled\*\*/m);
    const migrationsItem = r.stdout.search(/^- \[ \] \*\*Database schema not managed by migrations\*\*/m);
    assert.ok(debugItem > critical && debugItem < high, 'debug item under Critical');
    assert.ok(migrationsItem > high, 'migrations item under High');
    assert.match(r.stdout, /app\.py:12/);
    assert.match(r.stdout, /db\.js:4/);
    assert.match(r.stdout, /Effort: /);
    assert.match(r.stdout, /\b2 items\b.*\bwork\b/);
  });

  it('--output writes the report to a file and keeps stdout empty', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'prodaudit-out-')), 'reports', 'audit.json');
    const r = cli([INSECURE, ...ONLY, '--format', 'json', '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /json report written to/);
    assert.deepEqual(at(AuditResultSchema.parse(JSON.parse(readFileSync(out, 'utf8'))), 'debug-mode-enabled'), ['app.py:12']);
  });

  it('an unknown --format is a usage error listing the formats', () => {
    const r = cli([INSECURE, '--format', 'xml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /xml/);
    assert.match(r.stderr, /json/);
    assert.match(r.stderr, /markdown/);
  });
});

describe('usage errors', () => {
  it('a bad flag exits 2 with a helpful message', () => {
    const r = cli([INSECURE, '--frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--frobnicate'/);
    assert.match(r.stderr, /prodaudit --help/);
    assert.equal(r.stdout, '');
  });

  it('a path that does not exist exits 2 and names the path', () => {
    const missing = join(tmpdir(), 'prodaudit-no-such-dir', 'repo');
    const r = cli([missing]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /path does not exist: .*prodaudit-no-such-dir/);
  });

  it('a file instead of a folder exits 2', () => {
    const r = cli([join(INSECURE, 'app.py')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a directory/);
  });

  it('an unknown rule id in --only exits 2', () => {
    const r = cli([INSECURE, '--only', 'debug-mode-enabled,no-such-rule']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown rule id in --only: no-such-rule/);
  });

  it('--help and --version exit 0', () => {
    const help = cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: prodaudit/);
    const version = cli(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });
});

describe('bad input', () => {
  const files = {
    'requirements.txt': 'flask==3.0.3\n',
    'package.json': '{ "name": "mixed", "dependencies": { "express": "4.19.2" } }\n',
    'app.py': FLASK_DEBUG,
    'server.js': EXPRESS_STACK,
  };
  const broken = {
    // Each broken file holds something a rule's trigger matches (print in a module naming flask, express), so it is parsed.
    'broken.py': 'def handler(request:\n    print(request)\n    return request\n\n\nfrom flask import Flask\n',
    'src/broken.ts': "import express from 'express';\nconst port: number = ;\nexport function f( { return 1 }\nconsole.log(port);\n",
  };
  const withErrors = repo({ ...files, ...broken });
  const without = repo(files);

  // Every rule runs here (no --only): a file is parsed only when some rule's triggers match it.
  it('a syntax error in a Python and a TS file is a diagnostic; other findings are still reported', () => {
    const r = cli([withErrors, '--format', 'json']);
    assert.ok(r.code === 0, r.stderr);
    const result = json(r);
    const diags = result.diagnostics.map((d) => `${d.path}:${d.line} ${d.message}`);
    assert.ok(diags.some((d) => /^broken\.py:1 Python syntax error/.test(d)), diags.join('\n'));
    assert.ok(diags.some((d) => /^src\/broken\.ts:2 JS\/TS syntax error/.test(d)), diags.join('\n'));
    assert.deepEqual(at(result, 'debug-mode-enabled'), ['app.py:12', 'server.js:4']);
    assert.deepEqual(result.findings.filter((f) => f.location.path.includes('broken')), []);
    const text = cli([withErrors]);
    assert.match(text.stdout, /Diagnostics \(the audit went on\)/);
    assert.match(text.stdout, /broken\.py:1 +Python syntax error/);
    assert.match(text.stdout, /src\/broken\.ts:2 +JS\/TS syntax error/);
  });

  it('the syntax errors do not change the exit code', () => {
    for (const gate of [['--ci'], ['--fail-on', 'critical'], ['--min-score', '100'], ['--fail-on', 'info']]) {
      const a = cli([withErrors, ...gate]);
      const b = cli([without, ...gate]);
      assert.equal(a.code, 1, `${gate.join(' ')}: ${a.stderr}`);
      assert.equal(a.code, b.code, `exit code with ${gate.join(' ')}`);
    }
  });
});

describe('rules and explain', () => {
  it('rules lists every registered rule', () => {
    const r = cli(['rules']);
    assert.equal(r.code, 0, r.stderr);
    for (const { meta } of rules) assert.match(r.stdout, new RegExp(`^${meta.id}\\s+${meta.category}\\s+${meta.severity}`, 'm'));
    assert.match(r.stdout, new RegExp(`^${rules.length} rules\\.`, 'm'));
    const asJson = JSON.parse(cli(['rules', '--format', 'json']).stdout) as { id: string }[];
    assert.deepEqual(asJson.map((x) => x.id).sort(), rules.map((x) => x.meta.id).sort());
  });

  it('explain <id> prints the rule documentation', () => {
    const r = cli(['explain', 'missing-migrations']);
    assert.equal(r.code, 0, r.stderr);
    const meta = rules.find((x) => x.meta.id === 'missing-migrations')!.meta;
    assert.ok(r.stdout.includes(meta.title), r.stdout);
    assert.ok(r.stdout.includes(meta.docs.why.slice(0, 60)), 'why');
    assert.ok(r.stdout.includes(meta.docs.references[0]!), 'references');
  });

  it('explain with an unknown id exits 2 and points at the rules command', () => {
    const r = cli(['explain', 'unknown-id']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown rule "unknown-id"/);
    assert.match(r.stderr, /prodaudit rules/);
    assert.equal(r.stdout, '');
  });
});
