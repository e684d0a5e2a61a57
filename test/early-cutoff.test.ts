/**
 * Early cutoff in the content-hash cache: a file that used a memo (an app-wide computation such as
 * csrf-missing's "is CSRFProtect called anywhere in the app?") depends on the memo's value, not on
 * every file the memo read. Changing a file the memo reads without changing its value keeps the
 * dependants cached; changing the value re-audits them. Either way the report equals a cold run.
 */
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rules } from '../rules/index.js';
import { auditDirectory, type AuditOptions, type RunStats } from '../src/engine/audit.js';
import { defineMemo, digestValue } from '../src/engine/memo.js';
import type { AuditResult } from '../src/engine/result.js';
import { reporters } from '../src/reporters/index.js';

let work: string;
let root: string;
let cache: string;

const json = (r: AuditResult) => reporters.json({ ...r, stats: { ...r.stats, durationMs: 0, parsed: 0 } }, { color: false, rules });

async function run(options: Partial<AuditOptions>): Promise<{ out: string; stats: RunStats; result: AuditResult }> {
  let stats: RunStats | undefined;
  const result = await auditDirectory(root, { rules, workers: 1, ...options, onStats: (s) => (stats = s) });
  return { out: json(result), stats: stats!, result };
}

const csrfAt = (r: AuditResult) => r.findings.filter((f) => f.ruleId === 'csrf-missing').map((f) => `${f.location.path}:${f.location.startLine}`);

describe('early cutoff: memo results are cached by the digest of their value', () => {
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'prodaudit-cutoff-'));
    root = join(work, 'repo');
    cache = join(work, 'cache');
    mkdirSync(root);
    writeFileSync(join(root, 'requirements.txt'), 'flask==3.0.3\nflask-wtf==1.2.1\n');
    writeFileSync(
      join(root, 'app.py'),
      [
        'from flask import Flask, request, session',
        'from forms import clean',
        '',
        'app = Flask(__name__)',
        '',
        '',
        '@app.post("/settings")',
        'def settings():',
        '    session["theme"] = clean(request.form.get("theme", "light"))',
        '    return "saved"',
        '',
      ].join('\n'),
    );
    // Read by the memo (its text names `session`), but holds no route and no CSRFProtect.
    writeFileSync(join(root, 'forms.py'), '"""Form helpers (no session state here)."""\n\n\ndef clean(value):\n    return value.strip()\n');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('a cold run (2 threads) reports the unprotected Flask app', async () => {
    const cold = await run({ workers: 2, cache });
    assert.deepEqual(csrfAt(cold.result), ['app.py:4']);
    const warm = await run({ cache });
    assert.equal(warm.stats.cache.misses, 0);
    assert.equal(warm.stats.cache.memosRecomputed, 0, 'nothing changed: no memo is recomputed');
    assert.equal(warm.out, cold.out);
  });

  it('a change the memo reads that leaves its value alone re-audits only the changed file', async () => {
    appendFileSync(join(root, 'forms.py'), '\n# session values are cleaned here\n');
    const warm = await run({ cache });
    const fresh = await run({});
    assert.equal(warm.out, fresh.out, 'cached run differs from a cold run of the changed tree');
    assert.deepEqual(csrfAt(warm.result), ['app.py:4']);
    assert.ok(warm.stats.cache.memosRecomputed >= 1, `the memo reading forms.py must be recomputed: ${JSON.stringify(warm.stats.cache)}`);
    assert.equal(warm.stats.cache.misses, 1, `only forms.py is re-audited, app.py stays cached: ${JSON.stringify(warm.stats.cache)}`);
    assert.equal(warm.stats.cache.hits, warm.stats.filesAudited - 1);
  });

  it('a change to the memo value re-audits its dependants (CSRFProtect added in another module)', async () => {
    writeFileSync(join(root, 'forms.py'), 'from flask_wtf.csrf import CSRFProtect\n\ncsrf = CSRFProtect()\n\n\ndef clean(value):\n    return value.strip()\n');
    const warm = await run({ cache });
    const fresh = await run({});
    assert.equal(warm.out, fresh.out, 'cached run differs from a cold run of the changed tree');
    assert.deepEqual(csrfAt(warm.result), [], 'CSRFProtect in forms.py protects the app');
    assert.ok(warm.stats.cache.misses >= 2, `app.py must be re-audited: ${JSON.stringify(warm.stats.cache)}`);
    // And back: the memo value changes again, the finding returns.
    writeFileSync(join(root, 'forms.py'), 'def clean(value):\n    return value.strip()\n');
    const back = await run({ cache });
    assert.equal(back.out, (await run({})).out);
    assert.deepEqual(csrfAt(back.result), ['app.py:4']);
  });
});

