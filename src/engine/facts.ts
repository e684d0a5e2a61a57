/**
 * Project facts: the apps in a repository (monorepos too), their language, frameworks
 * (from manifests, then from imports seen while parsing), dependencies with versions,
 * and entry points. Computed once per audit and handed to every rule.
 */
import { dirname } from 'node:path/posix';
import semver from 'semver';
import { parse as parseToml } from 'smol-toml';
import type { PyModule } from '../parsers/python.js';
import type { ScriptModule } from '../parsers/script.js';
import { parseRequirements, normalizePyName } from '../parsers/requirements.js';
import { parseJson } from '../parsers/yaml.js';
import { classifyPath, type PathContext } from './context.js';
import type { MemoDef } from './memo.js';
import type { Diagnostic, DiscoveredFile } from './discover.js';
import type { Framework } from './types.js';

export type Ecosystem = 'python' | 'node';

export interface Dependency {
  readonly name: string;
  readonly ecosystem: Ecosystem;
  /** As written: "^4.18.2", "==3.0.3", ">=2,<3", "*", "" (no constraint). */
  readonly spec: string;
  /** Lowest version the spec allows, when it can be computed ("4.18.2"). */
  readonly version: string | undefined;
  readonly dev: boolean;
  /** Manifest file it came from, and 1-based line there. */
  readonly file: string;
  readonly line: number | undefined;
}

/**
 * Key of the per-thread memo the engine's facts offer rules (see `perApp` in rules/_shared/project.ts):
 * `(project as any)[PER_APP](def, app)`. Absent on plain facts (tests build those).
 */
export const PER_APP: unique symbol = Symbol('prodaudit.perApp');
export type PerAppMemo = (def: MemoDef, app: App | undefined, path?: string) => unknown;

export interface App {
  /** Root-relative folder ("" for the repo root). */
  readonly root: string;
  readonly name: string;
  readonly ecosystems: ReadonlySet<Ecosystem>;
  readonly frameworks: Set<Framework>;
  readonly dependencies: ReadonlyMap<string, Dependency>;
  readonly manifests: readonly string[];
  /** package.json scripts (name -> command). */
  readonly scripts: ReadonlyMap<string, string>;
  /** Likely entry points: manage.py, app.py, wsgi.py, main.py, server.js, package.json main. */
  readonly entryPoints: readonly string[];
}

export interface ProjectFacts {
  /** Absolute path of the audited root. */
  readonly root: string;
  /** Every discovered file, root-relative POSIX, sorted. */
  readonly files: readonly string[];
  readonly fileSet: ReadonlySet<string>;
  readonly apps: readonly App[];
  /** Union of all apps' frameworks. */
  readonly frameworks: ReadonlySet<Framework>;
  /** The app a file belongs to (the deepest app root containing it). */
  appOf(path: string): App;
  /** Every discovered file of an app (sorted, as in `files`): grouped once, not filtered per call. */
  filesOf(app: App): readonly string[];
  /** Production context of a path. */
  contextOf(path: string): PathContext;
  /** File text (cached; undefined for unreadable, binary or oversized files). */
  readText(path: string): string | undefined;
  /** Parse on demand for project-level checks (cached). */
  python(path: string): PyModule | undefined;
  script(path: string): ScriptModule | undefined;
  /** Dependency lookup in an app, or across all apps when `app` is omitted. */
  dependency(name: string, app?: App): Dependency | undefined;
}

/** Manifest package name -> framework. */
const NODE_FRAMEWORKS: Record<string, Framework> = {
  express: 'express',
  '@nestjs/core': 'nestjs',
  next: 'nextjs',
  fastify: 'fastify',
  koa: 'koa',
  react: 'react',
};
const PY_FRAMEWORKS: Record<string, Framework> = { flask: 'flask', django: 'django', fastapi: 'fastapi' };

