import semver from 'semver';
import { parse as parseToml } from 'smol-toml';
import { npmRange, pythonRange } from '../src/engine/advisories.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import { isLockedRequirements, lockfilesOf, urlPinned } from '../src/engine/lockfiles.js';
import { hasUpperBound, parseSpecifiers, pinnedVersion } from '../src/engine/pep440.js';
import { defineRule } from '../src/engine/rule.js';
import type { ProjectContext, TextRange } from '../src/engine/types.js';
import { parseRequirements } from '../src/parsers/requirements.js';
import { isMap, isScalar, parseJson } from '../src/parsers/yaml.js';
import { lineRange } from './_shared/manifest.js';

/** Requirements files for development, tests, docs or linting: not what production installs. */
const DEV_REQUIREMENTS = /(^|[-_.])(dev|develop|development|test|tests|testing|lint|docs?|ci|local)([-_.]|$)/i;
const NODE_LOCKS = 'package-lock.json, yarn.lock or pnpm-lock.yaml';
const EXPECTED_LOCK: Record<string, string> = { npm: 'package-lock.json', yarn: 'yarn.lock', pnpm: 'pnpm-lock.yaml', bun: 'bun.lock' };

type Ctx = ProjectContext<
  'noLockfile' | 'requirementUnbounded' | 'requirementNotPinned' | 'wildcardRange' | 'vcsWithoutCommit',
  Record<string, never>
>;

export default defineRule({
  meta: {
    id: 'unpinned-dependencies',
    title: 'Dependencies not pinned',
    category: 'configuration',
    severity: 'medium',
    confidence: 'high',
    fixable: 'none',
    effort: 'minutes',
    cwe: ['CWE-1357', 'CWE-829'],
    messages: {
      noLockfile: '{manager} project has runtime dependencies but no lockfile ({expected}): every install resolves versions anew.',
      requirementUnbounded: '{name} is installed {how} and no lockfile pins it: any future release, including a new major version, is installed.',
      requirementNotPinned: '{name}{spec} is a range and no lockfile pins it: builds can install different versions.',
      wildcardRange: '{name} "{spec}" accepts any future version{locked}.',
      vcsWithoutCommit: '{name} is installed from {url} without a commit hash: the branch or tag can move under you.',
    },
    docs: {
      why:
        'An install that is not reproducible deploys code nobody tested: a new major version of a framework or a compromised release of a small dependency reaches production on the next build, and the previous build cannot be recreated to roll back. Lockfiles (package-lock.json, yarn.lock, pnpm-lock.yaml, poetry.lock, uv.lock, Pipfile.lock, pip-compile output) and exact pins make every build install the same bytes; `*`, `latest`, `>=` without an upper bound and git branches do the opposite. Dockerfile base images are `docker-unpinned-base`\'s.',
      fix:
        'Commit the lockfile of the package manager the project uses and install from it in CI and Docker (`npm ci`, `pnpm install --frozen-lockfile`, `yarn install --immutable`, `poetry install --no-root`, `uv sync --locked`, `pipenv install --deploy`). For requirements.txt, pin with `==` (generate it with `pip-compile` or `uv pip compile` from a requirements.in). Replace `*`/`latest` with a caret or tilde range, and point git dependencies at a full commit hash.',
      whenNotTo: 'Libraries published to a registry should keep ranges in their manifests (the application that installs them locks); this rule is for deployed applications.',
      references: [
        'https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json',
        'https://pip.pypa.io/en/stable/topics/repeatable-installs/',
        'https://cwe.mitre.org/data/definitions/1357.html',
      ],
      examples: [{ file: 'requirements.txt', bad: 'flask>=2.0', good: 'flask==3.0.3' }],
    },
  },
  check: {
    project(ctx) {
      for (const app of ctx.project.apps) {
        checkNode(ctx, app);
        checkPython(ctx, app);
      }
    },
  },
});

