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
import { appFiles, appMemo, perApp, perFile, pyFileMemo, scriptFileMemo } from './project.js';
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
  return perApp(LOGIN_ROUTES, project, app);
}

/** appLoginRoutes is asked by several rules (audit log, session timeout): computed once per app and audit. */
const LOGIN_ROUTES = appMemo('login.loginRoutes', (project, app) => findLoginRoutes(project, app));

function findLoginRoutes(project: ProjectFacts, app: App): LoginRoute[] {
  const out: LoginRoute[] = [];
  let pyFiles: string[] | undefined;
  for (const file of appFiles(project, app, /\.(py|[cm]?[jt]sx?)$/)) {
    if (file.endsWith('.d.ts')) continue;
    if (file.endsWith('.py')) {
      const part = perFile(PY_LOGINS_IN, project, file);
      if (!part?.routes.length) continue;
      // Only modules with a candidate route are parsed here, to hand the route and handler to the rules.
      const py = project.python(file);
      if (!py) continue;
      const routes = pythonRoutes(py, file);
      for (const c of part.routes) {
        const r = routes[c.index]!;
        if (c.loginView) {
          out.push({ lang: 'python', file, at: r.at, name: 'LoginView', route: r, py, handler: undefined, handlerPy: undefined });
          continue;
        }
        let handler = r.handler;
        let handlerPy: PyModule | undefined = handler ? py : undefined;
        let verifies = c.verifies;
        if (!handler && r.framework === 'django') {
          const found = djangoViewFunction(project, r.handlerName?.split('.').at(-1) ?? '', (pyFiles ??= appFiles(project, app, /\.py$/)));
          if (found) ({ fn: handler, py: handlerPy } = found);
          verifies = handler !== undefined && handlerPy !== undefined && pyVerifiesPassword(handlerPy, handler);
        }
        if (!handler || !handlerPy || !verifies) continue;
        const owner = handler.scope.classes.at(-1);
        out.push({ lang: 'python', file, at: r.at, name: owner ? `${owner}.${handler.name}()` : `${handler.name}()`, route: r, py, handler, handlerPy });
      }
    } else {
      const part = perFile(JS_LOGINS_IN, project, file);
      if (!part?.length) continue;
      const js = project.script(file);
      if (!js) continue;
      const routes = scriptRoutes(js, file);
      for (const index of part) {
        const r = routes[index]!;
        out.push({ lang: 'script', file, at: r.at, name: r.handlerName ?? r.path ?? 'login', route: r, js });
      }
    }
  }
  return out;
}

/**
 * The view a Django route names: the last top-level function `name` (or `post` method of a class
 * `name`) of the last module (in `files` order) that has one, as a map of every module's
 * definitions by name would hold it. Looked for from the end, parsing only modules whose text
 * holds the name, so a project with Django routes no longer parses every module with a login
 * word (46 modules of the Python corpus, re-parsed by the project phase of a 2-thread run).
 */
function djangoViewFunction(project: ProjectFacts, name: string, files: readonly string[]): { fn: PyFunction; py: PyModule } | undefined {
  if (!name) return undefined;
  for (let k = files.length - 1; k >= 0; k--) {
    const text = project.readText(files[k]!);
    if (!text || !text.includes(name) || !LOGIN_HINT.test(text)) continue;
    const py = project.python(files[k]!);
    if (!py) continue;
    let found: { fn: PyFunction; py: PyModule } | undefined;
    for (const fn of py.functions) {
      if (fn.scope.functions.length > 0) continue;
      if (fn.scope.classes.length === 0 ? fn.name === name : fn.name === 'post' && fn.scope.classes.length === 1 && fn.scope.classes[0] === name) found = { fn, py };
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
  const routes: { index: number; loginView: boolean; verifies: boolean }[] = [];
  pythonRoutes(py, file).forEach((r, index) => {
    const kind = authRouteKind(r);
    if ((kind !== 'login' && kind !== 'token') || !isStateChanging(r)) return;
    const ref = (r.viewRef ?? '').replace(/\(.*$/s, '');
    const loginView = !r.handler && r.framework === 'django' && /(^|\.)LoginView\.as_view$/.test(ref) && /^django\.contrib\.auth\./.test(py.qualify(ref));
    routes.push({ index, loginView, verifies: r.handler !== undefined && pyVerifiesPassword(py, r.handler) });
  });
  return { routes };
});

/**
 * One JS/TS module's part of the login routes (cached per file): the indexes in scriptRoutes of its
 * state-changing login/token routes that verify a password (Passport's local strategy included).
 */
const JS_LOGINS_IN = scriptFileMemo('login.jsLoginsIn', LOGIN_HINT, (js, file) => {
  const routes: number[] = [];
  scriptRoutes(js, file).forEach((r, index) => {
    const kind = authRouteKind(r);
    if ((kind !== 'login' && kind !== 'token') || !isStateChanging(r)) return;
    const viaPassport = r.middleware.some((m) => { let hit = false; walk(m, (n) => { if (isPassportLocal(n)) hit = true; return undefined; }); return hit || isPassportLocal(m); });
    if (viaPassport || (r.handler?.body && jsVerifiesPassword(r.handler.body))) routes.push(index);
  });
  return routes;
});