describe('early cutoff through file parts: an app memo combined from per-file values', () => {
  // n-plus-one-query's lazy relationships are the union of one cached part per module.
  let models: string;
  const nPlusOne = (r: AuditResult) => r.findings.filter((f) => f.ruleId === 'n-plus-one-query').map((f) => `${f.location.path}:${f.location.startLine}`);
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'prodaudit-cutoff-parts-'));
    root = join(work, 'repo');
    cache = join(work, 'cache');
    cpSync('fixtures/n-plus-one-query/django-orm', root, { recursive: true });
    models = join(root, 'shop/models.py');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('keeps the views cached when a models change leaves the relationships alone, and re-audits them when it does not', async () => {
    const cold = await run({ cache });
    assert.ok(nPlusOne(cold.result).includes('shop/views.py:11'), 'order.customer is a lazy relationship');
    appendFileSync(models, '\n\n# Customer.orders is the reverse relation\n');
    const same = await run({ cache });
    assert.equal(same.out, (await run({})).out);
    assert.equal(same.stats.cache.misses, 1, `only models.py is re-audited: ${JSON.stringify(same.stats.cache)}`);
    writeFileSync(models, readFileSync(models, 'utf8').replace('customer = models.ForeignKey', 'customer_id = models.IntegerField()\n    buyer = models.ForeignKey'));
    const changed = await run({ cache });
    assert.equal(changed.out, (await run({})).out, 'cached run differs from a cold run of the changed tree');
    assert.ok(!nPlusOne(changed.result).includes('shop/views.py:11'), 'order.customer is no longer a relationship');
    assert.ok(changed.stats.cache.misses >= 2, `views.py must be re-audited: ${JSON.stringify(changed.stats.cache)}`);
  });
});

describe('memo definitions and value digests', () => {
  it('refuses a second memo under one name', () => {
    defineMemo('test.early-cutoff.once', 'project', () => 1);
    assert.throws(() => defineMemo('test.early-cutoff.once', 'project', () => 2), /defined twice/);
  });

  it('digests what a rule can observe: data, order, Sets and Maps, module references', () => {
    const none = () => undefined;
    const d = (v: unknown, refOf: (o: object) => string | undefined = none) => digestValue(v, refOf);
    assert.equal(d({ a: 1, b: [1, 'x'] }), d({ a: 1, b: [1, 'x'] }));
    assert.notEqual(d({ a: 1 }), d({ a: '1' }));
    assert.notEqual(d([1, 2]), d([2, 1]));
    assert.notEqual(d(new Set(['a'])), d(new Set(['b'])));
    assert.notEqual(d(new Map([['k', 1]])), d(new Map([['k', 2]])));
    assert.notEqual(d({ a: undefined }), d({}));
    const shared = { x: 1 };
    assert.notEqual(d([shared, shared]), d([shared, { x: 2 }]));
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    assert.equal(d(cyclic), d(cyclic));
    // A parsed module is named by path and content hash, not walked.
    const mod = { text: 'big', calls: [] };
    assert.equal(d({ py: mod }, (o) => (o === mod ? 'a.py\0h1' : undefined)), d({ py: { other: true } }, (o) => (o !== undefined && 'other' in o ? 'a.py\0h1' : undefined)));
    assert.notEqual(d({ py: mod }, (o) => (o === mod ? 'a.py\0h1' : undefined)), d({ py: mod }, (o) => (o === mod ? 'a.py\0h2' : undefined)));
  });
});

