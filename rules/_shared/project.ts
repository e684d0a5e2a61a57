/**
 * Project-wide lookups for rules whose answer depends on other files of the same app
 * ("is CSRFProtect initialised anywhere?", "is helmet used anywhere?"), and expression walks
 * inside Python handler bodies. Text needles are only a cheap pre-filter before parsing.
 */
import { PER_APP, type App, type PerAppMemo, type ProjectFacts } from '../../src/engine/facts.js';
import { asStored, defineMemo, type MemoDef } from '../../src/engine/memo.js';
import { BACKEND_FRAMEWORKS, type Framework, type TextRange } from '../../src/engine/types.js';
import { dottedName, type PyExpr, type PyModule } from '../../src/parsers/python.js';
import type { ScriptModule } from '../../src/parsers/script.js';
import { escapeRegex } from './triggers.js';

const PY_FILE = /\.py$/;
const JS_FILE = /\.(?:[cm]?[jt]sx?)$/;

/** Production files of an app (tests, examples and dev config excluded). */
export function appFiles(project: ProjectFacts, app: App, ext: RegExp): string[] {
  return project.filesOf(app).filter((f) => ext.test(f) && project.contextOf(f) === 'production');
}

/**
 * A cheap test of a module's text (and path) before it is parsed: a word it must contain, a
 * pattern, or a predicate for evidence that needs more than one word (an auth word in a module
 * that can declare a state-changing route), so that scans parse only modules that can hold it.
 */
export type Needle = string | RegExp | ((text: string, path: string) => boolean);

function needleHolds(needle: Needle, text: string, path: string): boolean {
  return typeof needle === 'string' ? text.includes(needle) : typeof needle === 'function' ? needle(text, path) : needle.test(text);
}

/**
 * Python modules of the app whose text passes `needle`, parsed one at a time as the caller
 * iterates: a caller that stops at the first evidence (`for … return`, `some`) parses no further.
 */
export function* appPython(project: ProjectFacts, app: App, needle: Needle): Generator<{ path: string; py: PyModule }> {
  for (const path of appFiles(project, app, PY_FILE)) {
    const text = project.readText(path);
    if (text === undefined || !needleHolds(needle, text, path)) continue;
    const py = project.python(path);
    if (py) yield { path, py };
  }
}

/** JS/TS modules of the app whose text contains `needle`, parsed lazily as `appPython`'s. */
export function* appScripts(project: ProjectFacts, app: App, needle: string | RegExp): Generator<{ path: string; js: ScriptModule }> {
  for (const path of appFiles(project, app, JS_FILE)) {
    const text = project.readText(path);
    if (text === undefined || !(typeof needle === 'string' ? text.includes(needle) : needle.test(text))) continue;
    const js = project.script(path);
    if (js) yield { path, js };
  }
}

/** `Array.prototype.some` for any iterable, stopping at the first match (Node 20 has no iterator helpers). */
export function some<T>(items: Iterable<T>, test: (item: T) => boolean): boolean {
  for (const item of items) if (test(item)) return true;
  return false;
}

/** Does some JS/TS module of the app import one of `modules` (or a subpath of one)? */
export function appImportsJs(project: ProjectFacts, app: App, modules: readonly string[]): boolean {
  const needle = new RegExp(modules.map((m) => escapeRegex(m)).join('|'));
  return some(appScripts(project, app, needle), ({ js }) => modules.some((m) => js.importsModule(m)));
}

/** Does some Python module of the app import one of `modules` (or a submodule)? */
export function appImportsPy(project: ProjectFacts, app: App, modules: readonly string[]): boolean {
  const needle = new RegExp(modules.map((m) => escapeRegex(m)).join('|'));
  return some(appPython(project, app, needle), ({ py }) => modules.some((m) => py.importsModule(m)));
}

/**
 * A per-app computation shared by every file a rule audits ("is CSRFProtect initialised anywhere
 * in the app?"), defined once at module level under a unique name: `perApp(MEMO, project, app)`
 * computes it once per app and thread. The engine records what it read and a digest of its value,
 * so a file that used it stays cached as long as the value is the same (see src/engine/memo.ts).
 * `compute` may depend only on the project and the app it is given.
 */
export function appMemo<T>(name: string, compute: (project: ProjectFacts, app: App) => T): AppMemo<T> {
  return defineMemo(name, 'app', (project, app) => compute(project, app!)) as AppMemo<T>;
}

/** A computation over the whole project (every app), once per audit; it must not depend on frameworks. */
export function projectMemo<T>(name: string, compute: (project: ProjectFacts) => T): ProjectMemo<T> {
  return defineMemo(name, 'project', (project) => compute(project)) as ProjectMemo<T>;
}

/**
 * One file's part of an app-wide scan (`compute` reads that file only, and returns JSON data: the
 * cache keeps the value with the file's content hash). An app memo built from parts is recomputed
 * on a warm run from the cached parts of unchanged files, parsing only the changed ones.
 */
