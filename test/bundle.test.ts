/**
 * The single-file build (dist/prodaudit.cjs, src/bundle.ts) that bin/prodaudit.js loads: the
 * same report as the separate ES modules, with its pool workers loading it too, and its V8 code
 * cache written after the run.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli } from './support/ci.js';

const BUNDLE = resolve('dist/prodaudit.cjs');
const APPS = resolve('fixtures/_apps');

describe('single-file build', () => {
  const home = mkdtempSync(join(tmpdir(), 'prodaudit-bundle-'));
  after(() => rmSync(home, { recursive: true, force: true }));
  const entriesOf = (file: string) => {
    const prefix = `${createHash('sha1').update(file).digest('hex').slice(0, 16)}-`;
    try {
      return readdirSync(join(home, 'prodaudit', 'v8')).filter((f) => f.startsWith(prefix));
    } catch {
      return [];
    }
  };
  /** The report (without its timings) and stats of a run over every fixture app, on two threads. */
  const run = (env: Record<string, string | undefined>) => {
    const r = cli([APPS, '--format', 'json', '--no-cache', '--workers', '2'], { env: { XDG_CACHE_HOME: home, PRODAUDIT_STATS: '1', ...env } });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const stats = JSON.parse(/prodaudit: stats (\{.*\})/.exec(r.stderr)![1]!) as { threads: number };
    const report = JSON.parse(r.stdout, (k, v: unknown) => (k === 'stats' || k === 'durationMs' ? undefined : v)) as { findings: unknown[] };
    return { stats, report };
  };

  it('is built, after the modules it bundles', () => {
    assert.ok(statSync(BUNDLE).mtimeMs >= statSync(resolve('dist/src/cli.js')).mtimeMs);
  });

  it('reports exactly what the ES modules report, workers included, and caches its compiled code', () => {
    const modules = run({ PRODAUDIT_NO_BUNDLE: '1' });
    assert.deepEqual(entriesOf(BUNDLE), [], 'the ES-module run did not load the bundle');
    const bundled = run({});
    assert.equal(bundled.stats.threads, 2);
    assert.equal(modules.stats.threads, 2);
    assert.ok(modules.report.findings.length > 100);
    assert.deepEqual(bundled.report, modules.report);
    assert.equal(entriesOf(BUNDLE).length, 1, 'the bundled run loaded dist/prodaudit.cjs with a code cache');
    const again = run({});
    assert.deepEqual(again.report, modules.report, 'from the code cache too');
    assert.equal(entriesOf(BUNDLE).length, 1);
  });
});