describe('project checks from per-file parts: an edit to a module without evidence keeps them cached', () => {
  const cases: { name: string; files: Record<string, string>; helper: string; comment: string; evidence: string }[] = [
    {
      name: 'Python (Flask login, audit log and session timeout checks)',
      files: {
        'requirements.txt': 'flask==3.0.3\n',
        'app.py': [
          'from flask import Flask, request, session',
          'from werkzeug.security import check_password_hash',
          'from users import find_user',
          '',
          'app = Flask(__name__)',
          '',
          '',
          '@app.post("/login")',
          'def login():',
          '    user = find_user(request.form["email"])',
          '    if user and check_password_hash(user.password_hash, request.form["password"]):',
          '        session["uid"] = user.id',
          '        return "ok"',
          '    return "no", 401',
          '',
        ].join('\n'),
        'users.py': 'def find_user(email):\n    return None\n',
      },
      helper: 'users.py',
      comment: '\n# users come from the directory service\n',
      evidence: 'import sentry_sdk\n\nsentry_sdk.init()\n',
    },
    {
      name: 'JS (Express login with bcrypt)',
      files: {
        'package.json': JSON.stringify({ name: 'api', dependencies: { express: '^4.19.2', bcrypt: '^5.1.1' } }),
        'server.js': [
          "const express = require('express');",
          "const bcrypt = require('bcrypt');",
          "const { findUser } = require('./users');",
          '',
          'const app = express();',
          'app.use(express.json());',
          "app.post('/login', async (req, res) => {",
          '  const user = await findUser(req.body.email);',
          '  if (!user || !(await bcrypt.compare(req.body.password, user.hash))) return res.status(401).end();',
          '  req.session.uid = user.id;',
          '  res.json({ ok: true });',
          '});',
          'app.listen(3000);',
          '',
        ].join('\n'),
        'users.js': 'module.exports = { findUser: async () => null };\n',
      },
      helper: 'users.js',
      comment: '\n// users come from the directory service\n',
      evidence: "const Sentry = require('@sentry/node');\nSentry.init({ dsn: process.env.SENTRY_DSN });\n",
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      work = mkdtempSync(join(tmpdir(), 'prodaudit-cutoff-project-'));
      root = join(work, 'repo');
      cache = join(work, 'cache');
      try {
        mkdirSync(root);
        for (const [p, text] of Object.entries(c.files)) writeFileSync(join(root, p), text);
        const cold = await run({ cache });
        assert.ok(cold.result.findings.some((f) => f.ruleId === 'error-tracking-missing'), 'the app has no error tracker');
        const warm = await run({ cache });
        const all = warm.stats.cache.projectHits;
        assert.ok(all > 0);
        appendFileSync(join(root, c.helper), c.comment);
        const one = await run({ cache });
        assert.equal(one.out, (await run({})).out, 'cached run differs from a cold run of the changed tree');
        assert.equal(one.stats.cache.projectHits, all, `every project check stays cached: ${JSON.stringify(one.stats.cache)}`);
        assert.ok(one.stats.parses.total <= 1, 'at most the edited module is parsed');
        // Evidence in the same module: the checks that read it run again, and agree with a cold run.
        appendFileSync(join(root, c.helper), c.evidence);
        const changed = await run({ cache });
        assert.equal(changed.out, (await run({})).out, 'cached run differs from a cold run of the changed tree');
        assert.ok(!changed.result.findings.some((f) => f.ruleId === 'error-tracking-missing'), 'the tracker in the helper module counts');
        assert.ok(changed.stats.cache.projectHits < all);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
  it('keeps backups-missing and missing-migrations cached across edits to a script and a model module that leave their evidence alone', async () => {
    work = mkdtempSync(join(tmpdir(), 'prodaudit-cutoff-text-'));
    root = join(work, 'repo');
    cache = join(work, 'cache');
    try {
      mkdirSync(join(root, 'scripts'), { recursive: true });
      const files: Record<string, string> = {
        'requirements.txt': 'flask==3.0.3\nflask-sqlalchemy==3.1.1\npsycopg2-binary==2.9.9\n',
        'docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata: {}\n',
        'app.py': 'from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\napp = Flask(__name__)\ndb = SQLAlchemy(app)\n',
        'models.py': 'from app import db\n\n\nclass User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n',
        // A second model module: the finding is reported at the first one (whose edits re-run the check).
        'orders.py': 'from app import db\n\n\nclass Order(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n',
        'scripts/maintenance.sh': '#!/bin/sh\necho "vacuum"\n',
      };
      for (const [p, text] of Object.entries(files)) writeFileSync(join(root, p), text);
      const ids = (r: AuditResult) => new Set(r.findings.map((f) => f.ruleId));
      const cold = await run({ cache });
      assert.ok(ids(cold.result).has('backups-missing'), 'a Postgres volume and no backup');
      assert.ok(ids(cold.result).has('missing-migrations'), 'a model and no migrations');
      const all = (await run({ cache })).stats.cache.projectHits;
      for (const [file, edit] of [
        ['scripts/maintenance.sh', 'echo "reindex"\n'],
        ['orders.py', '\n# orders are archived yearly\n'],
      ] as const) {
        appendFileSync(join(root, file), edit);
        const one = await run({ cache });
        assert.equal(one.out, (await run({})).out, `cached run differs from a cold run after editing ${file}`);
        assert.equal(one.stats.cache.projectHits, all, `every project check stays cached after editing ${file}: ${JSON.stringify(one.stats.cache)}`);
      }
      appendFileSync(join(root, 'scripts/maintenance.sh'), 'pg_dump "$DATABASE_URL" | gzip > /backups/db.sql.gz\n');
      const changed = await run({ cache });
      assert.equal(changed.out, (await run({})).out, 'cached run differs from a cold run of the changed tree');
      assert.ok(!ids(changed.result).has('backups-missing'), 'the pg_dump script counts as a backup');
      assert.ok(ids(changed.result).has('missing-migrations'));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