function checkNode(ctx: Ctx, app: App): void {
  const manifest = app.manifests.find((m) => m.endsWith('package.json'));
  if (!manifest) return;
  const text = ctx.project.readText(manifest);
  if (text === undefined) return;
  const json = parseJson(text);
  if (json.errors.length || !isMap(json.doc.contents)) return;
  // value is undefined when the document parses but cannot be converted (alias limits, odd scalars).
  if (typeof json.value !== 'object' || json.value === null) return;
  const pkg = json.value as { dependencies?: Record<string, unknown>; packageManager?: unknown; private?: unknown };
  if (pkg.dependencies !== undefined && (typeof pkg.dependencies !== 'object' || pkg.dependencies === null)) return;
  const runtime = Object.entries(pkg.dependencies ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');
  if (runtime.length === 0) return;
  const locks = lockfilesOf(ctx.project, app).filter((l) => l.ecosystem === 'node');
  const section = json.doc.contents.get('dependencies', true);
  const valueRange = (name: string): TextRange | undefined => {
    if (!isMap(section)) return undefined;
    const pair = section.items.find((p) => isScalar(p.key) && p.key.value === name);
    return pair && isScalar(pair.value) && pair.value.range ? { start: pair.value.range[0], end: pair.value.range[1] } : undefined;
  };
  if (locks.length === 0) {
    const pm = typeof pkg.packageManager === 'string' ? pkg.packageManager.split('@')[0]! : '';
    const keyPair = json.doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'dependencies');
    const keyRange = keyPair && isScalar(keyPair.key) && keyPair.key.range ? { start: keyPair.key.range[0], end: keyPair.key.range[1] } : undefined;
    ctx.report({ messageId: 'noLockfile', file: manifest, at: keyRange, data: { manager: pm || 'npm', expected: EXPECTED_LOCK[pm] ?? NODE_LOCKS } });
  }
  for (const [name, spec] of runtime) {
    const at = valueRange(name);
    if (!at) continue;
    const range = npmRange(spec);
    if (range === undefined) {
      if (isVcsOrUrl(spec) && !urlPinned(spec)) ctx.report({ messageId: 'vcsWithoutCommit', file: manifest, at, data: { name, url: spec } });
      continue;
    }
    const wildcard = range === '*';
    if (wildcard || (unboundedNpm(range) && locks.length === 0)) {
      ctx.report({ messageId: 'wildcardRange', file: manifest, at, severity: locks.length ? 'low' : 'medium', data: { name, spec: spec || '(empty)', locked: locks.length ? ' when the lockfile is next regenerated' : ', and no lockfile holds it back' } });
    }
  }
}

