import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { defineRule } from '../src/engine/rule.js';
import type { ProjectFacts } from '../src/engine/facts.js';
import type { Fix } from '../src/engine/types.js';
import { parseEnv } from '../src/parsers/env.js';
import { ignoredBy } from './_shared/gitignore.js';

/** `.env`, `.env.production`, `prod.env`; not templates (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`). */
const ENV_FILE = /(?:^|\/)(?:\.env(?:\.[^/]+)?|[^/]+\.env)$/;
const TEMPLATE = /\.(?:example|sample|template|tmpl|dist|defaults?|schema|ci|test)$|(?:^|\/)\.?env\.(?:example|sample|template)/i;

export default defineRule({
  meta: {
    id: 'dotenv-committed',
    title: '.env file committed to the repository',
    category: 'configuration',
    severity: 'high',
    confidence: 'high',
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-538', 'CWE-312'],
    messages: {
      tracked: '{file} holds {values} and is tracked by git.',
      notIgnored: '{file} holds {values} and no .gitignore ignores it: the next `git add .` commits it.',
    },
    docs: {
      why:
        'A .env file holds the real configuration of one environment: database passwords, API keys, signing keys. Committed, it is readable by everyone with access to the repository, its forks and clones, CI logs and backups, and it stays in git history after it is deleted; a file that .gitignore does not cover is one `git add .` away from the same fate.',
      fix:
        'Add `.env` and `.env.*` (with `!.env.example`) to .gitignore, untrack the file with `git rm --cached .env`, rotate every secret it held, and commit a `.env.example` with placeholder values instead. When no .gitignore exists the fix creates one (safe: only git\'s view changes); a tracked file still needs `git rm --cached`.',
      whenNotTo: 'Template files (.env.example, .env.sample, .env.template) and env files without values are not reported; neither are development-only env files (.env.development, .env.local, .env.test).',
      references: [
        'https://git-scm.com/docs/gitignore',
        'https://github.com/motdotla/dotenv#should-i-commit-my-env-file',
        'https://12factor.net/config',
        'https://cwe.mitre.org/data/definitions/538.html',
      ],
      examples: [{ file: '.gitignore', bad: 'node_modules/', good: 'node_modules/\n.env\n.env.*\n!.env.example' }],
    },
  },
  check: {
    project(ctx) {
      const { project } = ctx;
      const candidates = project.files.filter((f) => ENV_FILE.test(f) && !TEMPLATE.test(f));
      if (candidates.length === 0) return;
      const tracked = trackedFiles(project, candidates);
      for (const file of candidates) {
        const text = project.readText(file);
        if (text === undefined) continue;
        const count = parseEnv(text).entries.filter((e) => e.value.trim() !== '').length;
        if (count === 0) continue;
        const isTracked = tracked?.has(file) ?? false;
        if (!isTracked && ignoredBy(project, file)) continue;
        ctx.report({
          messageId: isTracked ? 'tracked' : 'notIgnored',
          data: { file, values: count === 1 ? '1 value' : `${count} values` },
          file,
          severity: isTracked ? 'high' : 'medium',
          fix: isTracked ? undefined : gitignoreFix(project, file),
        });
      }
    },
  },
});

/**
 * Files among `paths` that git tracks, when the audited root is the top of its own git work tree.
 * A root inside a larger work tree (a monorepo package, a test fixture) is judged by its own
 * .gitignore files only: tracking there belongs to the enclosing repository.
 */
function trackedFiles(project: ProjectFacts, paths: readonly string[]): Set<string> | undefined {
  const git = (args: string[]) =>
    // core.fsmonitor off: an audited repository's config must not start a program.
    execFileSync('git', ['-c', 'core.fsmonitor=false', ...args], { cwd: project.root, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8', timeout: 10_000 });
  try {
    const top = git(['rev-parse', '--show-toplevel']).trim();
    if (realpathSync(top) !== realpathSync(project.root)) return undefined;
    const out = git(['ls-files', '-z', '--', ...paths]);
    return new Set(out.split('\0').filter(Boolean));
  } catch {
    return undefined; // not a git work tree, or git is not installed
  }
}

/** No .gitignore at the root yet: create one that ignores env files but keeps templates. */
function gitignoreFix(project: ProjectFacts, file: string): Fix | undefined {
  if (project.fileSet.has('.gitignore')) return undefined;
  return {
    title: 'Create a .gitignore that ignores .env files',
    applicability: 'safe',
    edits: [],
    newFiles: [{ path: '.gitignore', text: '.env\n.env.*\n*.env\n!.env.example\n!.env.sample\n!.env.template\n' }],
    followUp: `Check that ${file} is not in git history (git log --all -- ${file}); if it is, rotate its secrets.`,
  };
}
