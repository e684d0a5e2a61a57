import { defineRule } from '../src/engine/rule.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import type { PyFunction, PyModule } from '../src/parsers/python.js';
import { dottedName } from '../src/parsers/python.js';
import { literalValue, objectProps, type ts } from '../src/parsers/script.js';
import { appImportsJs, appImportsPy, appMemo, appPython, appScripts, dottedNamesIn, perApp } from './_shared/project.js';
import { configItems, inDevOnlyClass, isSettingsModule } from './_shared/python.js';
import { isStateChanging, pythonRoutes, scriptRoutes, type PyRoute } from './_shared/routes.js';
import { jsHasEscape, pyTextHas } from './_shared/triggers.js';

/** Endpoints that are called by other servers, not browsers: exempting them from CSRF is correct. */
const MACHINE_ENDPOINT = /webhook|hook|callback|notify|notification|ipn|stripe|paypal|twilio|slack|github|sns|health|api[/_-]?v?\d*[/_-]?token/i;
/** Node packages that provide CSRF protection. */
const JS_CSRF = ['csurf', 'csrf-csrf', 'lusca', 'csrf-sync', 'tiny-csrf', '@dr.pogodin/csurf', 'csrf', '@fastify/csrf-protection', 'koa-csrf', 'next-csrf', '@edge-csrf/nextjs', '@edge-csrf/core'];
/** Flask reads that mean a route handles a browser form or a cookie session. */
const FLASK_BROWSER_INPUT = /^flask\.(request\.(form|values)|session)\b|^flask_login\.(current_user|login_user)\b/;
/** Request headers that carry credentials a browser never attaches on its own. */
const AUTH_HEADER = /^(authorization|x-api-key|api-key|x-auth-token|x-access-token)$/i;

/**
 * Python: a flask.Flask / quart.Quart call (the class name is in the call or its import), an
 * `.exempt` / csrf_exempt call or decorator, a WTF_CSRF_ENABLED config item (a key in a string may
 * use escapes), or a MIDDLEWARE / MIDDLEWARE_CLASSES assignment or `.remove` call.
 */
const pyMayReport = (text: string) => /\bFlask\b|\bQuart\b|exempt|\bMIDDLEWARE/.test(text) || pyTextHas(text, /WTF_CSRF_ENABLED/);
/** Script: a session middleware call, qualified by its import (module names are strings: JS_ESCAPE). */
const JS_SESSION_MODULE = /(?:express|cookie|koa)-session|@fastify\/(?:secure-)?session/;

