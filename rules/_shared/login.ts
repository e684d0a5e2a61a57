/**
 * Password logins of an app, for the account rules: routes classified as login (or token) by
 * `authRouteKind`, accepting a state-changing method, whose handler checks a password itself
 * (`check_password_hash`, `bcrypt.compare`) or hands one to a login service
 * (`auth_manager.login(username, password)`, `this.auth.login(body.email, body.password)`).
 * Django views are resolved from urls.py to their module; `django.contrib.auth.views.LoginView`
 * and Passport's local strategy verify the password themselves.
 */
import type { App, ProjectFacts } from '../../src/engine/facts.js';
import type { TextRange } from '../../src/engine/types.js';
import { type PyCall, type PyFunction, type PyModule } from '../../src/parsers/python.js';
import { dotted, literalValue, ts, walk, type ScriptModule } from '../../src/parsers/script.js';
import { appFiles, appMemo, fileMemo, perApp, perFile, pyFileMemo, scriptFileMemo } from './project.js';
import { authRouteKind, callsIn, isStateChanging, pythonRoutes, scriptRoutes, type JsRoute, type PyRoute } from './routes.js';
import { pyMaySubmitRoute } from './triggers.js';

/** Calls that verify a password. */
export const PY_VERIFY = /(^|\.)(check_password_hash|check_password|verify_password|verify|checkpw|authenticate|check_pw)$/;
export const JS_VERIFY = /(^|\.)(compare|compareSync|verify|checkPassword|comparePassword|validatePassword|verifyPassword)$/;
/** Login services a handler hands the password to. */
const DELEGATE = /(^|\.)(login|log_in|sign_in|signin|logIn|signIn|validateUser|validate_user|check_credentials|checkCredentials)$/;
/** A bare `verify()` (pwd_context.verify, tokens.verify) checks a password only when a password goes in. */
export const PASSWORDISH = /pass|pwd|\bpw\b|secret|credential/i;
/** Text pre-filter for files that can hold a login route. */
export const LOGIN_HINT = /login|log_in|signin|sign_in|token|authenticate|LoginView/i;

export function checksPassword(c: PyCall): boolean {
  if (!/(^|\.)verify$/.test(c.callee || c.qualified)) return true;
  return c.args.some((a) => PASSWORDISH.test(a.value.text) || PASSWORDISH.test(a.name ?? ''));
}

/** Does the Python function check a password, itself or through a login service? */
export function pyVerifiesPassword(py: PyModule, fn: PyFunction): boolean {
  return callsIn(py, fn).some(
    (c) => ((PY_VERIFY.test(c.qualified) || PY_VERIFY.test(c.callee)) && checksPassword(c)) || (DELEGATE.test(c.callee) && c.args.some((a) => PASSWORDISH.test(a.value.text))),
  );
}

/** Does the JS/TS body check a password, itself or through a login service? */
export function jsVerifiesPassword(body: ts.Node): boolean {
  let verifies = false;
  walk(body, (n) => {
    if (verifies) return false;
    if (!ts.isCallExpression(n)) return undefined;
    const callee = dotted(n.expression);
    if (JS_VERIFY.test(callee) || (DELEGATE.test(callee) && n.arguments.some((a) => PASSWORDISH.test(a.getText())))) verifies = true;
    else if (isPassportLocal(n)) verifies = true;
    return undefined;
  });
  return verifies;
}

/** `passport.authenticate('local', ...)`: the local strategy checks the password. */
function isPassportLocal(n: ts.Node): boolean {
  return ts.isCallExpression(n) && /(^|\.)passport\.authenticate$/.test(dotted(n.expression)) && literalValue(n.arguments[0]) === 'local';
}

export type LoginRoute =
  | { readonly lang: 'python'; readonly file: string; readonly at: TextRange; readonly name: string; readonly route: PyRoute; readonly py: PyModule; readonly handler: PyFunction | undefined; readonly handlerPy: PyModule | undefined }
  | { readonly lang: 'script'; readonly file: string; readonly at: TextRange; readonly name: string; readonly route: JsRoute; readonly js: ScriptModule };