/** Imported module -> framework. */
export function frameworkOfImport(module: string): Framework | undefined {
  const head = module.startsWith('@') ? module.split('/').slice(0, 2).join('/') : module.split(/[./]/)[0]!;
  if (head === 'flask') return 'flask';
  if (head === 'django') return 'django';
  if (head === 'fastapi') return 'fastapi';
  if (head === 'express') return 'express';
  if (head.startsWith('@nestjs')) return 'nestjs';
  if (head === 'next') return 'nextjs';
  if (head === 'fastify') return 'fastify';
  if (head === 'koa') return 'koa';
  return undefined;
}

const MANIFEST = /(^|\/)(package\.json|requirements[^/]*\.txt|pyproject\.toml|Pipfile|manage\.py|setup\.py)$/;

export interface FactsInput {
  readonly root: string;
  readonly files: readonly DiscoveredFile[];
  readonly readText: (path: string) => string | undefined;
  readonly python: (path: string) => PyModule | undefined;
  readonly script: (path: string) => ScriptModule | undefined;
  readonly diagnostics: Diagnostic[];
}

export function buildFacts(input: FactsInput): ProjectFacts {
  const paths = input.files.map((f) => f.path);
  const fileSet = new Set(paths);
  const manifestPaths = paths.filter((p) => MANIFEST.test(p) && classifyPath(p) === 'production');
  const roots = new Set<string>(['']);
  for (const m of manifestPaths) {
    const dir = dirname(m);
    roots.add(dir === '.' ? '' : dir);
  }
  const apps: App[] = [...roots].sort().map((root) => buildApp(root, manifestPaths, input));
  // An app folder with no code of its own and only a bare manifest stays an app (it is scored), but
  // the repo root with no manifest and no files outside the other apps is dropped.
  const appRoots = apps.map((a) => a.root).sort((a, b) => b.length - a.length);
  const byRoot = new Map(apps.map((a) => [a.root, a]));
  const appOf = (path: string): App => {
    for (const r of appRoots) if (r === '' || path.startsWith(`${r}/`)) return byRoot.get(r)!;
    return byRoot.get('')!;
  };
  const rootApp = byRoot.get('')!;
  const rootHasOwn = rootApp.manifests.length > 0 || paths.some((p) => appOf(p) === rootApp && /\.(py|[cm]?[jt]sx?)$/.test(p));
  const liveApps = rootHasOwn || apps.length === 1 ? apps : apps.filter((a) => a.root !== '');
  // Languages seen in files, for apps with no manifest.
  for (const p of paths) {
    const app = appOf(p);
    const eco = app.ecosystems as Set<Ecosystem>;
    if (p.endsWith('.py')) eco.add('python');
    else if (/\.(?:[cm]?[jt]sx?)$/.test(p)) eco.add('node');
  }
  // Group files by the app they belong to once: rules ask for "the files of this app" per audited
  // file, and filtering the whole tree each time made the pass quadratic in the repository size.
  const liveOf = (p: string): App => {
    const a = appOf(p);
    return liveApps.includes(a) ? a : liveApps[0]!;
  };
  const byApp = new Map<string, string[]>(liveApps.map((a) => [a.root, []]));
  for (const p of paths) byApp.get(liveOf(p).root)!.push(p);
  const contexts = new Map<string, PathContext>();
  const contextOf = (p: string): PathContext => {
    let c = contexts.get(p);
    if (c === undefined) contexts.set(p, (c = classifyPath(p)));
    return c;
  };
  const frameworks = new Set<Framework>();
  const facts: ProjectFacts = {
    root: input.root,
    files: paths,
    fileSet,
    apps: liveApps,
    get frameworks() {
      frameworks.clear();
      for (const a of liveApps) for (const f of a.frameworks) frameworks.add(f);
      return frameworks;
    },
    appOf: liveOf,
    filesOf: (app) => byApp.get(app.root) ?? [],
    contextOf,
    readText: input.readText,
    python: input.python,
    script: input.script,
    dependency(name, app) {
      const key = name.toLowerCase();
      for (const a of app ? [app] : liveApps) {
        const d = a.dependencies.get(key) ?? a.dependencies.get(normalizePyName(key));
        if (d) return d;
      }
      return undefined;
    },
  };
  return facts;
}

