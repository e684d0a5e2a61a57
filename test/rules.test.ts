/**
 * The one generic test: every rule on each of its own fixture cases (fixtures/<rule-id>/<case>/),
 * and every rule together on every realistic app (fixtures/_apps/<app>/). The set of reported
 * lines must equal the marked lines exactly: a missing finding and an extra one both fail.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { globSync } from 'glob';
import { rules } from '../rules/index.js';
import { auditDirectory } from '../src/engine/audit.js';
import type { AnyRule } from '../src/engine/rule.js';
import { FIXTURE_META, readExpectations } from './support/markers.js';

const FIXTURES = 'fixtures';
const subdirs = (dir: string) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : []);

async function check(root: string, ruleSet: readonly AnyRule[], ids: readonly string[]): Promise<void> {
  const result = await auditDirectory(root, { rules: ruleSet, ignore: FIXTURE_META });
  const problems: string[] = [];
  for (const id of ids) {
    const expected = readExpectations(root, id);
    const found = new Set(result.findings.filter((f) => f.ruleId === id).map((f) => (f.projectLevel ? f.location.path : `${f.location.path}:${f.location.startLine}`)));
    const want = new Set([...expected.expect, ...expected['todo-ok']]);
    for (const w of want) if (!found.has(w)) problems.push(`missing ${id} at ${w}`);
    for (const f of found) if (!want.has(f)) problems.push(`unexpected ${id} at ${f}: ${result.findings.find((x) => x.ruleId === id && (x.projectLevel ? x.location.path : `${x.location.path}:${x.location.startLine}`) === f)?.message}`);
  }
  const crashed = result.outcomes.filter((o) => o.status === 'error' && ids.includes(o.ruleId));
  for (const o of crashed) problems.push(`${o.ruleId} crashed: ${o.error}`);
  assert.deepEqual(problems, [], `${root}:\n  ${problems.join('\n  ')}`);
}

const PY_FRAMEWORKS = new Set(['flask', 'django', 'fastapi']);

/** The ecosystems a fixture case is a project of, by its sources and manifests. */
function ecosystemsOf(dir: string): Set<'python' | 'js'> {
  const out = new Set<'python' | 'js'>();
  for (const f of globSync('**/*', { cwd: dir, dot: true, nodir: true, posix: true })) {
    if (/\.py$|(^|\/)(requirements[^/]*\.txt|pyproject\.toml|Pipfile)$/.test(f)) out.add('python');
    if (/\.[cm]?[jt]sx?$|(^|\/)package\.json$/.test(f)) out.add('js');
  }
  return out;
}

for (const rule of rules) {
  const { id } = rule.meta;
  const cases = subdirs(join(FIXTURES, id));
  describe(`rule ${id}`, () => {
    it('has failing and clean fixture cases', () => {
      assert.ok(cases.length > 0, `add fixtures/${id}/<case>/`);
      const counts = cases.map((c) => readExpectations(join(FIXTURES, id, c), id).expect.size);
      assert.ok(counts.some((n) => n > 0), `add a case with an "expect: ${id}" marker`);
      assert.ok(counts.some((n) => n === 0), `add a clean case with "ok: ${id}" markers`);
    });
    it('has at least 4 must-fire and 3 must-not-fire cases, in each ecosystem it applies to', () => {
      const exp = cases.map((c) => ({ c, e: readExpectations(join(FIXTURES, id, c), id), eco: ecosystemsOf(join(FIXTURES, id, c)) }));
      const fire = exp.reduce((n, x) => n + x.e.expect.size, 0);
      const notFire = exp.reduce((n, x) => n + x.e.ok.size + (x.e.expect.size === 0 ? 1 : 0), 0);
      assert.ok(fire >= 4, `${fire} "expect: ${id}" markers; at least 4 are needed`);
      assert.ok(notFire >= 3, `${notFire} "ok: ${id}" markers and clean cases; at least 3 are needed`);
      const fw = rule.meta.frameworks ?? [];
      const wants = [fw.some((f) => PY_FRAMEWORKS.has(f)) && 'python', fw.some((f) => !PY_FRAMEWORKS.has(f)) && 'js'].filter((x): x is 'python' | 'js' => Boolean(x));
      if (wants.length < 2) return; // a one-ecosystem rule, or one for every stack (frameworks unset)
      for (const eco of wants) {
        assert.ok(exp.some((x) => x.e.expect.size > 0 && x.eco.has(eco)), `no must-fire case in a ${eco} project`);
        assert.ok(exp.some((x) => (x.e.ok.size > 0 || x.e.expect.size === 0) && x.eco.has(eco)), `no must-not-fire case in a ${eco} project`);
      }
    });
    for (const name of cases) {
      it(name, async () => {
        await check(join(FIXTURES, id, name), [rule], [id]);
      });
    }
  });
}

describe('realistic apps: every rule at once', () => {
  for (const app of subdirs(join(FIXTURES, '_apps'))) {
    it(app, async () => {
      await check(join(FIXTURES, '_apps', app), rules, rules.map((r) => r.meta.id));
    });
  }
});