interface FlaskInfo {
  readonly protected: boolean;
  readonly formRoute: { path: string; route: PyRoute } | undefined;
}
const FLASK_INFO = appMemo('csrf-missing.flaskInfo', (project, app) => flaskInfo(project, app));
/** Express: is a CSRF package imported anywhere, and how many state-changing routes does the app have? */
const EXPRESS_INFO = appMemo('csrf-missing.expressInfo', (project, app) => ({
  protected: appImportsJs(project, app, JS_CSRF),
  stateChanging: [...appScripts(project, app, /\.(post|put|patch|delete|all|route)\(|@(Post|Put|Patch|Delete)\(/)].reduce((n, { path, js: m }) => n + scriptRoutes(m, path).filter((r) => isStateChanging(r)).length, 0),
}));

export default defineRule({
  meta: {
    id: 'csrf-missing',
    title: 'CSRF protection missing',
    category: 'security',
    severity: 'high',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'express', 'nestjs', 'fastify', 'koa'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-352'],
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayReport(text) : JS_SESSION_MODULE.test(text) || jsHasEscape(text))],
    messages: {
      flaskNoCsrf: 'The Flask app handles form posts and sessions ({route}) but CSRFProtect is not initialised anywhere.',
      exemptBlueprint: 'csrf.exempt({name}) turns CSRF protection off for every route of the blueprint.',
      exemptView: '{name} is exempt from CSRF checks but is a browser-facing state-changing view.',
      csrfDisabled: '{key} = False turns Flask-WTF CSRF checks off{where}.',
      djangoMiddleware: 'MIDDLEWARE does not include django.middleware.csrf.CsrfViewMiddleware.',
      djangoRemoved: 'CsrfViewMiddleware is removed from MIDDLEWARE.',
      expressNoCsrf: '{package} keeps a cookie session, the app has {count} state-changing routes, and no CSRF middleware (csrf-csrf, csrf-sync, lusca, csurf) is used.',
    },
    docs: {
      why:
        'With cookie-based sessions the browser attaches the session cookie to every request to the site, including a form another site submits. Without a CSRF token check, a page the user visits while logged in can post to /transfer, /settings/email or /admin/users on their behalf. Exempting a whole blueprint ("payments") removes the check from every route it has and every route added to it later.',
      fix:
        'Flask: `csrf = CSRFProtect()` and `csrf.init_app(app)` in the app factory, `{{ csrf_token() }}` in forms and the X-CSRFToken header for fetch calls; exempt only individual webhook views (`@csrf.exempt`) that verify their own signatures. Django: keep `django.middleware.csrf.CsrfViewMiddleware` in MIDDLEWARE and drop `@csrf_exempt` from browser views. Express/Nest with express-session or cookie-session: add csrf-csrf (double submit) or csrf-sync (synchronizer token) and send the token with forms; SameSite=Strict cookies are a second line, not a replacement.',
      whenNotTo: 'APIs authenticated only by an Authorization header (no cookies) do not need CSRF tokens, and webhook endpoints that check a signature may be exempt.',
      references: [
        'https://flask-wtf.readthedocs.io/en/stable/csrf/',
        'https://docs.djangoproject.com/en/stable/ref/csrf/',
        'https://github.com/Psifi-Solutions/csrf-csrf',
        'https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html',
        'https://cwe.mitre.org/data/definitions/352.html',
      ],
      examples: [
        { file: 'app/__init__.py', bad: 'app = Flask(__name__)\ncsrf.exempt(payments_bp)', good: 'csrf = CSRFProtect()\ncsrf.init_app(app)\n\n@payments_bp.post("/webhook")\n@csrf.exempt\ndef stripe_webhook(): ...' },
        { file: 'server.js', bad: "app.use(session({ secret }))\napp.post('/transfer', handler)", good: "const { doubleCsrfProtection } = doubleCsrf({ getSecret })\napp.use(session({ secret }))\napp.use(doubleCsrfProtection)" },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py, project } = ctx;
      const app = project.appOf(ctx.path);
      // Flask app objects in this file.
      for (const call of py.calls) {
        if (!/^(flask\.Flask|quart\.Quart)$/.test(call.qualified)) continue;
        const info = perApp(FLASK_INFO, project, app);
        if (info.protected || !info.formRoute) continue;
        ctx.report({ messageId: 'flaskNoCsrf', data: { route: info.formRoute.path }, at: call.range });
      }
      // csrf.exempt(bp)
      for (const call of py.calls) {
        if (!isCsrfExempt(call.callee, call.qualified, py)) continue;
        const arg = call.positional[0];
        const name = arg ? dottedName(arg) : undefined;
        if (!arg || !name) continue;
        if (!isBlueprint(name, py)) continue;
        ctx.report({ messageId: 'exemptBlueprint', data: { name }, at: call.range });
      }
      // @csrf.exempt / @csrf_exempt on browser-facing views
      const routes = pythonRoutes(py, ctx.path);
      for (const fn of py.functions) {
        const exempt = fn.decorators.find((d) => {
          const n = dottedName(d);
          return !!n && (isCsrfExempt(n, py.qualify(n), py) || /(^|\.)csrf_exempt$/.test(py.qualify(n)));
        });
        if (!exempt) continue;
        const route = routes.find((r) => r.handler === fn);
        if (MACHINE_ENDPOINT.test(fn.name) || (route?.path && MACHINE_ENDPOINT.test(route.path))) continue;
        if (route && !isStateChanging(route)) continue;
        if (headerAuthenticated(fn, py)) continue;
        ctx.report({ messageId: 'exemptView', data: { name: `${fn.name}()` }, at: exempt.range });
      }
      // WTF_CSRF_ENABLED = False
      for (const item of configItems(py)) {
        if (item.key !== 'WTF_CSRF_ENABLED' && item.key !== 'WTF_CSRF_CHECK_DEFAULT') continue;
        if (item.value.kind !== 'bool' || item.value.value) continue;
        if (inDevOnlyClass(item) || (item.className && /test/i.test(item.className))) continue;
        if (item.key === 'WTF_CSRF_CHECK_DEFAULT') continue; // deliberate per-view protect(): not a blanket hole by itself
        ctx.report({ messageId: 'csrfDisabled', data: { key: item.key, where: item.className ? ` in ${item.className}` : '' }, at: item.range });
      }
      // Django MIDDLEWARE without CsrfViewMiddleware
      if (isSettingsModule(ctx.path) || py.importsModule('django')) {
        for (const a of py.assignments) {
          if (!a.topLevel || a.op !== '=' || (a.target !== 'MIDDLEWARE' && a.target !== 'MIDDLEWARE_CLASSES')) continue;
          const list = a.value;
          if (list.kind !== 'list' && list.kind !== 'tuple') continue;
          const names = list.elements.map((e) => (e.kind === 'str' ? e.value : ''));
          if (!names.some((n) => n.startsWith('django.'))) continue;
          if (names.some((n) => /CsrfViewMiddleware$/.test(n))) continue;
          ctx.report({ messageId: 'djangoMiddleware', at: list.range });
        }
        for (const call of py.calls) {
          if (!/^MIDDLEWARE(_CLASSES)?\.remove$/.test(call.callee)) continue;
          const v = call.positional[0];
          if (v?.kind === 'str' && /CsrfViewMiddleware$/.test(v.value)) ctx.report({ messageId: 'djangoRemoved', at: call.range });
        }
      }
    },

    script(ctx) {
      const { js, project } = ctx;
      const app = project.appOf(ctx.path);
      for (const call of js.calls()) {
        const q = call.qualified;
        if (q !== 'express-session' && q !== 'cookie-session' && q !== '@fastify/session' && q !== '@fastify/secure-session' && q !== 'koa-session') continue;
        if (sameSiteStrict(call.args)) continue;
        const info = perApp(EXPRESS_INFO, project, app);
        if (info.protected || info.stateChanging === 0) continue;
        ctx.report({ messageId: 'expressNoCsrf', data: { package: q, count: info.stateChanging }, at: call.range });
      }
    },
  },
});

