/**
 * prodaudit never runs the code it audits (issue 7): every file below writes a marker file if it is
 * executed, imported, required or evaluated (Python module code, a Django settings module, Next.js
 * and other JS config files, package.json lifecycle scripts, a git fsmonitor hook in the repository's
 * own .git/config). After a full audit in every format, `--diff` and `--fix --unsafe-fixes`, no
 * marker may exist. A static check keeps the source free of eval and dynamic imports of paths
 * outside the package, allows vm only to load our own TypeScript compiler, and checks that every
 * child process it starts is `git` with hooks disabled.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../src/cli.js';
import { reporters } from '../src/reporters/index.js';

const TMP = mkdtempSync(join(tmpdir(), 'prodaudit-norun-'));
after(() => rmSync(TMP, { recursive: true, force: true }));
const MARKERS = join(TMP, 'markers');
mkdirSync(MARKERS);
const m = (name: string) => JSON.stringify(join(MARKERS, name));

function project(): string {
  const root = join(TMP, 'repo');
  const py = (name: string) => `import pathlib\npathlib.Path(${m(name)}).write_text('ran')\n`;
  const js = (name: string) => `require('fs').writeFileSync(${m(name)}, 'ran');\n`;
  const files: Record<string, string> = {
    'requirements.txt': 'flask==3.0.0\ndjango==4.2.0\n',
    'app.py': `${py('app.py')}from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(debug=True)\n`,
    'manage.py': `${py('manage.py')}import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n`,
    'site/settings.py': `${py('settings.py')}DEBUG = True\nALLOWED_HOSTS = ['*']\n`,
    'site/__init__.py': py('__init__.py'),
    'setup.py': py('setup.py'),
    'conftest.py': py('conftest.py'),
    'web/package.json': JSON.stringify({
      name: 'web',
      scripts: { prepare: `node -e "require('fs').writeFileSync(${m('prepare').replace(/"/g, '\\"')}, 'x')"`, preinstall: 'touch ' + join(MARKERS, 'preinstall'), postinstall: 'touch ' + join(MARKERS, 'postinstall'), start: 'touch ' + join(MARKERS, 'start') },
      dependencies: { next: '14.0.0', express: '4.18.2' },
    }),
    'web/next.config.js': `${js('next.config.js')}module.exports = { reactStrictMode: true };\n`,
    'web/next.config.mjs': `import fs from 'node:fs';\nfs.writeFileSync(${m('next.config.mjs')}, 'ran');\nexport default {};\n`,
    'web/tailwind.config.js': js('tailwind.config.js'),
    'web/jest.config.js': js('jest.config.js'),
    'web/server.js': `${js('server.js')}const express = require('express');\nconst app = express();\napp.listen(3000);\n`,
    'web/index.ts': `import './server';\n${js('index.ts')}`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  // A hostile repository's own git config: git runs core.fsmonitor as a command on status-like calls.
  execFileSync('git', ['init', '-q', root]);
  const hook = join(root, '.git', 'fsmon.sh');
  writeFileSync(hook, `#!/bin/sh\ntouch ${join(MARKERS, 'fsmonitor')}\nexit 1\n`);
  chmodSync(hook, 0o755);
  execFileSync('git', ['-C', root, 'config', 'core.fsmonitor', hook]);
  execFileSync('git', ['-C', root, 'config', 'diff.external', hook]);
  execFileSync('git', ['-C', root, 'add', '-A']);
  execFileSync('git', ['-C', root, '-c', 'core.fsmonitor=false', '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init']);
  writeFileSync(join(root, 'app.py'), readFileSync(join(root, 'app.py'), 'utf8') + '# changed\n');
  rmSync(join(MARKERS), { recursive: true, force: true });
  mkdirSync(MARKERS);
  return root;
}

async function run(argv: string[]): Promise<number> {
  return main(['node', 'prodaudit', ...argv], { stdout: () => {}, stderr: () => {} });
}

describe('never runs the target', () => {
  it('a full audit, every format, --changed-since, --diff and --fix run nothing from the repository', async () => {
    const root = project();
    for (const format of Object.keys(reporters)) await run(['audit', root, '--format', format]);
    await run(['checklist', root]);
    await run(['audit', root, '--changed-since', 'HEAD', '--format', 'json']);
    await run(['audit', root, '--diff', '--unsafe-fixes']);
    await run(['audit', root, '--fix', '--unsafe-fixes', '--format', 'json']);
    assert.notEqual(readFileSync(join(root, 'app.py'), 'utf8').includes('debug=True'), true, 'the fix run really applied a fix');
    assert.deepEqual(readdirSync(MARKERS), [], 'markers written by audited code');
    assert.ok(!existsSync(join(MARKERS, 'fsmonitor')));
  });

  it('the source has no eval, Function, vm (but for our own TypeScript compiler) or dynamic import of audited paths; child processes are git with hooks off', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.push(p);
      }
    };
    walk('src');
    walk('rules');
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      // vm runs two files, with V8's code cache (src/parsers/code-cache.ts): the TypeScript compiler
      // from our own dependencies (every call names a path resolved from node_modules) ...
      const vmAllowed = f === join('src', 'parsers', 'code-cache.ts');
      assert.ok(!/\beval\s*\(|new Function\s*\(/.test(text) && (vmAllowed || !/from 'node:vm'|require\('vm'\)/.test(text)), `${f}: eval/vm`);
      for (const call of text.matchAll(/\brequireCached\(([^;]+)\)/g)) if (!text.includes('export function requireCached')) assert.match(call[1]!, /require\.resolve\('@ts-morph\/common'\)/, `${f}: requireCached(${call[1]})`);
      // ... and prodaudit's own single-file build, dist/prodaudit.cjs (src/bundle-loader.ts).
      for (const call of text.matchAll(/\bloadCached\(([^;]+)\)/g)) if (!text.includes('export function loadCached')) assert.equal(call[1], 'BUNDLE_FILE', `${f}: loadCached(${call[1]})`);
      for (const call of text.matchAll(/\bimport\(([^)]+)\)/g)) assert.match(call[1]!, /import\.meta\.url|^url$|msg\.registry|^'/, `${f}: dynamic import(${call[1]})`);
      for (const call of text.matchAll(/\b(?:execFileSync|execFile|spawnSync|spawn)\(\s*([^,]+),/g)) assert.equal(call[1]!.trim(), "'git'", `${f}: runs ${call[1]}`);
      assert.ok(!/\bexecSync\(|\bexec\(/.test(text.replace(/\.exec\(/g, '')), `${f}: shell exec`);
    }
  });
});