function buildApp(root: string, manifests: readonly string[], input: FactsInput): App {
  const own = manifests.filter((m) => (dirname(m) === '.' ? '' : dirname(m)) === root);
  const deps = new Map<string, Dependency>();
  const ecosystems = new Set<Ecosystem>();
  const frameworks = new Set<Framework>();
  const scripts = new Map<string, string>();
  const entryPoints: string[] = [];
  const prefix = root ? `${root}/` : '';
  const add = (d: Dependency) => {
    const key = d.ecosystem === 'python' ? normalizePyName(d.name) : d.name.toLowerCase();
    if (!deps.has(key) || (deps.get(key)!.dev && !d.dev)) deps.set(key, d);
  };
  for (const m of own) {
    const text = input.readText(m);
    if (text === undefined) continue;
    const base = m.slice(m.lastIndexOf('/') + 1);
    try {
      if (base === 'package.json') {
        ecosystems.add('node');
        readPackageJson(m, text, add, scripts, entryPoints, prefix, input.diagnostics);
      } else if (base.startsWith('requirements')) {
        ecosystems.add('python');
        const isDev = /dev|test|lint|ci/i.test(base);
        for (const r of parseRequirements(text).requirements) {
          add({ name: r.name, ecosystem: 'python', spec: r.url ? r.url : r.specifier, version: pyMinVersion(r.specifier), dev: isDev, file: m, line: r.line });
        }
      } else if (base === 'pyproject.toml' || base === 'Pipfile') {
        ecosystems.add('python');
        readToml(m, base, text, add, input.diagnostics);
      } else if (base === 'manage.py' || base === 'setup.py') {
        ecosystems.add('python');
        if (base === 'manage.py') {
          frameworks.add('django');
          entryPoints.push(m);
        }
      }
    } catch (error) {
      input.diagnostics.push({ path: m, message: `could not read manifest: ${(error as Error).message}`, level: 'partial' });
    }
  }
  for (const [key, d] of deps) {
    const fw = d.ecosystem === 'python' ? PY_FRAMEWORKS[key] : NODE_FRAMEWORKS[key];
    if (fw && !d.dev) frameworks.add(fw);
  }
  for (const f of ['app.py', 'main.py', 'wsgi.py', 'asgi.py', 'server.py', 'run.py', 'server.js', 'app.js', 'index.js', 'src/main.ts', 'src/server.ts', 'src/index.ts', 'src/app.ts']) {
    if (input.files.some((x) => x.path === prefix + f)) entryPoints.push(prefix + f);
  }
  return {
    root,
    name: root || '.',
    ecosystems,
    frameworks,
    dependencies: deps,
    manifests: own,
    scripts,
    entryPoints: [...new Set(entryPoints)],
  };
}

