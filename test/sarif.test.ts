/** SARIF: every fixture's report validates against the OASIS 2.1.0 schema, and the GitHub-specific mapping holds. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rules } from '../rules/index.js';
import { auditDirectory } from '../src/engine/audit.js';
import { applyEdits } from '../src/engine/edits.js';
import { LineIndex } from '../src/engine/lines.js';
import { sarif, FINGERPRINT_KEY } from '../src/reporters/sarif.js';
import { FIXTURE_META } from './support/markers.js';
import { validateSarif } from './support/ci.js';

const subdirs = (dir: string) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : []);
const roots = [
  ...rules.flatMap((r) => subdirs(join('fixtures', r.meta.id)).map((c) => join('fixtures', r.meta.id, c))),
  ...subdirs(join('fixtures', '_apps')).map((a) => join('fixtures', '_apps', a)),
  'test/data/ci-app',
];

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string; helpUri?: string; help: { text: string }; defaultConfiguration: { level: string }; properties: { tags: string[]; 'security-severity'?: string } }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      partialFingerprints: Record<string, string>;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn: number } } }[];
      fixes?: { artifactChanges: { artifactLocation: { uri: string }; replacements: { deletedRegion: { startLine: number; startColumn: number; endLine: number; endColumn: number }; insertedContent: { text: string } }[] }[] }[];
    }[];
  }[];
}

describe('SARIF validates against the OASIS 2.1.0 schema', () => {
  for (const root of roots) {
    it(root, async () => {
      const result = await auditDirectory(root, { rules, ignore: FIXTURE_META });
      const log = JSON.parse(sarif(result, { color: false, rules }));
      assert.deepEqual(validateSarif(log), [], `${root}: SARIF does not validate`);
      assert.equal(log.runs[0].results.length, result.findings.length);
    });
  }
});

it('the schema check is not vacuous: a broken log fails it', async () => {
  const result = await auditDirectory('test/data/ci-app', { rules });
  const log = JSON.parse(sarif(result, { color: false, rules }));
  log.runs[0].results[0].level = 'fatal';
  delete log.runs[0].tool.driver.name;
  const errors = validateSarif(log);
  assert.ok(errors.some((e) => e.includes('/level')), errors.join('\n'));
  assert.ok(errors.some((e) => e.includes('name')), errors.join('\n'));
});

describe('SARIF mapping for GitHub code scanning', () => {
  it('rules carry help, helpUri, levels, the security tag and security-severity; results carry fingerprints', async () => {
    const result = await auditDirectory('test/data/ci-app', { rules });
    const log = JSON.parse(sarif(result, { color: false, rules, pathPrefix: 'backend/' })) as SarifLog;
    const run = log.runs[0]!;
    const debug = run.tool.driver.rules.find((r) => r.id === 'debug-mode-enabled')!;
    assert.ok(debug.helpUri?.startsWith('https://'));
    assert.ok(debug.help.text.length > 20);
    assert.equal(debug.defaultConfiguration.level, 'error');
    assert.ok(debug.properties.tags.includes('security'));
    assert.equal(debug.properties['security-severity'], '9.5');
    for (const r of run.tool.driver.rules) {
      const meta = rules.find((x) => x.meta.id === r.id)!.meta;
      assert.equal('security-severity' in r.properties, meta.category === 'security' && meta.severity !== 'info', `${r.id}: security-severity only on security rules`);
    }
    const mine = run.results.filter((r) => r.ruleId === 'debug-mode-enabled');
    assert.ok(mine.length >= 3);
    for (const r of mine) {
      assert.equal(run.tool.driver.rules[r.ruleIndex]!.id, r.ruleId);
      assert.equal(r.level, 'error');
      const f = result.findings.find((x) => x.fingerprint === r.partialFingerprints[FINGERPRINT_KEY]);
      assert.ok(f, 'partialFingerprints carry the finding fingerprint');
      assert.equal(r.locations[0]!.physicalLocation.artifactLocation.uri, `backend/${f.location.path}`);
      assert.equal(r.locations[0]!.physicalLocation.region?.startLine, f.location.startLine);
    }
  });

  it('fixes become replacements whose line/column regions reproduce the engine edit', async () => {
    const root = 'test/data/ci-app';
    const result = await auditDirectory(root, { rules });
    const log = JSON.parse(sarif(result, { color: false, rules })) as SarifLog;
    const withFix = log.runs[0]!.results.filter((r) => r.fixes);
    assert.ok(withFix.length >= 2, 'the fixture has fixable findings');
    for (const r of withFix) {
      const f = result.findings.find((x) => x.fingerprint === r.partialFingerprints[FINGERPRINT_KEY])!;
      for (const change of r.fixes![0]!.artifactChanges) {
        const path = decodeURIComponent(change.artifactLocation.uri);
        const text = readFileSync(join(root, path), 'utf8');
        const idx = new LineIndex(text);
        // Turn the SARIF regions back into offsets and apply them: same text as the engine's own edits.
        const edits = change.replacements.map((rep) => ({
          start: idx.lineStart(rep.deletedRegion.startLine) + rep.deletedRegion.startColumn - 1,
          end: idx.lineStart(rep.deletedRegion.endLine) + rep.deletedRegion.endColumn - 1,
          text: rep.insertedContent.text,
        }));
        const viaSarif = applyEdits(text, edits);
        const viaEngine = applyEdits(text, f.fix!.edits.filter((e) => e.path === path));
        assert.equal(viaSarif, viaEngine, `${path}: SARIF replacements differ from the fix`);
        assert.notEqual(viaSarif, text);
      }
    }
  });
});
