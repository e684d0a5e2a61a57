/**
 * The shipped offline tables validate against their zod schemas, their ranges parse, and they
 * are fresh: a table dated more than 180 days before the tool's release date fails the build.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import semver from 'semver';
import { ADVISORIES } from '../src/data/advisories.js';
import { NODE_RUNTIMES, PYTHON_RUNTIMES } from '../src/data/runtimes.js';
import { advisoryTableSchema, runtimeTableSchema } from '../src/data/schema.js';
import { judgePin } from '../src/engine/runtimes.js';
import { parseSpecifiers, parseVersion, satisfiesAny } from '../src/engine/pep440.js';
import { RELEASE_DATE } from '../src/version.js';

const MAX_AGE_DAYS = 180;
const days = (a: string, b: string) => (Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000;

test('runtime tables validate and are ordered', () => {
  for (const t of [NODE_RUNTIMES, PYTHON_RUNTIMES]) {
    runtimeTableSchema.parse(t);
    for (const c of t.cycles) assert.ok(c.released < c.eol, `${t.runtime} ${c.cycle}: released before EOL`);
    const keys = t.cycles.map((c) => c.cycle.split('.').map(Number));
    for (let i = 1; i < keys.length; i++) assert.ok(keys[i - 1]![0]! * 100 + (keys[i - 1]![1] ?? 0) < keys[i]![0]! * 100 + (keys[i]![1] ?? 0), 'cycles ascending');
  }
});

test('advisory table validates; every range parses and contains none of its fixed versions', () => {
  const table = advisoryTableSchema.parse(ADVISORIES);
  const ids = new Set<string>();
  for (const a of table.advisories) {
    assert.ok(!ids.has(`${a.package}:${a.id}`), `duplicate ${a.id}`);
    ids.add(`${a.package}:${a.id}`);
    if (a.ecosystem === 'npm') {
      assert.ok(semver.validRange(a.affected), `${a.id}: bad semver range`);
      for (const f of a.fixed) {
        assert.ok(semver.valid(f), `${a.id}: bad fixed version ${f}`);
        assert.equal(semver.satisfies(f, a.affected), false, `${a.id}: fixed ${f} inside the affected range`);
      }
    } else {
      for (const part of a.affected.split('||')) assert.ok(parseSpecifiers(part), `${a.id}: bad PEP 440 range ${part}`);
      for (const f of a.fixed) {
        assert.ok(parseVersion(f), `${a.id}: bad fixed version ${f}`);
        assert.equal(satisfiesAny(f, a.affected), false, `${a.id}: fixed ${f} inside the affected range`);
      }
    }
  }
});

test(`data tables are at most ${MAX_AGE_DAYS} days older than the release date (${RELEASE_DATE})`, () => {
  for (const [name, asOf] of [['node runtimes', NODE_RUNTIMES.asOf], ['python runtimes', PYTHON_RUNTIMES.asOf], ['advisories', ADVISORIES.asOf]] as const) {
    const age = days(RELEASE_DATE, asOf);
    assert.ok(age <= MAX_AGE_DAYS, `${name} table is dated ${asOf}, ${age} days before release ${RELEASE_DATE}: refresh src/data/ (see its header for sources)`);
    assert.ok(age >= 0, `${name} table is dated after the release date`);
  }
});

test('EOL verdicts: past EOL, within 90 days, supported, newer than the table', () => {
  const cycles = NODE_RUNTIMES.cycles;
  const node = (n: string) => cycles.filter((c) => c.cycle === n);
  assert.equal(judgePin({ cycles: node('14'), beyond: false }, new Date('2026-11-22')).status, 'eol');
  assert.equal(judgePin({ cycles: node('22'), beyond: false }, new Date('2027-03-01')).status, 'near-eol');
  assert.equal(judgePin({ cycles: node('22'), beyond: false }, new Date('2026-11-22')).status, 'supported');
  assert.equal(judgePin({ cycles: [...node('14'), ...node('24')], beyond: false }, new Date('2026-11-22')).status, 'supported');
  assert.equal(judgePin({ cycles: node('14'), beyond: true }, new Date('2026-11-22')).status, 'supported');
});
