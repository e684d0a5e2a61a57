/**
 * `--format html`: one self-contained file (no network loads, CSP), every finding present,
 * hostile file names and code escaped.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempCopy } from './support/ci.js';

const APP = 'fixtures/_apps/flask-insecure';

describe('html report', () => {
  it('is self-contained, has a CSP, a gauge and every finding', () => {
    const h = cli(['audit', APP, '--format', 'html']);
    const j = cli(['audit', APP, '--format', 'json']);
    const findings = (JSON.parse(j.stdout) as { findings: { ruleId: string; location: { path: string } }[] }).findings;
    assert.ok(findings.length > 0);
    const html = h.stdout;
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
    assert.doesNotMatch(html, /@import|url\(/i);
    assert.match(html, /<svg class="gauge"/);
    const rows = html.match(/<tr data-severity=/g) ?? [];
    assert.equal(rows.length, findings.length);
    for (const f of findings) assert.ok(html.includes(f.ruleId), f.ruleId);
    assert.equal(cli(['audit', APP, '--format', 'html']).stdout, html, 'deterministic');
  });

  it('escapes hostile file names', () => {
    const root = tempCopy(APP);
    const py = readdirSync(root).find((f) => f.endsWith('.py'))!;
    copyFileSync(join(root, py), join(root, '<script>alert(1)<x>.py'));
    const html = cli(['audit', root, '--format', 'html']).stdout;
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;x&gt;.py'));
    assert.ok(!html.includes('<script>alert(1)'));
    assert.equal((html.match(/<script>/g) ?? []).length, 1, 'only the inline filter script');
  });
});
