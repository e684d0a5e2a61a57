/** `prodaudit deps`: the report model, its three renderings, and the CLI command end to end. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../src/cli.js';
import { dependencyReport, renderDepsMarkdown, renderDepsText } from '../src/deps/report.js';

describe('prodaudit deps', () => {
  it('reports locked versions, the table\'s newest version and advisories per dependency', async () => {
    const r = await dependencyReport('fixtures/vulnerable-framework/npm-locked', { ignore: ['expect.yaml'] });
    assert.equal(r.apps.length, 1);
    const app = r.apps[0]!;
    assert.deepEqual(app.lockfiles, [{ path: 'package-lock.json', manager: 'npm' }]);
    const next = app.dependencies.find((d) => d.name === 'next')!;
    assert.equal(next.pinned, '15.1.0');
    assert.equal(next.pinnedFrom, 'package-lock.json');
    assert.equal(next.newestInTable, '16.2.6');
    assert.deepEqual(next.advisories.map((a) => a.id), ['GHSA-f82v-jwr5-mffw', 'CVE-2025-66478']);
    assert.equal(next.firstSafe, '15.2.6');
    const jwt = app.dependencies.find((d) => d.name === 'jsonwebtoken')!;
    assert.equal(jwt.newerThanTable, true);
    assert.deepEqual(jwt.advisories, []);
    assert.equal(r.tables.advisories.asOf.length, 10);
  });

  it('reports runtime pins with EOL status at the evaluation date', async () => {
    const r = await dependencyReport('fixtures/eol-runtime/python-pins', { ignore: ['expect.yaml'], today: new Date('2026-11-22T00:00:00Z') });
    const rt = r.apps.flatMap((a) => a.runtimes);
    assert.deepEqual(
      rt.map((x) => `${x.file}:${x.line} ${x.cycle} ${x.status}`),
      [
        '.github/workflows/test.yml:9 3.9 eol',
        '.github/workflows/test.yml:9 3.10 eol',
        '.github/workflows/test.yml:11 3.13 supported',
        '.python-version:1 3.8 eol',
        'Dockerfile:4 3.7 eol',
        'docker-compose.yml:6 3.13 supported',
        'pyproject.toml:5 3.9 eol',
        'runtime.txt:1 3.9 eol',
      ],
    );
    assert.match(renderDepsText(r), /EOL tables: Node\.js of \d{4}-\d{2}-\d{2}/);
    assert.match(renderDepsMarkdown(r), /\| Python \| 3\.8\.18 \| \.python-version:1 \(\.python-version\) \| 3\.8 \| 2024-10-07 \| EOL \|/);
  });

  it('CLI: --format json prints the report; a missing path is a usage error', async () => {
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s) };
    assert.equal(await main(['node', 'prodaudit', 'deps', 'fixtures/vulnerable-framework/pip-pinned', '--format', 'json'], io), 0);
    const report = JSON.parse(out) as { apps: { dependencies: { name: string; advisories: unknown[] }[] }[] };
    assert.ok(report.apps[0]!.dependencies.find((d) => d.name === 'Flask')!.advisories.length > 0);
    assert.equal(await main(['node', 'prodaudit', 'deps', 'no/such/dir'], io), 2);
    assert.match(err, /path does not exist: no\/such\/dir/);
  });
});
