/**
 * Secrets never reach an output in full (issue 7). Known fake secrets are planted in temp copies
 * of the realistic apps, on lines findings point at (so snippets and messages carry them) and
 * elsewhere; every output format, the checklist, `--diff`, the `--fix` summary and the
 * diagnostics must not contain any of them. `--patch FILE` is the one exception, by decision
 * (docs/security.md): a patch must apply with `git apply`, so it holds the exact text.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../src/cli.js';
import { mask, redact, scrubSecrets } from '../src/engine/redact.js';
import { reporters } from '../src/reporters/index.js';

const TMP = mkdtempSync(join(tmpdir(), 'prodaudit-secrets-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

const SECRETS = {
  flaskKey: 'EXAMPLE-NOT-A-REAL-KEY-7f3k9q',
  dbPass: 'EXAMPLE-db-pass-4471',
  httpPass: 'EXAMPLE-http-pass-2290',
  stripe: 'sk_live_EXAMPLE0000NOTREAL1111',
  composePw: 'EXAMPLE-compose-pw-8812',
  composeUrlPw: 'EXAMPLE-compose-url-pw-5531',
  expressSecret: 'EXAMPLE-express-secret-3321',
  envSecret: 'EXAMPLE-env-secret-9931',
  djangoKey: 'django-insecure-EXAMPLE-NOT-A-REAL-KEY-0000',
  djangoDbPw: 'EXAMPLE-django-db-pw-6620',
};

const PLANTED: Record<string, string> = {
  'planted/app.py': [
    'import requests',
    'from flask import Flask',
    'from sqlalchemy import create_engine',
    'app = Flask(__name__)',
    `app.config['SECRET_KEY'] = '${SECRETS.flaskKey}'`,
    `engine = create_engine('postgresql://app:${SECRETS.dbPass}@db:5432/app')`,
    '',
    'def ping():',
    `    return requests.get('https://admin:${SECRETS.httpPass}@api.example.com/health', verify=False)`,
    '',
    `app.run(debug=True, host='0.0.0.0'); STRIPE_KEY = "${SECRETS.stripe}"`,
    '',
  ].join('\n'),
  'planted/requirements.txt': 'flask==3.0.0\nrequests==2.31.0\nsqlalchemy==2.0.0\n',
  'planted/docker-compose.yml': [
    'services:',
    '  web:',
    '    build: .',
    '    command: flask run --debug --host 0.0.0.0',
    '    environment:',
    '      FLASK_DEBUG: "1"',
    `      POSTGRES_PASSWORD: ${SECRETS.composePw}`,
    `      DATABASE_URL: postgres://app:${SECRETS.composeUrlPw}@db/app`,
    '',
  ].join('\n'),
  'planted/.env': `SECRET_KEY=${SECRETS.envSecret}\nDEBUG=true\n`,
  'node/package.json': '{"name": "svc", "dependencies": {"express": "4.18.2", "cors": "2.8.5"}}\n',
  'node/server.js': [
    "const express = require('express');",
    "const cors = require('cors');",
    'const app = express();',
    `app.use(cors({ origin: '*', credentials: true })); const SESSION_SECRET = '${SECRETS.expressSecret}';`,
    "app.get('/', (req, res) => res.send('ok'));",
    'app.listen(3000);',
    '',
  ].join('\n'),
  'dj/requirements.txt': 'django==4.2.0\n',
  'dj/manage.py': "import os\nimport sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
  'dj/site/settings.py': [
    `SECRET_KEY = '${SECRETS.djangoKey}'`,
    'DEBUG = True',
    "ALLOWED_HOSTS = ['*']",
    `DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'app', 'USER': 'app', 'PASSWORD': '${SECRETS.djangoDbPw}', 'HOST': 'db'}}`,
    '',
  ].join('\n'),
};

function plantedCopy(): string {
  const root = join(TMP, `r${Math.random().toString(36).slice(2, 8)}`);
  cpSync('fixtures/_apps', root, { recursive: true });
  for (const [path, text] of Object.entries(PLANTED)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['node', 'prodaudit', ...argv], { stdout: (s) => void (out += s), stderr: (s) => void (out += s) });
  return { code, out };
}

function assertNoSecret(label: string, text: string): void {
  for (const [name, s] of Object.entries(SECRETS)) assert.ok(!text.includes(s), `${label} leaks ${name} (${s})`);
}

describe('secrets never reach an output in full', () => {
  const root = plantedCopy();

  it('the planted secrets sit on lines that findings report (the test is not vacuous)', async () => {
    const { out } = await run(['audit', root, '--format', 'json']);
    const r = JSON.parse(out.slice(out.indexOf('{'))) as { findings: { location: { path: string; startLine: number }; snippet: string; projectLevel: boolean }[] };
    const onSecretLines = r.findings.filter((f) => !f.projectLevel).filter((f) => {
      const text = PLANTED[f.location.path];
      const line = text?.split('\n')[f.location.startLine - 1] ?? '';
      return Object.values(SECRETS).some((s) => line.includes(s));
    });
    assert.ok(onSecretLines.length >= 3, `findings on secret lines: ${JSON.stringify(r.findings.map((f) => `${f.location.path}:${f.location.startLine}`))}`);
    assert.deepEqual(onSecretLines.filter((f) => !/\*{4}/.test(f.snippet)).map((f) => f.snippet), [], 'their snippets are masked');
  });

  for (const format of Object.keys(reporters)) {
    it(`--format ${format}`, async () => {
      const { out } = await run(['audit', root, '--format', format, '--include-non-production', '--verbose']);
      assert.ok(out.length > 100);
      assertNoSecret(format, out);
    });
  }

  it('checklist, --output files, --diff and the --fix summary', async () => {
    const copy = plantedCopy();
    const checklist = await run(['checklist', copy]);
    assertNoSecret('checklist', checklist.out);
    const sarifFile = join(copy, 'out.sarif');
    const multi = await run(['audit', copy, '--format', 'text', '--output', `sarif=${sarifFile}`, '--output', `junit=${join(copy, 'out.xml')}`]);
    assertNoSecret('text+outputs', multi.out);
    assertNoSecret('sarif file', readFileSync(sarifFile, 'utf8'));
    assertNoSecret('junit file', readFileSync(join(copy, 'out.xml'), 'utf8'));
    const diff = await run(['audit', copy, '--diff', '--unsafe-fixes']);
    assert.match(diff.out, /^[-+]/m, 'the diff has changes');
    assertNoSecret('--diff', diff.out);
    const fixed = await run(['audit', copy, '--fix', '--unsafe-fixes', '--format', 'json']);
    assertNoSecret('--fix', fixed.out);
  });
});

describe('the scrubber', () => {
  it('masks literals and URL passwords, keeps references and ordinary code readable', () => {
    const masked = [
      [`SECRET_KEY = '${SECRETS.djangoKey}'`, SECRETS.djangoKey],
      [`engine = create_engine("mysql+pymysql://u:${SECRETS.dbPass}@h/db")`, SECRETS.dbPass],
      [`POSTGRES_PASSWORD: ${SECRETS.composePw}`, SECRETS.composePw],
      [`export API_KEY=${SECRETS.envSecret}`, SECRETS.envSecret],
      [`"password": "${SECRETS.composePw}"`, SECRETS.composePw],
      [`const k = "${SECRETS.stripe}";`, SECRETS.stripe],
      ['key = """-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----"""', 'MIIEabc'],
    ] as const;
    for (const [line, secret] of masked) assert.ok(!scrubSecrets(line).includes(secret), line);
    for (const line of [
      "SECRET_KEY = os.environ['SECRET_KEY']",
      'POSTGRES_PASSWORD: ${PG_PASSWORD}',
      "password = request.form['password']",
      'const token = req.headers.authorization;',
      'app.run(debug=True)',
      'DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app',
      "token = os.getenv('TOKEN', '')",
    ]) assert.equal(scrubSecrets(line), line);
  });

  it('redact masks reported secrets, longest first, keeping at most 2 characters', () => {
    assert.equal(redact('a changeme-long-value b', ['changeme-long-value', 'changeme']), `a ${mask('changeme-long-value')} b`);
    assert.ok(!mask('abcdefghijkl').includes('cdef'));
  });
});
