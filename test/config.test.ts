/** .prodaudit.yml: errors with file:line (exit 2), per-app settings, deployment context, `prodaudit init`, generated JSON schemas. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2020Module from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { rules } from '../rules/index.js';
import { configJsonSchema, reportJsonSchema, SCHEMA_FILES } from '../src/config/json-schema.js';
import { parseConfig } from '../src/config/load.js';
import { auditDirectory } from '../src/engine/audit.js';
import { defineRule } from '../src/engine/rule.js';
import { cli, tempCopy } from './support/ci.js';

const APP = 'test/data/ci-app';
const Ajv2020 = (Ajv2020Module as unknown as { default: typeof Ajv2020Module.default }).default;

describe('config errors exit 2 and name file, line and key', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown key', 'failOn: high\nfailon: critical\n', /\.prodaudit\.yml:2: unknown key "failon"/],
    ['unknown nested key', 'apps:\n  api:\n    minScore: 80\n    treshold: 3\n', /\.prodaudit\.yml:4: unknown key "apps\.api\.treshold"/],
    ['bad severity', 'rules:\n  debug-mode-enabled: severe\n', /\.prodaudit\.yml:2: rules\.debug-mode-enabled: Invalid option: expected one of "off"\|"info"/],
    ['bad nested level', 'rules:\n  debug-mode-enabled:\n    level: urgent\n', /\.prodaudit\.yml:3: rules\.debug-mode-enabled\.level: Invalid option/],
    ['unknown rule id', 'ignore: []\nrules:\n  debug-mode-enable: off\n', /\.prodaudit\.yml:3: unknown rule id "debug-mode-enable" in rules \(did you mean "debug-mode-enabled"\?\)/],
    ['unknown rule id per app', 'apps:\n  api:\n    rules:\n      no-such-rule: off\n', /\.prodaudit\.yml:4: unknown rule id "no-such-rule" in apps\.api\.rules/],
    ['YAML syntax error', 'rules:\n  debug-mode-enabled: off\n failOn: [high\n', /\.prodaudit\.yml:3:\d+: YAML syntax error/],
    ['bad context value', 'context:\n  singleWorker: 3\n', /\.prodaudit\.yml:2: context\.singleWorker:/],
  ];
  for (const [name, yaml, message] of cases) {
    it(name, () => {
      const dir = tempCopy(APP);
      writeFileSync(join(dir, '.prodaudit.yml'), yaml);
      const r = cli([dir]);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '', 'no report on a config error');
    });
  }

  it('also finds prodaudit.config.yaml', () => {
    const dir = tempCopy(APP);
    writeFileSync(join(dir, 'prodaudit.config.yaml'), 'rules:\n  debug-mode-enabled: low\n');
    const r = JSON.parse(cli([dir, '--only', 'debug-mode-enabled', '--format', 'json']).stdout);
    assert.ok(r.findings.length > 0 && r.findings.every((f: { severity: string }) => f.severity === 'low'));
  });
});

describe('rule levels, per-app settings and thresholds', () => {
  function monorepo(): string {
    const dir = mkdtempSync(join(tmpdir(), 'prodaudit-mono-'));
    for (const app of ['services/api', 'services/admin']) {
      const root = join(dir, app);
      writeFileSync(join(mkdirp(root), 'requirements.txt'), 'flask==3.0.3\ngunicorn==22.0.0\n');
      writeFileSync(join(root, 'app.py'), 'from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == "__main__":\n    app.run(debug=True)\n');
      writeFileSync(join(mkdirp(join(root, 'scripts')), 'seed.py'), 'from flask import Flask\n\napp = Flask(__name__)\napp.run(debug=True)\n');
    }
    return dir;
  }
  const findings = (dir: string, ...args: string[]) => {
    const r = cli([dir, '--only', 'debug-mode-enabled', '--format', 'json', ...args]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return (JSON.parse(r.stdout).findings as { location: { path: string }; severity: string }[]).map((f) => `${f.location.path} ${f.severity}`).sort();
  };

  it('top-level and per-app levels, per-app ignores', () => {
    const dir = monorepo();
    assert.deepEqual(findings(dir), ['services/admin/app.py critical', 'services/admin/scripts/seed.py critical', 'services/api/app.py critical', 'services/api/scripts/seed.py critical']);
    writeFileSync(
      join(dir, '.prodaudit.yml'),
      'rules:\n  debug-mode-enabled: high\napps:\n  services/admin:\n    rules:\n      debug-mode-enabled: off\n  ./services/api/:\n    ignore: [scripts/]\n',
    );
    assert.deepEqual(findings(dir), ['services/api/app.py high']);
  });

  it('per-app thresholds gate their own app', () => {
    const dir = monorepo();
    writeFileSync(join(dir, '.prodaudit.yml'), 'failOn: off\napps:\n  services/api:\n    failOn: high\n');
    const r = cli([dir, '--only', 'debug-mode-enabled']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /gate failed: 2 findings at or above high/);
    writeFileSync(join(dir, '.prodaudit.yml'), 'apps:\n  services/api:\n    minScore: 50\n');
    const s = cli([dir, '--only', 'debug-mode-enabled']);
    assert.equal(s.code, 1);
    assert.match(s.stderr, /app services\/api scores 0, below its minimum 50/);
  });
});

describe('deployment context', () => {
  // A rule that declares which context keys make it moot, as the HTTPS and health rules do.
  const httpsRule = defineRule({
    meta: {
      id: 'https-not-enforced-demo',
      title: 'HTTPS not enforced (test rule)',
      category: 'security',
      severity: 'high',
      confidence: 'high',
      fixable: 'none',
      effort: 'minutes',
      mootWhen: ['tlsTerminatedAtProxy'],
      messages: { noRedirect: 'No HTTP to HTTPS redirect.' },
      docs: { why: 'w', fix: 'f', references: ['https://example.invalid/'] },
    },
    check: {
      project(ctx) {
        ctx.report({ messageId: 'noRedirect', file: 'app.py' });
      },
    },
  });
  const debug = rules.find((r) => r.meta.id === 'debug-mode-enabled')!;

  it('a rule the context makes moot is not applicable, with the recorded reason, and does not fire', async () => {
    const base = parseConfig('{}', 'x.yml');
    const fired = await auditDirectory(APP, { rules: [httpsRule, debug], config: base });
    assert.equal(fired.outcomes.find((o) => o.ruleId === httpsRule.meta.id)?.status, 'failed');

    const config = parseConfig('context:\n  tlsTerminatedAtProxy: "TLS ends at the AWS ALB; it redirects to HTTPS"\n', 'x.yml');
    const moot = await auditDirectory(APP, { rules: [httpsRule, debug], config });
    const outcome = moot.outcomes.find((o) => o.ruleId === httpsRule.meta.id)!;
    assert.equal(outcome.status, 'notApplicable');
    assert.equal(outcome.reason, 'context tlsTerminatedAtProxy: TLS ends at the AWS ALB; it redirects to HTTPS');
    assert.equal(moot.findings.filter((f) => f.ruleId === httpsRule.meta.id).length, 0);
    assert.equal(moot.outcomes.find((o) => o.ruleId === 'debug-mode-enabled')?.status, 'failed', 'other rules unaffected');
    assert.ok((moot.score ?? 0) < 100);

    const plain = await auditDirectory(APP, { rules: [httpsRule], config: parseConfig('context:\n  tlsTerminatedAtProxy: true\n', 'x.yml') });
    assert.match(plain.outcomes[0]!.reason ?? '', /^context tlsTerminatedAtProxy: TLS ends at a load balancer/);
  });

  it('shows in JUnit as skipped with the reason', async () => {
    const { junit } = await import('../src/reporters/junit.js');
    const config = parseConfig('context:\n  tlsTerminatedAtProxy: "TLS ends at the ALB"\n', 'x.yml');
    const xml = junit(await auditDirectory(APP, { rules: [httpsRule], config }), { color: false, rules: [httpsRule] });
    assert.match(xml, /<skipped message="context tlsTerminatedAtProxy: TLS ends at the ALB"\/>/);
  });

  it('the real rules declare it: the CLI drops https-not-enforced and says why in the text report', () => {
    const root = tempCopy('fixtures/_apps/flask-insecure');
    const only = ['--only', 'https-not-enforced', '--no-cache'];
    const before = cli([root, '--format', 'json', ...only]);
    assert.equal((JSON.parse(before.stdout) as { findings: unknown[] }).findings.length, 1, 'flask-insecure does not redirect to HTTPS');
    writeFileSync(join(root, '.prodaudit.yml'), 'context:\n  tlsTerminatedAtProxy: "TLS ends at the ALB, which redirects to HTTPS"\n');
    const after = cli([root, ...only]);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /Not applicable here[\s\S]*https-not-enforced +context tlsTerminatedAtProxy: TLS ends at the ALB, which redirects to HTTPS/);
    assert.match(after.stdout, /^0 findings/m);
  });
});

describe('prodaudit init', () => {
  it('writes a commented config for the detected frameworks that loads and validates against the schema', () => {
    const dir = tempCopy(APP);
    const r = cli(['init', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /flask detected/);
    const text = readFileSync(join(dir, '.prodaudit.yml'), 'utf8');
    assert.match(text, /^# Detected: flask \(\.\)\.$/m);
    assert.match(text, /^# {3}debug-mode-enabled: critical +# Debug mode enabled \(3 now\)$/m);
    assert.match(text, /^# {3}tlsTerminatedAtProxy: /m);
    parseConfig(text, '.prodaudit.yml', new Set(rules.map((x) => x.meta.id)));
    // Uncommenting a rule line keeps the file valid.
    const edited = text.replace('#   debug-mode-enabled: critical', '  debug-mode-enabled: high   ');
    assert.equal(parseConfig(edited, '.prodaudit.yml').rules['debug-mode-enabled'], 'high');
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILES.config, 'utf8')));
    assert.ok(validate(parse(edited) ?? {}), JSON.stringify(validate.errors));
    assert.equal(validate({ rules: { x: 'severe' } }), false);
    // A second init refuses to overwrite.
    const again = cli(['init', dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    assert.equal(cli(['init', dir, '--force']).code, 0);
    assert.ok(existsSync(join(dir, '.prodaudit.yml')));
  });
});

it('schema/ is generated from the zod schemas (run `npm run schema`)', () => {
  assert.equal(readFileSync(SCHEMA_FILES.config, 'utf8'), configJsonSchema());
  assert.equal(readFileSync(SCHEMA_FILES.report, 'utf8'), reportJsonSchema());
});

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