/**
 * Every password login route of an app's production code, in file order. `handler` is undefined for
 * a framework's own login view (Django's LoginView), whose body is not in the repository.
 */
export function appLoginRoutes(project: ProjectFacts, app: App): LoginRoute[] {
  // The memo holds where the routes are; their modules are parsed here, by the rule that asks, so
  // a warm run re-validates the memo from cached per-file parts without parsing a route module.
  const out: LoginRoute[] = [];
  for (const ref of perApp(LOGIN_ROUTES, project, app)) {
    if (ref.lang === 'script') {
      const js = project.script(ref.file);
      const route = js && scriptRoutes(js, ref.file)[ref.route];
      if (js && route) out.push({ lang: 'script', file: ref.file, at: route.at, name: ref.name, route, js });
      continue;
    }
    const py = project.python(ref.file);
    const route = py && pythonRoutes(py, ref.file)[ref.route];
    if (!py || !route) continue;
    const handlerPy = ref.handler && project.python(ref.handler.file);
    const handler = ref.handler && handlerPy?.functions[ref.handler.fn];
    if (ref.handler && !handler) continue;
    out.push({ lang: 'python', file: ref.file, at: route.at, name: ref.name, route, py, handler, handlerPy: handler ? handlerPy : undefined });
  }
  return out;
}

/** Where a login route is (the memo's value, plain data): its module, its index in pythonRoutes / scriptRoutes, and its handler's function. */
type LoginRef =
  | { readonly lang: 'python'; readonly file: string; readonly route: number; readonly name: string; readonly handler: { readonly file: string; readonly fn: number } | undefined }
  | { readonly lang: 'script'; readonly file: string; readonly route: number; readonly name: string };

/** appLoginRoutes is asked by several rules (audit log, session timeout): computed once per app and audit. */
const LOGIN_ROUTES = appMemo('login.loginRoutes', (project, app) => findLoginRoutes(project, app));

function findLoginRoutes(project: ProjectFacts, app: App): LoginRef[] {
  const out: LoginRef[] = [];
  let pyFiles: string[] | undefined;
  for (const file of appFiles(project, app, /\.(py|[cm]?[jt]sx?)$/)) {
    if (file.endsWith('.d.ts')) continue;
    if (file.endsWith('.py')) {
      const part = perFile(PY_LOGINS_IN, project, file);
      for (const c of part?.routes ?? []) {
        if (c.loginView) {
          out.push({ lang: 'python', file, route: c.index, name: 'LoginView', handler: undefined });
          continue;
        }
        if (c.handler) {
          if (c.verifies) out.push({ lang: 'python', file, route: c.index, name: c.handler.name, handler: { file, fn: c.handler.fn } });
          continue;
        }
        // A Django route naming a view of another module: only the modules defining that name are parsed.
        if (c.djangoView === undefined) continue;
        const found = djangoViewFunction(project, c.djangoView, (pyFiles ??= appFiles(project, app, /\.py$/)));
        if (found && pyVerifiesPassword(found.py, found.fn)) {
          out.push({ lang: 'python', file, route: c.index, name: handlerName(found.fn), handler: { file: found.file, fn: found.py.functions.indexOf(found.fn) } });
        }
      }
    } else {
      for (const r of perFile(JS_LOGINS_IN, project, file) ?? []) out.push({ lang: 'script', file, route: r.index, name: r.name });
    }
  }
  return out;
}

/** `Class.method()` or `function()`, as findings name a handler. */
function handlerName(fn: PyFunction): string {
  const owner = fn.scope.classes.at(-1);
  return owner ? `${owner}.${fn.name}()` : `${fn.name}()`;
}

/**
 * The view a Django route names: the last top-level function `name` (or `post` method of a class
 * `name`) of the last module (in `files` order) that has one, as a map of every module's
 * definitions by name would hold it. Looked for from the end, parsing only modules whose text
 * holds the name, so a project with Django routes no longer parses every module with a login
 * word (46 modules of the Python corpus, re-parsed by the project phase of a 2-thread run).
 */
