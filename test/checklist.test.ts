/** `prodaudit checklist`: snapshot, stability (a bot updates one comment), baseline change and env vars. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rules } from '../rules/index.js';
import { applyBaseline, createBaseline } from '../src/ci/baseline.js';
import { auditDirectory } from '../src/engine/audit.js';
import { CHECKLIST_MARKER, markdown, requiredEnvVars } from '../src/reporters/markdown.js';
import { cli, matchSnapshot, tempCopy } from './support/ci.js';

const APP = 'test/data/ci-app';
const only = rules.filter((r) => r.meta.id === 'debug-mode-enabled');

describe('checklist', () => {
  it('matches the snapshot', async () => {
    const result = await auditDirectory(APP, { rules: only });
    matchSnapshot('checklist.md', markdown(result, { color: false, rules: only, linkBase: 'https://github.com/acme/shop/blob/0123abc/' }));
  });

  it('is stable from run to run and starts with the bot marker', () => {
    const a = cli(['checklist', APP]);
    const b = cli(['checklist', APP]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    assert.ok(a.stdout.startsWith(`${CHECKLIST_MARKER}\n# Production readiness: ci-app\n`));
    assert.doesNotMatch(a.stdout, new RegExp(process.cwd().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no absolute paths');
  });

  it('shows the change against a baseline, marks new items and lists fixed ones', async () => {
    const dir = tempCopy(APP);
    const before = await auditDirectory(dir, { rules: only });
    const base = createBaseline(before);
    writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    build: .\n');
    writeFileSync(join(dir, 'settings.py'), 'from flask import Flask\n\napp = Flask(__name__)\napp.debug = True\n');
    const after = applyBaseline(await auditDirectory(dir, { rules: only }), { ...base, score: 40, grade: 'F' }, '.prodaudit-baseline.json', { keepKnown: true });
    const md = markdown(after, { color: false, rules: only });
    assert.match(md, /Score \*\*0\/100\*\* \(▼ -40 vs baseline 40\)/);
    assert.match(md, /🆕 1 new · ✅ 1 fixed since the baseline/);
    assert.match(md, /- \[ \] \*\*Debug mode enabled\*\*: app\.debug is set to True\. \(\[settings\.py:4\]\(settings\.py#L4\)\) 🆕/);
    assert.match(md, /- \[x\] ~~FLASK_ENV=development turns debug mode on in docker-compose\.yml\.~~/);
    assert.equal((md.match(/🆕/g) ?? []).length, 2, 'the tally and the one new item');
  });

  it('renders the environment variables the fixes introduce, and collapses lower priorities', async () => {
    const result = await auditDirectory(APP, { rules: only });
    const env = requiredEnvVars(result);
    assert.deepEqual(env.map((v) => v.name), ['FLASK_DEBUG']);
    const withMedium = { ...result, findings: [...result.findings, { ...result.findings[0]!, severity: 'medium' as const, fingerprint: 'x', message: 'a medium one' }] };
    const md = markdown(withMedium, { color: false, rules: only });
    assert.match(md, /## 🔑 Environment variables production needs\n\n\| Variable \| What it is for \| Needed by \|\n\| --- \| --- \| --- \|\n\| `FLASK_DEBUG` \|/);
    assert.match(md, /<details><summary>Medium, low and info: 1 more item \(~15 min\)<\/summary>\n\n## 🟡 Medium/);
  });
});