export function fileMemo<T>(name: string, compute: (project: ProjectFacts, path: string) => T): FileMemo<T> {
  return defineMemo(name, 'file', (project, _app, path) => compute(project, path!)) as FileMemo<T>;
}

/** A file part over modules whose text passes `needle`, parsed by `parse` (undefined for the others, which are not parsed). */
function parsedFileMemo<M, T>(name: string, needle: Needle, parse: (project: ProjectFacts, path: string) => M | undefined, part: (m: M, path: string) => T): FileMemo<T | undefined> {
  return fileMemo(name, (project, path) => {
    const text = project.readText(path);
    if (text === undefined || !needleHolds(needle, text, path)) return undefined;
    const m = parse(project, path);
    return m ? part(m, path) : undefined;
  });
}

/** A file part over Python modules whose text passes `needle`. */
export function pyFileMemo<T>(name: string, needle: Needle, part: (py: PyModule, path: string) => T): FileMemo<T | undefined> {
  return parsedFileMemo(name, needle, (project, path) => project.python(path), part);
}

/** A file part over JS/TS modules whose text passes `needle`. */
export function scriptFileMemo<T>(name: string, needle: Needle, part: (js: ScriptModule, path: string) => T): FileMemo<T | undefined> {
  return parsedFileMemo(name, needle, (project, path) => project.script(path), part);
}

export type AppMemo<T> = MemoDef<T> & { readonly scope: 'app' };
export type ProjectMemo<T> = MemoDef<T> & { readonly scope: 'project' };
export type FileMemo<T> = MemoDef<T> & { readonly scope: 'file' };

/** Plain facts (unit tests build them) have no engine memo: one value per facts object, memo and app or file. */
const PLAIN = new WeakMap<ProjectFacts, Map<MemoDef, Map<App | string | undefined, unknown>>>();

function memoised<T>(def: MemoDef<T>, project: ProjectFacts, app: App | undefined, path?: string): T {
  const memo = (project as ProjectFacts & { [PER_APP]?: PerAppMemo })[PER_APP];
  if (memo) return memo(def, app, path) as T;
  let byDef = PLAIN.get(project);
  if (!byDef) PLAIN.set(project, (byDef = new Map()));
  let bySubject = byDef.get(def);
  if (!bySubject) byDef.set(def, (bySubject = new Map()));
  const subject = path ?? app;
  if (!bySubject.has(subject)) bySubject.set(subject, def.scope === 'file' ? asStored(def.compute(project, app, path)) : def.compute(project, app, path));
  return bySubject.get(subject) as T;
}

/** The value of a file memo for this path. */
export function perFile<T>(def: FileMemo<T>, project: ProjectFacts, path: string): T {
  return memoised(def, project, undefined, path);
}

/** The defined parts of an app's production Python modules, in file order. */
export function* appPyParts<T>(project: ProjectFacts, app: App, def: FileMemo<T | undefined>): Generator<{ path: string; part: T }> {
  for (const path of appFiles(project, app, PY_FILE)) {
    const part = perFile(def, project, path);
    if (part !== undefined) yield { path, part };
  }
}

/** A yes/no question about one Python module whose text passes `needle`, cached per file (true, or undefined for no). */
export function pyFileTest(name: string, needle: Needle, test: (py: PyModule, path: string) => boolean): FileMemo<true | undefined> {
  return pyFileMemo(name, needle, (py, path) => (test(py, path) ? true : undefined));
}

/** A yes/no question about one JS/TS module, as pyFileTest's. */
export function scriptFileTest(name: string, needle: Needle, test: (js: ScriptModule, path: string) => boolean): FileMemo<true | undefined> {
  return scriptFileMemo(name, needle, (js, path) => (test(js, path) ? true : undefined));
}

/** Does some production module of the app pass the file test? (Stops at the first one, as `some(appPython(...))` did.) */
export function appPyAny(project: ProjectFacts, app: App, def: FileMemo<true | undefined>): boolean {
  return some(appPyParts(project, app, def), () => true);
}

export function appScriptAny(project: ProjectFacts, app: App, def: FileMemo<true | undefined>): boolean {
  return some(appScriptParts(project, app, def), () => true);
}

/** The defined parts of an app's production JS/TS modules (as appScripts lists them), in file order. */
export function* appScriptParts<T>(project: ProjectFacts, app: App, def: FileMemo<T | undefined>): Generator<{ path: string; part: T }> {
  for (const path of appFiles(project, app, JS_FILE)) {
    const part = perFile(def, project, path);
    if (part !== undefined) yield { path, part };
  }
}

/** The value of an app memo for this app (computed once per app and thread). */
export function perApp<T>(def: AppMemo<T>, project: ProjectFacts, app: App): T {
  return memoised(def, project, app);
}

/**
 * The value of a project memo. (A `WeakMap` keyed by the facts would cache per audited file: the
 * engine gives each file its own view of the facts.)
 */
export function perProject<T>(def: ProjectMemo<T>, project: ProjectFacts): T {
  return memoised(def, project, undefined);
}

