/** Registry, metadata, fixture coverage and README completeness (ESLint's checkRuleFiles, in spirit). */
import { CLI_BEGIN, CLI_END, cliProgram, renderCliReference } from '../src/docs/cli-reference.js';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { rules } from '../rules/index.js';
import { BEGIN, END, renderRulesTable } from '../src/docs/rules-table.js';
import { readExpectations } from './support/markers.js';

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** The five headline rules carry a stricter bar (issue 2): 6 must-fire and 4 must-not-fire cases. */
const HEADLINE = new Set(['debug-mode-enabled', 'cors-wildcard', 'default-credentials', 'weak-secret-key', 'missing-migrations']);

test('every file in rules/ is registered, in alphabetical order, and only those', () => {
  const files = readdirSync('rules')
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.slice(0, -3))
    .sort();
  const ids = rules.map((r) => r.meta.id);
  assert.deepEqual([...ids].sort(), files);
  assert.deepEqual(ids, [...ids].sort(), 'rules/index.ts must list rules alphabetically');
});

for (const { meta } of rules) {
  test(`${meta.id}: metadata is complete and fixtures cover it`, () => {
    assert.match(meta.id, KEBAB);
    assert.ok(meta.title && meta.docs.why && meta.docs.fix, 'title, docs.why and docs.fix are required');
    assert.ok(meta.docs.references.length > 0, 'at least one reference');
    assert.ok(Object.keys(meta.messages).length > 0, 'at least one message');
    const dir = join('fixtures', meta.id);
    assert.ok(existsSync(dir), `missing fixtures/${meta.id}/`);
    let fire = 0;
    let clean = 0;
    for (const c of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const e = readExpectations(join(dir, c.name), meta.id);
      fire += e.expect.size;
      clean += e.ok.size;
    }
    const [minFire, minClean] = HEADLINE.has(meta.id) ? [6, 4] : [4, 3];
    assert.ok(fire >= minFire, `${meta.id}: ${fire} must-fire markers, want at least ${minFire}`);
    assert.ok(clean >= minClean, `${meta.id}: ${clean} must-not-fire markers, want at least ${minClean}`);
  });
}

test('README rules table is up to date (run `npm run docs`)', () => {
  const readme = readFileSync('README.md', 'utf8');
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  assert.ok(a !== -1 && b !== -1, 'README.md has the rules-table markers');
  assert.equal(readme.slice(a, b + END.length), renderRulesTable(rules));
});

test('README command reference lists every command and option (run `npm run docs`)', async () => {
  const readme = readFileSync('README.md', 'utf8');
  const a = readme.indexOf(CLI_BEGIN);
  const b = readme.indexOf(CLI_END);
  assert.ok(a !== -1 && b !== -1, 'README.md has the cli-reference markers');
  const program = await cliProgram();
  assert.ok(program.commands.length >= 5, 'the program hands over its commands');
  assert.equal(readme.slice(a, b + CLI_END.length), renderCliReference(program));
});
