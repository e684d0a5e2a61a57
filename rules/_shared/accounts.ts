/**
 * Account-feature rules (password reset, email verification, two-factor): find an app's password
 * login and its registration route, and look for evidence of a feature across the app's parse trees
 * (route paths and handler names, function and class names, identifiers, imported modules, settings).
 */
import type { App, ProjectFacts } from '../../src/engine/facts.js';
import type { ProjectContext, TextRange } from '../../src/engine/types.js';
import type { PyCall, PyModule } from '../../src/parsers/python.js';
import { dotted, ts, walk, type ScriptModule } from '../../src/parsers/script.js';
import { appMemo, appPyAny, appPyParts, appScriptAny, appScriptParts, dottedNamesIn, isBackendApp, perApp, pyFileMemo, pyFileTest, scriptFileMemo, scriptFileTest, some, type FileMemo } from './project.js';
import { checksPassword, JS_VERIFY, PASSWORDISH, PY_VERIFY } from './login.js';
import { authRouteKind, callsIn, isStateChanging, pythonRoutes, scriptRoutes } from './routes.js';
import { pyMaySubmitRoute } from './triggers.js';

/** A login handler may delegate: `auth_manager.login(username, password)`, `authenticate(request, password=...)`. */
const PY_DELEGATE = /(^|\.)\w*(login|sign_?in|authenticate|credentials)$/i;
function pyVerifies(c: PyCall): boolean {
  if ((PY_VERIFY.test(c.qualified) || PY_VERIFY.test(c.callee)) && checksPassword(c)) return true;
  return PY_DELEGATE.test(c.callee || c.qualified) && c.args.some((a) => PASSWORDISH.test(a.value.text) || PASSWORDISH.test(a.name ?? ''));
}

/** Where an auth route of an app is: file and the route decorator / registering call. */
export interface AuthSite { readonly file: string; readonly at: TextRange; readonly line: number }

const PY_HINT = /login|signin|sign_in|register|signup|sign_up|authenticate/i;
const JS_HINT = /login|signin|signIn|register|signup|signUp/;
const JS_HASHERS = ['bcrypt', 'bcryptjs', 'argon2', '@node-rs/argon2', '@node-rs/bcrypt'];

const SITES = {
  login: appMemo('accounts.loginSites', (project, app) => findAuthSites(project, app, 'login')),
  register: appMemo('accounts.registerSites', (project, app) => findAuthSites(project, app, 'register')),
};

/**
 * Auth routes of one kind ('login': a state-changing login route whose handler verifies a password),
 * once per app and audit: password reset, two-factor and the other account rules all ask.
 */
export function authSites(project: ProjectFacts, app: App, kind: 'login' | 'register'): AuthSite[] {
  if (!isBackendApp(app)) return [];
  return perApp(SITES[kind], project, app);
}