// ---------------------------------------------------------------- Python expressions

/** Visit an expression and every sub-expression (depth-first). Return false to skip children. */
export function walkPy(e: PyExpr | undefined, visit: (e: PyExpr) => boolean | void, depth = 0): void {
  if (!e || depth > 60) return;
  if (visit(e) === false) return;
  const d = depth + 1;
  switch (e.kind) {
    case 'fstring':
      for (const i of e.interpolations) walkPy(i, visit, d);
      break;
    case 'attr':
      walkPy(e.object, visit, d);
      break;
    case 'call':
      walkPy(e.call.func, visit, d);
      for (const a of e.call.args) walkPy(a.value, visit, d);
      break;
    case 'subscript':
      walkPy(e.object, visit, d);
      walkPy(e.index, visit, d);
      break;
    case 'dict':
      for (const x of e.entries) {
        walkPy(x.key, visit, d);
        walkPy(x.value, visit, d);
      }
      break;
    case 'list':
    case 'tuple':
    case 'set':
      for (const x of e.elements) walkPy(x, visit, d);
      break;
    case 'binop':
    case 'boolop':
      walkPy(e.left, visit, d);
      walkPy(e.right, visit, d);
      break;
    case 'not':
      walkPy(e.operand, visit, d);
      break;
    case 'compare':
      for (const x of e.operands) walkPy(x, visit, d);
      break;
    case 'ifexp':
      walkPy(e.body, visit, d);
      walkPy(e.test, visit, d);
      walkPy(e.orelse, visit, d);
      break;
    default:
      break;
  }
}

/** The expressions written inside a range that the facade records: call callees and arguments, assignment targets and values. */
export function pyExprsIn(py: PyModule, range: TextRange): PyExpr[] {
  const out: PyExpr[] = [];
  for (const c of py.calls) {
    if (c.range.start < range.start || c.range.end > range.end) continue;
    out.push(c.func, ...c.args.map((a) => a.value));
  }
  for (const a of py.assignments) {
    if (a.range.start < range.start || a.range.end > range.end) continue;
    out.push(a.targetExpr, a.value);
  }
  return out;
}

/**
 * Qualified dotted names read inside a range ("flask.request.form", "flask.session"), from
 * attribute chains and subscripted objects: `request.form["x"]` gives "flask.request.form".
 */
export function dottedNamesIn(py: PyModule, range: TextRange): Set<string> {
  const out = new Set<string>();
  for (const e of pyExprsIn(py, range)) {
    walkPy(e, (x) => {
      if (x.kind === 'attr' || x.kind === 'name') {
        const d = dottedName(x);
        if (d) out.add(py.qualify(d));
      }
    });
  }
  return out;
}

/** Does the app run a web backend? (A front end alone, or a library, is not judged by backend rules.) */
export function isBackendApp(app: { readonly frameworks: ReadonlySet<Framework> }): boolean {
  return BACKEND_FRAMEWORKS.some((f) => app.frameworks.has(f));
}

/** Apps that run a web backend. */
export function backendApps(project: ProjectFacts): App[] {
  return project.apps.filter(isBackendApp);
}

/** The first dependency of the app whose name matches, if any. */
export function dependsOn(app: App, names: RegExp): string | undefined {
  for (const name of app.dependencies.keys()) if (names.test(name)) return name;
  return undefined;
}

/** Production Python and JS/TS sources of an app. */
export function appSources(project: ProjectFacts, app: App): string[] {
  return appFiles(project, app, /\.(py|[cm]?[jt]sx?)$/).filter((f) => !f.endsWith('.d.ts'));
}

/**
 * What `importsAny` looks for: modules matching `modules`, in sources whose text matches `hint`.
 * Defined once at module level under a unique name (it is a pair of file memos: a warm run with one
 * file changed looks at that file only).
 */
export interface ImportsOf {
  readonly py: FileMemo<string | undefined>;
  readonly js: FileMemo<string | undefined>;
}

export function importsOf(name: string, modules: RegExp, hint: RegExp): ImportsOf {
  const first = (list: Iterable<string>) => {
    for (const m of list) if (modules.test(m)) return m;
    return undefined;
  };
  return {
    py: pyFileMemo(`${name}.py`, hint, (py) => first(py.modules)),
    js: scriptFileMemo(`${name}.js`, hint, (js) => first(js.modules)),
  };
}

/** The first module `what` names that some production source of the app imports (Python modules first). */
export function importsAny(project: ProjectFacts, app: App, what: ImportsOf): string | undefined {
  for (const { part } of appPyParts(project, app, what.py)) return part;
  for (const { part } of appScriptParts(project, app, what.js)) return part;
  return undefined;
}

/** Where an app-level finding goes: the first entry point (app.py, server.js, src/main.ts, ...), else its first manifest. */
export function anchorFile(app: App): string | undefined {
  return app.entryPoints[0] ?? app.manifests.find((m) => /package\.json$|requirements|pyproject|Pipfile/.test(m)) ?? app.manifests[0];
}