function djangoViewFunction(project: ProjectFacts, name: string, files: readonly string[]): { fn: PyFunction; py: PyModule; file: string } | undefined {
  if (!name) return undefined;
  for (let k = files.length - 1; k >= 0; k--) {
    if (!perFile(PY_DEFINES_IN, project, files[k]!)?.includes(name)) continue;
    const py = project.python(files[k]!);
    if (!py) continue;
    let found: { fn: PyFunction; py: PyModule; file: string } | undefined;
    for (const fn of py.functions) {
      if (fn.scope.functions.length > 0) continue;
      if (fn.scope.classes.length === 0 ? fn.name === name : fn.name === 'post' && fn.scope.classes.length === 1 && fn.scope.classes[0] === name) found = { fn, py, file: files[k]! };
    }
    if (found) return found;
  }
  return undefined;
}

/**
 * One module's part of the login routes (cached per file): its state-changing login/token routes by
 * index in pythonRoutes, whether each is Django's own LoginView and whether its handler in this
 * module verifies a password. Only the module's own routes count (djangoViewFunction finds views
 * elsewhere), so a module needs a route shape.
 */
const PY_LOGINS_IN = pyFileMemo('login.pyLoginsIn', (text) => LOGIN_HINT.test(text) && pyMaySubmitRoute(text, true), (py, file) => {
  const routes: { index: number; loginView: boolean; verifies: boolean; handler: { name: string; fn: number } | undefined; djangoView: string | undefined }[] = [];
  pythonRoutes(py, file).forEach((r, index) => {
    const kind = authRouteKind(r);
    if ((kind !== 'login' && kind !== 'token') || !isStateChanging(r)) return;
    const ref = (r.viewRef ?? '').replace(/\(.*$/s, '');
    const loginView = !r.handler && r.framework === 'django' && /(^|\.)LoginView\.as_view$/.test(ref) && /^django\.contrib\.auth\./.test(py.qualify(ref));
    routes.push({
      index,
      loginView,
      verifies: r.handler !== undefined && pyVerifiesPassword(py, r.handler),
      handler: r.handler && { name: handlerName(r.handler), fn: py.functions.indexOf(r.handler) },
      djangoView: !r.handler && r.framework === 'django' ? (r.handlerName?.split('.').at(-1) ?? '') : undefined,
    });
  });
  return { routes };
});

/**
 * One JS/TS module's part of the login routes (cached per file): the indexes in scriptRoutes of its
 * state-changing login/token routes that verify a password (Passport's local strategy included),
 * with the name findings give each.
 */
const JS_LOGINS_IN = scriptFileMemo('login.jsLoginsIn', LOGIN_HINT, (js, file) => {
  const routes: { index: number; name: string }[] = [];
  scriptRoutes(js, file).forEach((r, index) => {
    const kind = authRouteKind(r);
    if ((kind !== 'login' && kind !== 'token') || !isStateChanging(r)) return;
    const viaPassport = r.middleware.some((m) => { let hit = false; walk(m, (n) => { if (isPassportLocal(n)) hit = true; return undefined; }); return hit || isPassportLocal(m); });
    if (viaPassport || (r.handler?.body && jsVerifiesPassword(r.handler.body))) routes.push({ index, name: r.handlerName ?? r.path ?? 'login' });
  });
  return routes;
});

/**
 * The names a login-word module may define as a function or class (`def name`, `class name`, at
 * any indentation, Unicode names too: a superset of its top-level functions and classes), read from its text and
 * cached per file, so looking up a Django view parses only the modules that can define it.
 */
const PY_DEFINES_IN = fileMemo('login.pyDefinesIn', (project, path) => {
  const text = project.readText(path);
  if (text === undefined || !LOGIN_HINT.test(text)) return undefined;
  return [...new Set(Array.from(text.matchAll(/\b(?:def|class)(?:[ \t]|\\\r?\n)+([\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*)/gu), (m) => m[1]!))];
});
