/**
 * Discovery: what gets audited. The same tree is listed twice, once as a git work tree
 * (`git ls-files`) and once as a plain folder (fdir + ignore), and both must agree: nested
 * .gitignore files with negations, built-in ignores (dependencies, virtualenvs, build output,
 * vendored and minified files), config ignores, and kinds by file name.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover, kindOf } from '../src/engine/discover.js';
import { cli, tempRepo } from './support/ci.js';

const TREE: Record<string, string> = {
  '.gitignore': 'secrets/\n*.log\n/generated.py\n',
  'app.py': 'print(1)\n',
  'generated.py': 'x = 1\n',
  'pkg/generated.py': 'x = 2\n', // anchored pattern in the root .gitignore: only the root file is ignored
  'server.log': 'log\n',
  'secrets/key.py': 'KEY = 1\n',
  'api/.gitignore': 'local_*.py\n!local_settings_keep.py\n',
  'api/local_dev.py': 'DEBUG = True\n',
  'api/local_settings_keep.py': 'DEBUG = False\n',
  'api/views.py': 'pass\n',
  'web/src/index.ts': 'export {};\n',
  'web/src/vendor.min.js': 'var a=1;\n',
  'web/src/app.bundle.js': 'var b=2;\n',
  'web/src/types.d.ts': 'export {};\n',
  'web/node_modules/express/index.js': 'module.exports = 1;\n',
  'venv/lib/python3.11/site-packages/flask/app.py': 'pass\n',
  '.venv/bin/activate.py': 'pass\n',
  'dist/server.js': 'console.log(1);\n',
  'build/lib/app.py': 'pass\n',
  'vendor/lib.py': 'pass\n',
  '__pycache__/app.cpython-311.pyc': '\0\0',
  'docker-compose.yml': 'services: {}\n',
  'Dockerfile.prod': 'FROM python:3.12\n',
  '.env.production': 'X=1\n',
  'requirements-dev.txt': 'pytest\n',
  'README.md': '# hi\n',
  'skip_me/thing.py': 'pass\n',
};

const EXPECTED = [
  '.env.production',
  '.gitignore',
  'Dockerfile.prod',
  'README.md',
  'api/.gitignore',
  'api/local_settings_keep.py',
  'api/views.py',
  'app.py',
  'docker-compose.yml',
  'pkg/generated.py',
  'requirements-dev.txt',
  'web/src/index.ts',
];

function makeTree(git: boolean): string {
  const root = tempRepo(TREE, 'prodaudit-discover-');
  if (git) execFileSync('git', ['init', '-q'], { cwd: root });
  return root;
}

for (const git of [true, false]) {
  describe(`discovery ${git ? 'in a git work tree' : 'in a plain folder'}`, () => {
    it('honours nested .gitignore files (with negation) and the built-in ignores', () => {
      const root = makeTree(git);
      try {
        const { files } = discover(root, { ignore: ['skip_me/'] });
        assert.deepEqual(
          files.map((f) => f.path),
          EXPECTED,
        );
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it('.prodaudit.yml ignores and --ignore apply on top of .gitignore', () => {
      const root = makeTree(git);
      try {
        const flaskDebug = 'from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == "__main__":\n    app.run(debug=True)\n';
        writeFileSync(join(root, 'app.py'), flaskDebug);
        writeFileSync(join(root, 'api/views.py'), flaskDebug);
        writeFileSync(join(root, 'requirements.txt'), 'flask==3.0.3\n');
        const found = (...args: string[]) => {
          const run = cli([root, '--format', 'json', '--only', 'debug-mode-enabled', '--no-cache', ...args]);
          assert.equal(run.code, 0, run.stderr);
          return (JSON.parse(run.stdout) as { findings: { location: { path: string } }[] }).findings.map((f) => f.location.path).sort();
        };
        assert.deepEqual(found(), ['api/views.py', 'app.py']);
        assert.deepEqual(found('--ignore', 'api/'), ['app.py']);
        writeFileSync(join(root, '.prodaudit.yml'), 'ignore:\n  - "api/"\n');
        assert.deepEqual(found(), ['app.py']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  });
}

describe('a folder the enclosing repository ignores', () => {
  it('is audited as a plain folder, not as empty', () => {
    const repo = mkdtempSync(join(tmpdir(), 'prodaudit-discover-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: repo });
      writeFileSync(join(repo, '.gitignore'), 'scratch/\n');
      mkdirSync(join(repo, 'scratch', 'app'), { recursive: true });
      writeFileSync(join(repo, 'scratch', 'app', 'main.py'), 'print(1)\n');
      writeFileSync(join(repo, 'scratch', 'app', '.gitignore'), '*.log\n');
      writeFileSync(join(repo, 'scratch', 'app', 'debug.log'), 'x\n');
      assert.deepEqual(
        discover(join(repo, 'scratch', 'app')).files.map((f) => f.path),
        ['.gitignore', 'main.py'],
      );
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe('file kinds', () => {
  it('classifies files by name, and lists the rest for existence checks only', () => {
    const cases: Record<string, string | undefined> = {
      'app.py': 'python',
      'src/server.ts': 'script',
      'src/page.tsx': 'script',
      'index.cjs': 'script',
      'index.mjs': 'script',
      'types.d.ts': undefined,
      'docker-compose.yaml': 'yaml',
      'package.json': 'json',
      '.env': 'env',
      '.env.production': 'env',
      'prod.env': 'env',
      Dockerfile: 'dockerfile',
      'Dockerfile.prod': 'dockerfile',
      'api.Dockerfile': 'dockerfile',
      Containerfile: 'dockerfile',
      'requirements-dev.txt': 'text',
      'pyproject.toml': 'text',
      Procfile: 'text',
      '.nvmrc': 'text',
      'schema.prisma': 'text',
      'logo.png': undefined,
      'README.md': undefined,
    };
    for (const [path, kind] of Object.entries(cases)) assert.equal(kindOf(path), kind, path);
  });
});
