/**
 * Seed coverage checks: a seed checklist's detectable items, each with the rule that must report it on
 * the seed's replica app and where; the hardened twin must come out with no finding at all.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { rules } from '../../rules/index.js';
import { auditDirectory } from '../../src/engine/audit.js';
import { FIXTURE_META } from './markers.js';

export interface SeedItem {
  /** The seed item's short title, as the seed words it. */
  readonly item: string;
  readonly rule: string;
  /** Where the finding must be; omitted when only the rule owner can say (project-level rules not landed yet). */
  readonly file?: string;
  /** Text on the line the finding must start on (a line number would go stale as the replica changes). */
  readonly at?: string;
  /** A whole-project finding anchored at the file, without a line. */
  readonly projectLevel?: boolean;
}

type Audit = Awaited<ReturnType<typeof auditDirectory>>;

function lineOf(root: string, file: string, text: string): number {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  assert.equal(hits.length, 1, `"${text}" must occur exactly once in ${file} (found ${hits.length})`);
  return hits[0]!;
}

export function seedCoverage(replica: string, twin: string, items: readonly SeedItem[]): void {
  const registered = new Set(rules.map((r) => r.meta.id));
  const audits = new Map<string, Promise<Audit>>();
  const audit = (root: string) => {
    if (!audits.has(root)) audits.set(root, auditDirectory(root, { rules, ignore: FIXTURE_META }));
    return audits.get(root)!;
  };

  for (const item of items) {
    const where = item.file ? ` at ${item.file}${item.at ? `: ${item.at.trim()}` : ''}` : '';
    it(`"${item.item}" -> ${item.rule}${where}`, async (t) => {
      if (!registered.has(item.rule)) {
        t.skip(`${item.rule} is not on main yet`);
        return;
      }
      const result = await audit(replica);
      const found = result.findings.filter((f) => f.ruleId === item.rule);
      const seen = found.map((f) => (f.projectLevel ? f.location.path : `${f.location.path}:${f.location.startLine}`));
      if (!item.file) {
        assert.ok(found.length > 0, `${item.rule} found nothing in ${replica}`);
      } else if (item.projectLevel) {
        assert.ok(found.some((f) => f.projectLevel && f.location.path === item.file), `${item.rule} must report ${item.file} (project-level); found: ${seen.join(', ') || 'nothing'}`);
      } else if (item.at) {
        const line = lineOf(replica, item.file, item.at);
        assert.ok(found.some((f) => f.location.path === item.file && f.location.startLine === line), `${item.rule} must report ${item.file}:${line}; found: ${seen.join(', ') || 'nothing'}`);
      } else {
        assert.ok(found.some((f) => f.location.path === item.file), `${item.rule} must report ${item.file}; found: ${seen.join(', ') || 'nothing'}`);
      }
    });
  }

  it(`hardened twin ${twin}: no rule fires, none crashes`, async () => {
    const result = await audit(twin);
    assert.deepEqual(
      result.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine ?? ''} ${f.message}`),
      [],
    );
    assert.deepEqual(result.outcomes.filter((o) => o.status === 'error').map((o) => `${o.ruleId}: ${o.error}`), []);
  });

  it(`replica ${replica}: no rule crashes`, async () => {
    const result = await audit(replica);
    const crashed = result.outcomes.filter((o) => o.status === 'error').map((o) => `${o.ruleId}: ${o.error}`);
    assert.deepEqual(crashed, []);
  });
}