function flaskInfo(project: ProjectFacts, app: App): FlaskInfo {
  // Only two kinds of module matter: one that calls CSRFProtect / SeaSurf (named in its text even
  // when aliased), and one whose route reads browser input (FLASK_BROWSER_INPUT: `.form`,
  // `.values`, `session`, `current_user`, `login_user` appear in its text). Module order is kept.
  const modules = appPython(project, app, /CSRFProtect|SeaSurf|\.(?:form|values)\b|\bsession\b|\bcurrent_user\b|\blogin_user\b/);
  let isProtected = false;
  let formRoute: FlaskInfo['formRoute'];
  const flaskWtf = appImportsPy(project, app, ['flask_wtf']);
  for (const { path, py } of modules) {
    if (py.calls.some((c) => /^(flask_wtf(\.csrf)?\.CSRFProtect|flask_seasurf\.SeaSurf)$/.test(c.qualified))) isProtected = true;
    if (formRoute) continue;
    for (const r of pythonRoutes(py, path)) {
      if (r.framework !== 'flask' || !isStateChanging(r) || !r.handler) continue;
      const reads = [...dottedNamesIn(py, r.handler.bodyRange)];
      if (!reads.some((d) => FLASK_BROWSER_INPUT.test(d))) continue;
      // `form.validate_on_submit()` exists only on Flask-WTF's FlaskForm, which checks the CSRF
      // token itself (unless WTF_CSRF_ENABLED = False, reported above): that route is protected.
      if (flaskWtf && validatesFlaskForm(py, r.handler.bodyRange)) continue;
      formRoute = { path: `${r.methods.filter((m) => m !== 'GET').join('/')} ${r.path ?? r.handlerName ?? '?'} in ${path}:${r.line}`, route: r };
      break;
    }
  }
  return { protected: isProtected, formRoute };
}

function validatesFlaskForm(py: PyModule, body: { start: number; end: number }): boolean {
  return py.calls.some((c) => c.callee.endsWith('.validate_on_submit') && c.range.start >= body.start && c.range.end <= body.end);
}

/**
 * A view authenticated by a credential header (Authorization, X-API-Key), read in its body or in a decorator
 * defined in the same module, that reads no form and no session: a cross-site form cannot send that header,
 * so exempting the view from CSRF is correct.
 */
function headerAuthenticated(fn: PyFunction, py: PyModule): boolean {
  if ([...dottedNamesIn(py, fn.bodyRange)].some((d) => FLASK_BROWSER_INPUT.test(d))) return false;
  const decoratorBodies = fn.decorators
    .map((d) => dottedName(d))
    .map((n) => py.functions.find((f) => f.name === n && f.scope.functions.length === 0 && f.scope.classes.length === 0))
    .filter((f): f is PyFunction => f !== undefined)
    .map((f) => f.range);
  const ranges = [fn.bodyRange, ...decoratorBodies];
  return py.calls.some((c) => {
    if (!/^flask\.request\.headers\.get$/.test(c.qualified)) return false;
    const name = c.positional[0];
    if (name?.kind !== 'str' || !AUTH_HEADER.test(name.value)) return false;
    return ranges.some((r) => c.range.start >= r.start && c.range.end <= r.end);
  });
}

/** `csrf.exempt` where csrf is a CSRFProtect instance (or conventionally named). */
function isCsrfExempt(callee: string, qualified: string, py: PyModule): boolean {
  if (!callee.endsWith('.exempt') || /^django\./.test(qualified)) return false;
  const recv = callee.slice(0, -'.exempt'.length);
  const bound = py.instanceOf(recv);
  if (bound) return /CSRFProtect$|SeaSurf$/.test(bound);
  return /csrf/i.test(recv);
}

function isBlueprint(name: string, py: PyModule): boolean {
  const bound = py.instanceOf(name);
  if (bound) return /(^|\.)Blueprint$/.test(bound);
  // Imported from the module that defines it: `from .payments import payments_bp`
  return /(_bp|_blueprint|^bp|blueprint)$/i.test(name) || py.imports.some((i) => i.local === name && /(routes|views|blueprints?|api)\b/.test(i.module));
}

function sameSiteStrict(args: readonly ts.Expression[]): boolean {
  const opts = objectProps(args[0]);
  const cookie = objectProps(opts.get('cookie')?.value);
  const v = literalValue(cookie.get('sameSite')?.value ?? opts.get('sameSite')?.value);
  return typeof v === 'string' && v.toLowerCase() === 'strict';
}

