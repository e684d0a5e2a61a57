/** `prodaudit env`: the inventory (reads, defaults, secrets, documentation, stale entries), its renderings, --write-example, the CLI. */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli.js';
import type { EnvReport, EnvVariable } from '../src/env/report.js';
import { cli, tempCopy, tempRepo } from './support/ci.js';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'prodaudit', 'env', ...args], { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

async function report(path: string): Promise<EnvReport> {
  const r = await run(path, '--format', 'json');
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as EnvReport;
}

const vars = (r: EnvReport, app = 0): Map<string, EnvVariable> => new Map(r.apps[app]!.variables.map((v) => [v.name, v]));
const where = (v: EnvVariable | undefined) => v?.locations.map((l) => `${l.file}:${l.line}=${l.default ?? '-'}`);

const PY_APP = {
  'requirements.txt': 'flask==3.0.3\n',
  'app.py': [
    'import os',
    'from flask import Flask',
    'app = Flask(__name__)',
    'app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "s3cr3t-Very-Random-Value-9f8e7d6c5b4a")',
    'PORT = int(os.getenv("PORT", 8000))',
    'DB = os.environ["DATABASE_URL"]',
    'LOG = os.getenv("LOG_LEVEL") or "info"',
    'CFG = {"BROKER": os.environ.get("BROKER_URL", "amqp://guest:hunter2pass@rabbit:5672//")}',
    'os.environ["WRITTEN_ONLY"] = "x"',
    'os.environ.setdefault("SET_ONLY", "1")',
    '',
  ].join('\n'),
  'tests/test_app.py': 'import os\nTEST_ONLY = os.environ["TEST_ONLY"]\n',
};

const JS_APP = {
  'package.json': '{ "name": "api", "dependencies": { "express": "^4.19.2" } }\n',
  'server.js': [
    "const express = require('express');",
    "const { DATABASE_URL, REDIS_URL = 'redis://localhost:6379', API_TOKEN: token } = process.env;",
    'const port = Number(process.env.PORT) || 3000;',
    "const host = process.env['HOST'] ?? '0.0.0.0';",
    "const stripe = process.env.STRIPE_SECRET_KEY || 'sk_test_FAKEFAKEFAKE1234567890abcd';",
    "const mode = process.env.MODE ? process.env.MODE : 'fast';",
    "const webhook = process.env.WEBHOOK_ID || 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';",
    'const dyn = process.env[name];',
    "process.env.WRITTEN_ONLY = '1';",
    'const app = express();',
    'app.listen(port, host);',
    '',
  ].join('\n'),
  '.env.example': '# existing\nDATABASE_URL=postgres://localhost/app\nOLD_FLAG=1\n# MODE=slow\n',
};

describe('prodaudit env: the inventory', () => {
  it('Python fixture: every read with file:line, defaults, required and documented flags', async () => {
    const r = await report('fixtures/_apps/flask-hardened');
    assert.equal(r.schemaVersion, 1);
    assert.deepEqual(r.apps[0]!.examples, ['.env.example']);
    const v = vars(r);
    assert.deepEqual([...v.keys()], ['CORS_ORIGINS', 'DATABASE_URL', 'FLASK_DEBUG', 'LOG_LEVEL', 'RATELIMIT_STORAGE_URI', 'SECRET_KEY', 'SENTRY_DSN']);
    assert.deepEqual(where(v.get('FLASK_DEBUG')), ['app.py:58=-', 'config.py:11=-']);
    assert.deepEqual(where(v.get('LOG_LEVEL')), ['app.py:16=INFO']);
    assert.deepEqual(where(v.get('CORS_ORIGINS')), ['config.py:9=']);
    assert.equal(v.get('CORS_ORIGINS')!.required, false);
    assert.equal(v.get('DATABASE_URL')!.required, true);
    assert.deepEqual(
      [...v.values()].filter((x) => x.documented).map((x) => x.name),
      ['CORS_ORIGINS', 'DATABASE_URL', 'SECRET_KEY', 'SENTRY_DSN'],
    );
    assert.deepEqual(v.get('SECRET_KEY')!.documentedIn, ['.env.example']);
    assert.equal(v.get('SECRET_KEY')!.secretBy, 'name');
    assert.equal(v.get('LOG_LEVEL')!.looksSecret, false);
    // tests/conftest.py's os.environ.setdefault(...) is neither production code nor a read
    assert.deepEqual(r.examples, [{ path: '.env.example', apps: ['.'], stale: [] }]);
  });

  it('Python fixture: a secret default is masked in every format, and a documented variable no code reads is stale', async () => {
    const secret = 'dev-secret-key-change-in-production';
    assert.ok(readFileSync('fixtures/_apps/flask-insecure/config.py', 'utf8').includes(secret));
    const r = await report('fixtures/_apps/flask-insecure');
    const key = vars(r).get('SECRET_KEY')!;
    assert.equal(key.looksSecret, true);
    assert.equal(key.default, 'de********');
    assert.deepEqual(where(key), ['config.py:6=de********']);
    assert.deepEqual(r.examples[0]!.stale, [{ name: 'DATABASE_URL', line: 5 }]);
    for (const format of ['json', 'text', 'markdown']) {
      const out = (await run('fixtures/_apps/flask-insecure', '--format', format)).out;
      assert.ok(!out.includes(secret) && !out.includes('change-in-production'), `${format} output holds the secret`);
    }
  });

  it('JS fixture: process.env reads, zod schema variables with their defaults, several locations', async () => {
    const r = await report('fixtures/_apps/express-hardened');
    const v = vars(r);
    assert.deepEqual([...v.keys()], ['CORS_ORIGINS', 'DATABASE_URL', 'JWT_SECRET', 'LOG_LEVEL', 'NODE_ENV', 'PORT', 'SENTRY_DSN']);
    assert.deepEqual(where(v.get('PORT')), ['src/config.ts:5=8080']);
    assert.deepEqual(where(v.get('NODE_ENV')), ['src/config.ts:4=production', 'src/server.ts:12=-']);
    assert.deepEqual(where(v.get('LOG_LEVEL')), ['src/server.ts:15=info']);
    assert.equal(v.get('JWT_SECRET')!.looksSecret, true);
    assert.equal(v.get('JWT_SECRET')!.required, true);
    assert.ok([...v.values()].every((x) => x.documented));
  });

  it('JS: destructuring, ?? / || / ternary fallbacks (through Number()), bracket reads, computed names; writes are not reads', async () => {
    const r = await report(tempRepo(JS_APP));
    const v = vars(r);
    assert.deepEqual([...v.keys()], ['API_TOKEN', 'DATABASE_URL', 'HOST', 'MODE', 'PORT', 'REDIS_URL', 'STRIPE_SECRET_KEY', 'WEBHOOK_ID']);
    assert.deepEqual(where(v.get('REDIS_URL')), ['server.js:2=redis://localhost:6379']);
    assert.deepEqual(where(v.get('API_TOKEN')), ['server.js:2=-']);
    assert.deepEqual(where(v.get('PORT')), ['server.js:3=3000']);
    assert.deepEqual(where(v.get('HOST')), ['server.js:4=0.0.0.0']);
    assert.deepEqual(where(v.get('MODE')), ['server.js:6=fast']);
    assert.equal(v.get('STRIPE_SECRET_KEY')!.secretBy, 'name');
    assert.equal(v.get('STRIPE_SECRET_KEY')!.default, 'sk********');
    // A token-shaped default makes a variable secret whatever its name.
    assert.equal(v.get('WEBHOOK_ID')!.secretBy, 'value');
    assert.ok(!v.get('WEBHOOK_ID')!.default!.includes('A1b2C3d4E5f6G7h8'));
    assert.deepEqual(r.apps[0]!.dynamicReads, [{ file: 'server.js', line: 8 }]);
    // MODE is only commented out in the template: documented, and not stale.
    assert.deepEqual(v.get('MODE')!.documentedIn, ['.env.example']);
    assert.equal(v.get('HOST')!.documented, false);
    assert.deepEqual(r.examples[0]!.stale, [{ name: 'OLD_FLAG', line: 3 }]);
  });

  it('Python: getenv, subscripts, `or` fallbacks, config dicts; a password in a default URL is masked; tests and writes left out', async () => {
    const r = await report(tempRepo(PY_APP));
    const v = vars(r);
    assert.deepEqual([...v.keys()], ['BROKER_URL', 'DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SECRET_KEY']);
    assert.deepEqual(where(v.get('PORT')), ['app.py:5=8000']);
    assert.deepEqual(where(v.get('LOG_LEVEL')), ['app.py:7=info']);
    assert.deepEqual(where(v.get('DATABASE_URL')), ['app.py:6=-']);
    assert.equal(v.get('BROKER_URL')!.secretBy, 'value');
    assert.equal(v.get('BROKER_URL')!.default, 'amqp://guest:h********@rabbit:5672//');
    assert.equal(v.get('SECRET_KEY')!.default, 's3********');
    assert.deepEqual(r.apps[0]!.examples, []);
    assert.ok([...v.values()].every((x) => !x.documented));
  });
});

describe('prodaudit env: renderings', () => {
  it('text: a table per app, stale entries and a summary', async () => {
    const { code, out } = await run(tempRepo(JS_APP));
    assert.equal(code, 0);
    assert.match(out, /^prodaudit \S+ env {2}\S+/);
    assert.match(out, /App \(root\) {2}\[node\] {2}documented by: \.env\.example/);
    assert.match(out, /│ Variable +│ Read at +│ Default +│ Secret +│ Documented +│ Required │/);
    assert.match(out, /│ PORT +│ server\.js:3 +│ 3000 +│ no +│ no +│ no +│/);
    assert.match(out, /│ API_TOKEN +│ server\.js:2 +│ - +│ yes \(name\) +│ no +│ yes +│/);
    assert.match(out, /Names computed at run time \(not listed\): server\.js:8/);
    assert.match(out, /Documented in \.env\.example but never read: OLD_FLAG \(line 3\)/);
    assert.match(out, /8 variables, 6 undocumented, 3 secret-looking, 2 required, 1 documented but never read\. `prodaudit env --write-example`/);
    assert.ok(!out.includes('FAKEFAKE'));
  });

  it('markdown: a table per app and a stale section', async () => {
    const { out } = await run(tempRepo(JS_APP), '--format', 'markdown');
    assert.match(out, /^# Environment variables\n\n_8 variables, 6 undocumented/);
    assert.match(out, /\n## Repository root\n\nDocumented by: `\.env\.example`\n/);
    assert.match(out, /\n\| Variable \| Read at \| Default \| Secret \| Documented \| Required \|\n\| --- \| --- \| --- \| --- \| --- \| --- \|\n/);
    assert.match(out, /\n\| `MODE` \| server\.js:6 \| fast \| no \| \.env\.example \| no \|\n/);
    assert.match(out, /\n## Documented but never read\n\n- `OLD_FLAG` in `\.env\.example:3`\n/);
    assert.ok(!out.includes('FAKEFAKE'));
  });

  it('json: stable and sorted (the same output twice)', async () => {
    const dir = tempRepo(JS_APP);
    const a = (await run(dir, '--format', 'json')).out;
    assert.equal((await run(dir, '--format', 'json')).out, a);
    const names = (JSON.parse(a) as EnvReport).apps[0]!.variables.map((v) => v.name);
    assert.deepEqual(names, [...names].sort());
  });
});

describe('prodaudit env --write-example', () => {
  it('creates .env.example: non-secret defaults written, secrets empty, a comment with where each is read; idempotent', async () => {
    const dir = tempRepo(PY_APP);
    const first = await run(dir, '--write-example');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^\.env\.example: created with 5 variables:\n/);
    assert.match(first.out, / \+ PORT=8000 +# read at app\.py:5\n/);
    const text = readFileSync(join(dir, '.env.example'), 'utf8');
    assert.match(text, /^# Environment variables read by the app\./);
    assert.match(text, /# read at app\.py:5\nPORT=8000\n/);
    assert.match(text, /# read at app\.py:7\nLOG_LEVEL=info\n/);
    assert.match(text, /# read at app\.py:6; required\nDATABASE_URL=\n/);
    assert.match(text, /# read at app\.py:4; secret: never put the real value here\nSECRET_KEY=\n/);
    assert.match(text, /\nBROKER_URL=\n/);
    for (const secret of ['s3cr3t-Very-Random-Value-9f8e7d6c5b4a', 'hunter2pass', 'Very-Random']) {
      assert.ok(!text.includes(secret) && !first.out.includes(secret), `wrote ${secret}`);
    }
    const second = await run(dir, '--write-example');
    assert.equal(second.code, 0);
    assert.equal(second.out, '.env.example: already documents every variable the code reads; nothing written\n');
    assert.equal(readFileSync(join(dir, '.env.example'), 'utf8'), text);
    const after = await report(dir);
    assert.ok(after.apps[0]!.variables.every((v) => v.documented));
  });

  it('appends only the missing variables to an existing template, never touching its lines', async () => {
    const dir = tempRepo(JS_APP);
    const before = readFileSync(join(dir, '.env.example'), 'utf8');
    const r = await run(dir, '--write-example');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^\.env\.example: appended 6 variables:\n/);
    const text = readFileSync(join(dir, '.env.example'), 'utf8');
    assert.ok(text.startsWith(before), 'existing lines kept as they were, in order');
    const added = text.slice(before.length);
    assert.deepEqual([...added.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => `${m[1]}=${m[2]}`), ['API_TOKEN=', 'HOST=0.0.0.0', 'PORT=3000', 'REDIS_URL=redis://localhost:6379', 'STRIPE_SECRET_KEY=', 'WEBHOOK_ID=']);
    assert.ok(!text.includes('FAKEFAKE') && !text.includes('A1b2C3d4'), 'no secret value written');
    assert.ok(!/^MODE=/m.test(text) && !/^DATABASE_URL=$/m.test(text), 'documented ones (even commented out) not added again');
    assert.match(text, /^OLD_FLAG=1$/m);
    const again = await run(dir, '--write-example');
    assert.match(again.out, /nothing written/);
    assert.equal(readFileSync(join(dir, '.env.example'), 'utf8'), text);
  });

  it('adds to the template the codebase already knows (.env.sample), and keeps CRLF line endings', async () => {
    const dir = tempCopy('fixtures/_apps/flask-hardened');
    const template = readFileSync(join(dir, '.env.example'), 'utf8').replace(/\n/g, '\r\n');
    rmSync(join(dir, '.env.example'));
    writeFileSync(join(dir, '.env.sample'), template);
    const r = await run(dir, '--write-example');
    assert.match(r.out, /^\.env\.sample: appended 3 variables:/);
    const text = readFileSync(join(dir, '.env.sample'), 'utf8');
    assert.ok(text.startsWith(template));
    assert.ok(!/[^\r]\n/.test(text), 'CRLF kept');
    assert.match(text, /RATELIMIT_STORAGE_URI=memory:\/\/\r\n/);
  });
});

describe('prodaudit env: CLI', () => {
  it('a missing path and a file are usage errors (exit 2) that name the path', async () => {
    const missing = await run('no/such/dir');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /path does not exist: no\/such\/dir/);
    const file = await run('package.json');
    assert.equal(file.code, 2);
    assert.match(file.err, /not a directory: package\.json/);
  });

  it('the built bin: exit 0, -o writes the report to a file', () => {
    const dir = tempRepo(JS_APP);
    const r = cli(['env', dir, '--format', 'json', '-o', join(dir, 'out', 'env.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /env json report written to/);
    assert.equal((JSON.parse(readFileSync(join(dir, 'out', 'env.json'), 'utf8')) as EnvReport).apps[0]!.variables.length, 8);
  });
});