function findAuthSites(project: ProjectFacts, app: App, kind: 'login' | 'register'): AuthSite[] {
  const out: AuthSite[] = [];
  for (const { part } of appPyParts(project, app, PY_SITES_IN)) {
    out.push(...part[kind].routes);
    // Django function views are routed from urls.py; the view itself names the flow and verifies the password.
    if (app.frameworks.has('django')) out.push(...part[kind].views);
  }
  let hashes: boolean | undefined;
  for (const { path, part } of appScriptParts(project, app, JS_SITES_IN)) {
    for (const r of part[kind]) {
      // Nest controllers delegate to an auth service; a password hasher imported by the app shows it is a password login.
      if (kind === 'login' && !r.verifies && !(r.nest && (hashes ??= some(appScriptParts(project, app, JS_HASHER_IN), () => true)))) continue;
      out.push({ file: path, at: r.at, line: r.line });
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** One module's auth sites of both kinds: its routes, and (in a views module) Django view functions (the part of SITES the cache keeps per file). */
// A site is a state-changing route the module declares, or a function of a views module (Django),
// so a module needs an auth word and one of those shapes: 39 of the Python corpus's 287 modules with
// an auth word.
const PY_SITES_IN = pyFileMemo('accounts.pySitesIn', (text, path) => PY_HINT.test(text) && (pyMaySubmitRoute(text, true) || /views/.test(path)), (py, path) => {
  const sites = (kind: 'login' | 'register') => {
    const routes: AuthSite[] = [];
    const views: AuthSite[] = [];
    for (const r of pythonRoutes(py, path)) {
      if (authRouteKind(r) !== kind || !isStateChanging(r)) continue;
      if (kind === 'login' && !(r.handler && callsIn(py, r.handler).some(pyVerifies))) continue;
      routes.push({ file: path, at: r.at, line: r.line });
    }
    if (/views/.test(path)) {
      for (const f of py.functions) {
        if (authRouteKind({ path: undefined, handlerName: f.name }) !== kind) continue;
        if (kind === 'login' && !callsIn(py, f).some(pyVerifies)) continue;
        views.push({ file: path, at: f.nameRange, line: f.line });
      }
    }
    return { routes, views };
  };
  return { login: sites('login'), register: sites('register') };
});

/**
 * One JS/TS module's auth routes of both kinds (the part of SITES the cache keeps per file): each
 * state-changing login or register route, whether its handler calls a password check, and whether
 * it is a Nest route (which may delegate the check to a service).
 */
const JS_SITES_IN = scriptFileMemo('accounts.jsSitesIn', JS_HINT, (js, path) => {
  const sites = { login: [] as JsSite[], register: [] as JsSite[] };
  for (const r of scriptRoutes(js, path)) {
    const kind = authRouteKind(r);
    if ((kind !== 'login' && kind !== 'register') || !isStateChanging(r)) continue;
    let verifies = false;
    if (kind === 'login' && r.handler?.body) walk(r.handler.body, (n) => {
      if (ts.isCallExpression(n) && JS_VERIFY.test(dotted(n.expression))) verifies = true;
      return undefined;
    });
    sites[kind].push({ at: r.at, line: r.line, verifies, nest: r.framework === 'nestjs' });
  }
  return sites;
});
interface JsSite { readonly at: TextRange; readonly line: number; readonly verifies: boolean; readonly nest: boolean }

/** A JS/TS module that imports a password hasher (true), per file. */
const JS_HASHER_IN = scriptFileMemo('accounts.jsHasherIn', /bcrypt|argon2/, (js) => (JS_HASHERS.some((h) => js.importsModule(h)) ? true : undefined));

/** What counts as evidence of a feature, by kind of parse-tree node. */
export interface FeatureEvidence {
  /** Route paths and handler names (Python and JS/TS routes). */
  readonly routes: RegExp;
  /** Function, class and method names, dotted names / identifiers in code. */
  readonly names: RegExp;
  /** Python modules whose import is enough. */
  readonly pyModules: readonly string[];
  /** JS/TS modules whose import is enough. */
  readonly jsModules: readonly string[];
  /** String literals that show it (Django URL includes, settings values). */
  readonly strings?: RegExp;
  /** Settings assignments `NAME = value` that turn it on (value must not be False/"none"/"optional"). */
  readonly settings?: RegExp;
  /** Cheap text pre-filter. */
  readonly hint: RegExp;
}

const OFF = /^(False|None|0|['"](none|optional|off)['"])$/i;
const routeText = (r: { path: string | undefined; handlerName: string | undefined }) => `${r.path ?? ''} ${r.handlerName ?? ''}`;

/**
 * A feature's evidence with the per-file tests that look for it (cached per file, so a warm run
 * with one file changed looks at that file only). Call once at module level: `name` names the memos.
 */
export function featureEvidence(name: string, ev: FeatureEvidence): FeatureEvidence & { readonly tests: { readonly py: FileMemo<true | undefined>; readonly js: FileMemo<true | undefined> } } {
  return { ...ev, tests: { py: pyFileTest(`${name}.pyShows`, ev.hint, (py, path) => pyShows(py, path, ev)), js: scriptFileTest(`${name}.jsShows`, ev.hint, (js, path) => jsShows(js, path, ev)) } };
}

/** Does some production source of the app show the feature? */
export function appShows(project: ProjectFacts, app: App, ev: ReturnType<typeof featureEvidence>): boolean {
  return appPyAny(project, app, ev.tests.py) || appScriptAny(project, app, ev.tests.js);
}

function pyShows(py: PyModule, path: string, ev: FeatureEvidence): boolean {
  if (ev.pyModules.some((m) => py.importsModule(m))) return true;
  if (pythonRoutes(py, path).some((r) => ev.routes.test(routeText(r)) || (r.viewRef !== undefined && ev.names.test(r.viewRef)))) return true;
  if (py.functions.some((f) => ev.names.test(f.name)) || py.classes.some((c) => ev.names.test(c.name))) return true;
  if ([...dottedNamesIn(py, { start: 0, end: py.text.length })].some((n) => ev.names.test(n))) return true;
  if (ev.strings && py.strings.some((s) => ev.strings!.test(s.value))) return true;
  return !!ev.settings && py.assignments.some((a) => ev.settings!.test(a.target) && !OFF.test(a.value.text.trim()));
}

function jsShows(js: ScriptModule, path: string, ev: FeatureEvidence): boolean {
  if (ev.jsModules.some((m) => js.importsModule(m))) return true;
  if (scriptRoutes(js, path).some((r) => ev.routes.test(routeText(r)))) return true;
  let seen = false;
  walk(js.sf, (n) => {
    if (seen) return false;
    if (ts.isIdentifier(n) && ev.names.test(n.text)) seen = true;
    return undefined;
  });
  return seen;
}

/**
 * Apps with a `kind` route (password login, registration) and no evidence of the feature, each with
 * its first such route: one finding per app, at the route a reviewer would add the feature next to.
 */
export function appsLacking(project: ProjectFacts, kind: 'login' | 'register', ev: ReturnType<typeof featureEvidence>): { app: App; site: AuthSite }[] {
  const out: { app: App; site: AuthSite }[] = [];
  for (const app of project.apps) {
    const site = authSites(project, app, kind)[0];
    if (site && !appShows(project, app, ev)) out.push({ app, site });
  }
  return out;
}

/** The project check of an account-feature rule: one `missing` finding per app lacking the feature, at its first `kind` route. */
export function missingFeatureCheck(kind: 'login' | 'register', ev: ReturnType<typeof featureEvidence>) {
  return <O>(ctx: ProjectContext<'missing', O>): void => {
    for (const { app, site } of appsLacking(ctx.project, kind, ev)) {
      ctx.report({ messageId: 'missing', data: { app: app.name, route: `${site.file}:${site.line}` }, file: site.file, at: site.at });
    }
  };
}
