/** GitHub annotations, JUnit XML, several outputs in one run: snapshots and end-to-end runs of the built CLI. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { rules } from '../rules/index.js';
import { planOutputs, OutputSpecError } from '../src/ci/outputs.js';
import { auditDirectory } from '../src/engine/audit.js';
import { escapeData, escapeProperty, github, githubSummary } from '../src/reporters/github.js';
import { junit } from '../src/reporters/junit.js';
import { cli, matchSnapshot, validateSarif } from './support/ci.js';

const APP = 'test/data/ci-app';
// Snapshots use the template rule alone, so rules other helpers add do not churn them.
const only = rules.filter((r) => r.meta.id === 'debug-mode-enabled');

describe('github format', () => {
  it('matches the snapshot', async () => {
    const result = await auditDirectory(APP, { rules: only });
    matchSnapshot('github.txt', github(result, { color: false, rules: only }));
    matchSnapshot('github-summary.md', githubSummary(result, { linkBase: 'https://github.com/acme/shop/blob/0123abc/' }));
  });

  it('escapes workflow-command data and properties', () => {
    assert.equal(escapeData('50%\r\nnext'), '50%25%0D%0Anext');
    assert.equal(escapeProperty('a:b,c'), 'a%3Ab%2Cc');
    const lines = github(
      {
        ...emptyResult(),
        findings: [finding({ message: 'x::error file=evil::y\n', location: { path: 'a,b:c.py', startLine: 3, startColumn: 1, endLine: 3, endColumn: 5 } })],
      },
      { color: false, rules: only },
    ).split('\n');
    assert.equal(lines[0], '::error file=a%2Cb%3Ac.py,line=3,endLine=3,col=1,endColumn=5,title=T (r%2C high)::x::error file=evil::y%0A');
  });

  it('appends a job summary to $GITHUB_STEP_SUMMARY and prints annotations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodaudit-gh-'));
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const r = cli([APP, '--only', 'debug-mode-enabled', '--format', 'github', '--ci'], { env: { GITHUB_STEP_SUMMARY: summary } });
    assert.equal(r.code, 1, r.stderr);
    // Paths are repository-relative (the audited folder sits inside this repository).
    assert.match(r.stdout, /^::error file=test\/data\/ci-app\/app\.py,line=20,/m);
    assert.match(r.stderr, /gate failed: 3 findings at or above high/);
    const text = readFileSync(summary, 'utf8');
    assert.ok(text.startsWith('# earlier step\n### prodaudit: 0/100, grade F'), text);
    assert.match(text, /\| critical \| `debug-mode-enabled` \| \[test\/data\/ci-app\/app\.py:20\]\(test\/data\/ci-app\/app\.py#L20\) \|/);
  });
});

describe('junit format', () => {
  it('matches the snapshot and is well-formed', async () => {
    const result = await auditDirectory(APP, { rules: only });
    const xml = junit(result, { color: false, rules: only });
    matchSnapshot('junit.xml', xml);
    assert.match(xml, /<testsuites name="prodaudit" tests="1" failures="1" errors="0" skipped="0">/);
    // Balanced tags and only the five predefined entities: a cheap well-formedness check.
    const opens = xml.match(/<(testsuites|testsuite|testcase|failure)[ >]/g)?.length ?? 0;
    const closes = (xml.match(/<\/(testsuites|testsuite|testcase|failure)>/g)?.length ?? 0) + (xml.match(/\/>/g)?.length ?? 0);
    assert.equal(opens, closes);
    assert.doesNotMatch(xml.replace(/&(amp|lt|gt|quot|#10);/g, ''), /&/);
  });

  it('a clean project passes every case; rules that do not apply are skipped', async () => {
    const xml = junit(await auditDirectory('fixtures/debug-mode-enabled/django-hardened', { rules: only }), { color: false, rules: only });
    assert.doesNotMatch(xml, /<failure|<skipped/);
    assert.match(xml, /tests="1" failures="0"/);
    const empty = junit(await auditDirectory(mkdtempSync(join(tmpdir(), 'prodaudit-empty-')), { rules: only }), { color: false, rules: only });
    assert.match(empty, /<skipped message="not applicable to the detected frameworks"\/>/);
  });
});

describe('several outputs from one scan', () => {
  it('plans --format / --output FORMAT=FILE / plain --output', () => {
    const known = ['text', 'json', 'sarif', 'junit'] as const;
    assert.deepEqual(planOutputs(known, [], [], 'text'), [{ format: 'text' }]);
    assert.deepEqual(planOutputs(known, ['text', 'sarif'], ['sarif=out.sarif'], 'text'), [{ format: 'text' }, { format: 'sarif', file: 'out.sarif' }]);
    assert.deepEqual(planOutputs(known, [], ['sarif=a.sarif', 'junit=b.xml'], 'text'), [{ format: 'sarif', file: 'a.sarif' }, { format: 'junit', file: 'b.xml' }]);
    assert.deepEqual(planOutputs(known, ['json'], ['report.json'], 'text'), [{ format: 'json', file: 'report.json' }]);
    assert.deepEqual(planOutputs(known, [], ['report.txt'], 'text'), [{ format: 'text', file: 'report.txt' }]);
    assert.throws(() => planOutputs(known, [], ['pdf=x.pdf'], 'text'), OutputSpecError);
  });

  it('text on stdout, SARIF and JUnit to files, in one run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodaudit-out-'));
    const r = cli([APP, '--format', 'text', '--format', 'sarif', '--output-sarif', join(dir, 'out.sarif'), '--output', `junit=${join(dir, 'out.xml')}`, '--output', `json=${join(dir, 'out.json')}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Readiness score:/);
    assert.doesNotMatch(r.stdout, /"version": "2\.1\.0"/, 'sarif went to its file, not stdout');
    const log = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8'));
    assert.deepEqual(validateSarif(log), []);
    const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    assert.equal(log.runs[0].results.length, json.findings.length);
    assert.match(readFileSync(join(dir, 'out.xml'), 'utf8'), /<testsuites name="prodaudit"/);
  });

  it('an unknown format in --output is a usage error (exit 2)', () => {
    const r = cli([APP, '--output', 'pdf=x.pdf']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown format "pdf"/);
  });
});

it('action.yml, if present, parses', () => {
  try {
    const doc = parseDocument(readFileSync('action.yml', 'utf8'));
    assert.deepEqual(doc.errors, []);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
});

function emptyResult() {
  return {
    schemaVersion: '1.1.0' as const,
    tool: { name: 'prodaudit' as const, version: '0.0.0' },
    root: '/x',
    score: 50,
    grade: 'F',
    categories: [],
    apps: [],
    outcomes: [],
    findings: [],
    suppressed: 0,
    diagnostics: [],
    stats: { files: 0, parsed: 0, bytes: 0, durationMs: 0 },
  };
}

function finding(over: Partial<ReturnType<typeof baseFinding>>) {
  return { ...baseFinding(), ...over };
}
function baseFinding() {
  return {
    ruleId: 'r',
    title: 'T',
    severity: 'high' as const,
    confidence: 'high' as const,
    category: 'security' as const,
    message: 'm',
    location: { path: 'a.py', startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 },
    projectLevel: false,
    snippet: '',
    fingerprint: 'f',
    app: '',
  };
}