function isVcsOrUrl(spec: string): boolean {
  return /^(git\+|git:|github:|gitlab:|bitbucket:|https?:)/.test(spec) || /^[\w.-]+\/[\w.-]+(#.*)?$/.test(spec);
}

/** No upper bound: the range admits an absurdly high major (`>=4`, `4 || >=6`). */
function unboundedNpm(range: string): boolean {
  try {
    return semver.satisfies('99999.0.0', range);
  } catch {
    return false;
  }
}

function checkPython(ctx: Ctx, app: App): void {
  const locks = lockfilesOf(ctx.project, app).filter((l) => l.ecosystem === 'python');
  const pipLocked = locks.some((l) => l.manager === 'pip-tools');
  const anyLock = locks.length > 0;
  for (const manifest of app.manifests) {
    const base = manifest.slice(manifest.lastIndexOf('/') + 1);
    const text = ctx.project.readText(manifest);
    if (text === undefined) continue;
    if (base.startsWith('requirements')) {
      if (DEV_REQUIREMENTS.test(base.replace(/^requirements/, '').replace(/\.txt$/, ''))) continue;
      checkRequirements(ctx, manifest, text, pipLocked || isLockedRequirements(text) || constraintLocked(ctx.project, manifest, text));
    } else if (base === 'pyproject.toml' || base === 'Pipfile') {
      checkToml(ctx, app, manifest, base, text, anyLock);
    }
  }
}

/** `-c constraints.txt` pointing at a fully pinned constraints file locks the requirements. */
function constraintLocked(facts: ProjectFacts, manifest: string, text: string): boolean {
  const dir = manifest.includes('/') ? manifest.slice(0, manifest.lastIndexOf('/') + 1) : '';
  return [...text.matchAll(/^\s*(?:-c|--constraint)\s*=?\s*(\S+)/gm)].some((m) => {
    const t = facts.readText(dir + m[1]!);
    return t !== undefined && isLockedRequirements(t);
  });
}

function checkRequirements(ctx: Ctx, file: string, text: string, locked: boolean): void {
  for (const r of parseRequirements(text).requirements) {
    const at = lineRange(text, r.line);
    if (r.url) {
      if (!urlPinned(r.url)) ctx.report({ messageId: 'vcsWithoutCommit', file, at, data: { name: r.name, url: r.url } });
      continue;
    }
    if (locked) continue;
    const set = parseSpecifiers(r.specifier);
    if (!set) continue;
    if (pinnedVersion(set) && !set.some((s) => s.version.includes('*'))) continue;
    if (set.length === 0 || !hasUpperBound(set)) {
      ctx.report({ messageId: 'requirementUnbounded', file, at, data: { name: r.name, how: set.length === 0 ? 'without a version' : `as "${r.specifier}"` } });
    } else {
      ctx.report({ messageId: 'requirementNotPinned', file, at, severity: 'low', data: { name: r.name, spec: r.specifier } });
    }
  }
}

/** pyproject.toml (PEP 621, Poetry) and Pipfile: a lockfile must exist; `*` and git deps without a commit are reported per line. */
function checkToml(ctx: Ctx, app: App, file: string, base: string, text: string, locked: boolean): void {
  let doc: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    doc = parseToml(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  } catch {
    return;
  }
  const lines = text.split('\n');
  const lineOfKey = (re: RegExp): number | undefined => {
    const i = lines.findIndex((l) => re.test(l));
    return i === -1 ? undefined : i + 1;
  };
  const runtime = [...app.dependencies.values()].filter((d) => d.file === file && !d.dev);
  const poetry = doc.tool?.poetry;
  const table: Record<string, unknown> | undefined = base === 'Pipfile' ? doc.packages : poetry?.dependencies;
  const gitEntries = Object.entries(table ?? {}).filter(([, v]) => typeof v === 'object' && v !== null && ('git' in v || 'url' in v || 'path' in v));
  if (!locked && (runtime.length > 0 || gitEntries.length > 0)) {
    const manager = base === 'Pipfile' ? 'Pipenv' : poetry ? 'Poetry' : 'Python';
    const expected = base === 'Pipfile' ? 'Pipfile.lock' : poetry ? 'poetry.lock' : 'uv.lock, poetry.lock, pdm.lock or a pip-compile requirements.txt';
    const line = base === 'Pipfile' ? lineOfKey(/^\s*\[packages\]/) : poetry ? lineOfKey(/^\s*\[tool\.poetry\.dependencies\]/) : lineOfKey(/^\s*dependencies\s*=/);
    ctx.report({ messageId: 'noLockfile', file, at: line ? lineRange(text, line) : undefined, data: { manager, expected } });
  }
  const gitNames = new Set(gitEntries.map(([n]) => n));
  for (const d of runtime) {
    if (!d.line || gitNames.has(d.name)) continue;
    const spec = d.spec.trim();
    if (spec.startsWith('@')) {
      const url = spec.slice(1);
      if (!urlPinned(url)) ctx.report({ messageId: 'vcsWithoutCommit', file, at: lineRange(text, d.line), data: { name: d.name, url } });
      continue;
    }
    const range = pythonRange(spec);
    const unbounded = range !== undefined && (range === '' || !hasUpperBound(parseSpecifiers(range) ?? []));
    if (spec === '*' || (unbounded && !locked)) {
      ctx.report({ messageId: 'wildcardRange', file, at: lineRange(text, d.line), severity: locked ? 'low' : 'medium', data: { name: d.name, spec: spec || '(no version)', locked: locked ? ' when the lockfile is next regenerated' : ', and no lockfile holds it back' } });
    }
  }
  for (const [name, v] of gitEntries) {
    const e = v as { git?: unknown; url?: unknown; rev?: unknown; ref?: unknown; tag?: unknown; branch?: unknown };
    if (typeof e.git !== 'string' && typeof e.url !== 'string') continue;
    const url = String(e.git ?? e.url);
    const rev = String(e.rev ?? e.ref ?? e.branch ?? '');
    if (/^[0-9a-f]{40}$/i.test(rev) || typeof e.tag === 'string' || (typeof e.url === 'string' && urlPinned(url))) continue;
    const line = lineOfKey(new RegExp(`^\\s*["']?${name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}["']?\\s*=`));
    if (line) ctx.report({ messageId: 'vcsWithoutCommit', file, at: lineRange(text, line), data: { name, url: rev ? `${url} (${rev})` : url } });
  }
}