function readPackageJson(
  path: string,
  text: string,
  add: (d: Dependency) => void,
  scripts: Map<string, string>,
  entryPoints: string[],
  prefix: string,
  diagnostics: Diagnostic[],
): void {
  const parsed = parseJson(text);
  if (parsed.errors.length || typeof parsed.value !== 'object' || parsed.value === null) {
    const e = parsed.errors[0];
    diagnostics.push({ path, message: `package.json is not valid JSON${e ? `: ${e.message}` : ''}`, line: e?.line, column: e?.column, level: 'partial' });
    return;
  }
  const pkg = parsed.value as Record<string, unknown>;
  const lineOfKey = (section: string, name: string): number | undefined => {
    const sec = parsed.doc.get(section, true) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
    const item = sec?.items?.find((p) => p.key?.value === name);
    return item?.key?.range ? parsed.lineCounter.linePos(item.key.range[0]).line : undefined;
  };
  for (const [section, dev] of [['dependencies', false], ['devDependencies', true], ['optionalDependencies', false], ['peerDependencies', false]] as const) {
    const block = pkg[section];
    if (!block || typeof block !== 'object') continue;
    for (const [name, spec] of Object.entries(block as Record<string, unknown>)) {
      if (typeof spec !== 'string') continue;
      add({ name, ecosystem: 'node', spec, version: npmMinVersion(spec), dev, file: path, line: lineOfKey(section, name) });
    }
  }
  if (pkg.scripts && typeof pkg.scripts === 'object') {
    for (const [k, v] of Object.entries(pkg.scripts as Record<string, unknown>)) if (typeof v === 'string') scripts.set(k, v);
  }
  if (typeof pkg.main === 'string') entryPoints.push(prefix + pkg.main.replace(/^\.\//, ''));
}

function readToml(path: string, base: string, text: string, add: (d: Dependency) => void, diagnostics: Diagnostic[]): void {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    diagnostics.push({ path, message: `${base} is not valid TOML: ${(error as Error).message.split('\n')[0]}`, level: 'partial' });
    return;
  }
  const lines = text.split(/\r?\n/);
  const lineOf = (name: string) => {
    const i = lines.findIndex((l) => new RegExp(`^\\s*["']?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(l));
    return i === -1 ? undefined : i + 1;
  };
  const pep508 = (s: string, dev: boolean) => {
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(\(?[^;]*\)?)?/.exec(s);
    if (!m) return;
    const spec = (m[2] ?? '').replace(/[()\s]/g, '');
    add({ name: m[1]!, ecosystem: 'python', spec, version: pyMinVersion(spec), dev, file: path, line: lineOf(m[1]!) });
  };
  const table = (t: unknown, dev: boolean) => {
    if (!t || typeof t !== 'object') return;
    for (const [name, v] of Object.entries(t as Record<string, unknown>)) {
      if (name.toLowerCase() === 'python') continue;
      const spec = typeof v === 'string' ? v : typeof v === 'object' && v && typeof (v as { version?: unknown }).version === 'string' ? (v as { version: string }).version : '';
      add({ name, ecosystem: 'python', spec: spec === '*' ? '*' : spec, version: pyMinVersion(spec.replace(/^\^|^~(?!=)/, '==')), dev, file: path, line: lineOf(name) });
    }
  };
  if (base === 'Pipfile') {
    table(doc.packages, false);
    table(doc['dev-packages'], true);
    return;
  }
  const project = doc.project as { dependencies?: unknown; 'optional-dependencies'?: Record<string, unknown> } | undefined;
  if (Array.isArray(project?.dependencies)) for (const s of project.dependencies) if (typeof s === 'string') pep508(s, false);
  const groups = doc['dependency-groups'] as Record<string, unknown> | undefined;
  if (groups) for (const list of Object.values(groups)) if (Array.isArray(list)) for (const s of list) if (typeof s === 'string') pep508(s, true);
  const poetry = (doc.tool as { poetry?: Record<string, unknown> } | undefined)?.poetry;
  if (poetry) {
    table(poetry.dependencies, false);
    table(poetry['dev-dependencies'], true);
    const pg = poetry.group as Record<string, { dependencies?: unknown }> | undefined;
    if (pg) for (const g of Object.values(pg)) table(g?.dependencies, true);
  }
}

function npmMinVersion(spec: string): string | undefined {
  try {
    return semver.validRange(spec) ? semver.minVersion(spec)?.version : undefined;
  } catch {
    return undefined;
  }
}

/** Lowest version a simple PEP 440 specifier pins or allows ("==3.0.3" -> 3.0.3, ">=2.1" -> 2.1). */
export function pyMinVersion(spec: string): string | undefined {
  const m = /(?:===?|~=|>=)\s*([0-9][0-9A-Za-z.+!-]*)/.exec(spec);
  return m?.[1];
}
