import { defineRule } from '../src/engine/rule.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import { dottedName, type PyExpr, type PyModule } from '../src/parsers/python.js';
import { dotted, literalValue, objectProps, ts, walk } from '../src/parsers/script.js';
import { appLoginRoutes, LOGIN_HINT, type LoginRoute } from './_shared/login.js';
import { appPyAny, appPyParts, appScriptParts, backendApps, pyFileMemo, pyFileTest, scriptFileMemo } from './_shared/project.js';
import { configItems, inDevOnlyClass, isTruthyConst } from './_shared/python.js';
import { assignmentsIn, callsIn } from './_shared/routes.js';
import { pyTextHas } from './_shared/triggers.js';

/** Names of an inactivity timeout: a last-activity stamp, an idle limit, django-session-timeout, django-auto-logout. */
const IDLE = /idle_?timeout|session_?idle|idle_?session|inactiv|last_?seen|last_?activ|last_?request_?at|session_?timeout|SESSION_EXPIRE_SECONDS|auto_?logout/i;
/** The same in JS identifiers (whole names: pg's `idleTimeoutMillis` is a pool setting, not a session timeout). */
const JS_IDLE = /^(last_?seen\w*|last_?activ\w*|session_?idle\w*|idle_?timeout|idle_?session\w*|inactivity\w*|session_?timeout)$/i;
const JWT_PY = ['jwt', 'jose', 'flask_jwt_extended', 'authlib.jose', 'fastapi_jwt_auth'];

type PySessionKind = 'flask' | 'django' | 'starlette' | 'custom';

export default defineRule({
  meta: {
    id: 'session-timeout-missing',
    title: 'Login sessions never time out',
    category: 'accounts',
    severity: 'medium',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-613'],
    triggers: [LOGIN_HINT],
    messages: {
      flask:
        'App "{app}" logs users in with a Flask session ({name}) and never sets a timeout: PERMANENT_SESSION_LIFETIME is unset (Flask accepts a session cookie for 31 days) and no before_request hook ends idle sessions.',
      flaskRemember:
        'App "{app}" issues Flask-Login remember-me cookies ({name}) without REMEMBER_COOKIE_DURATION: they last the default 365 days and log the user back in after any session timeout.',
      django:
        'App "{app}" logs users in with Django sessions ({name}) on the default SESSION_COOKIE_AGE of two weeks, with no SESSION_EXPIRE_AT_BROWSER_CLOSE and no idle-timeout middleware (django-session-timeout, django-auto-logout).',
      starlette:
        'App "{app}" keeps logins in Starlette\'s SessionMiddleware ({name}) without max_age: the signed session cookie is accepted for the default 14 days and nothing ends idle sessions.',
      custom:
        'App "{app}" keeps server-side login sessions ({name}) that are never ended for inactivity: no last-activity time is recorded or checked on later requests.',
      js: 'App "{app}" keeps logins in {package} sessions ({name}) with no cookie maxAge or expires and no idle check: the session never times out.',
    },
    docs: {
      why:
        'A session that never expires turns every forgotten browser tab, shared computer and stolen cookie into a permanent login. OWASP asks for an idle timeout (minutes to an hour, by risk) and an absolute one (hours), enforced on the server. Framework defaults are long or absent: Flask accepts a session cookie for 31 days, Flask-Login remember-me cookies live a year, Django sessions two weeks, Starlette sessions 14 days, and express-session/cookie-session without maxAge never expire on the server side of the cookie.',
      fix:
        'Flask: `PERMANENT_SESSION_LIFETIME = timedelta(hours=8)`, `session.permanent = True` at login (with the default SESSION_REFRESH_EACH_REQUEST the expiry slides, which is the idle timeout), or a before_request hook that stores `session["last_seen"]` and clears the session after 30 idle minutes; `REMEMBER_COOKIE_DURATION = timedelta(days=7)` with Flask-Login remember-me. Django: `SESSION_COOKIE_AGE = 30 * 60` with `SESSION_SAVE_EVERY_REQUEST = True` (idle timeout), or django-session-timeout (`SESSION_EXPIRE_SECONDS`). Starlette/FastAPI: `SessionMiddleware(..., max_age=8 * 3600)`. Express/Nest: `session({ cookie: { maxAge: 30 * 60 * 1000 }, rolling: true })` (cookie-session: `maxAge`). Custom token sessions: store `last_seen_at`, refuse and delete the session when it is older than the idle limit, and bump it on each request. Split with other rules: `insecure-cookies` reports a lifetime that is set but too long (PERMANENT_SESSION_LIFETIME, SESSION_COOKIE_AGE, REMEMBER_COOKIE_DURATION, cookie maxAge over 30 days) at the setting; `jwt-misconfig` reports JWT expiry; this rule reports a login whose session has no timeout at all (the framework default applies), at the login route.',
      whenNotTo: 'If sessions are ended elsewhere (an API gateway or identity provider enforcing idle and absolute timeouts), turn the rule off in .prodaudit.yml and say where.',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-expiration',
        'https://flask.palletsprojects.com/en/latest/config/#PERMANENT_SESSION_LIFETIME',
        'https://flask-login.readthedocs.io/en/latest/#cookie-settings',
        'https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-age',
        'https://github.com/expressjs/session#cookiemaxage',
        'https://cwe.mitre.org/data/definitions/613.html',
      ],
      examples: [
        { file: 'config.py', bad: 'class Config:\n    SECRET_KEY = os.environ["SECRET_KEY"]', good: 'class Config:\n    SECRET_KEY = os.environ["SECRET_KEY"]\n    PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)' },
        { file: 'server.js', bad: 'app.use(session({ secret, resave: false, saveUninitialized: false }))', good: 'app.use(session({ secret, resave: false, saveUninitialized: false, rolling: true, cookie: { maxAge: 30 * 60 * 1000 } }))' },
      ],
    },
  },
  check: {
    project(ctx) {
      const { project } = ctx;
      for (const app of backendApps(project)) {
        const logins = appLoginRoutes(project, app);
        if (logins.length === 0) continue;
        const report = (login: LoginRoute, messageId: 'flask' | 'flaskRemember' | 'django' | 'starlette' | 'custom' | 'js', extra: Record<string, string> = {}) =>
          ctx.report({ messageId, data: { app: app.name, name: login.name, ...extra }, file: login.file, at: login.at });
        const py = logins.filter((l): l is LoginRoute & { lang: 'python' } => l.lang === 'python');
        const js = logins.filter((l): l is LoginRoute & { lang: 'script' } => l.lang === 'script');
        if (py.length) {
          const facts = pyTimeouts(project, app);
          if (facts.idle) continue;
          const kinds = py.map((l) => ({ l, kind: pySessionKind(l, project, app) }));
          const miss = kinds.find(({ kind }) => (kind === 'flask' && !facts.flaskLifetime) || (kind === 'django' && !facts.djangoAge) || (kind === 'starlette' && !facts.starletteMaxAge) || kind === 'custom');
          if (miss) {
            report(miss.l, miss.kind as PySessionKind);
            continue;
          }
          const remember = py.find((l) => l.handler && l.handlerPy && callsIn(l.handlerPy, l.handler).some((c) => c.qualified === 'flask_login.login_user' && rememberOn(c.keyword('remember') ?? c.positional[1])));
          if (remember && !facts.rememberDuration) {
            report(remember, 'flaskRemember');
            continue;
          }
        }
        if (js.length) {
          const untimed = jsUntimedSession(project, app);
          const login = js.find(jsUsesSession);
          if (untimed && login) report(login, 'js', { package: untimed });
        }
      }
    },
  },
});

function rememberOn(e: PyExpr | undefined): boolean {
  if (!e) return false;
  return !(e.kind === 'bool' && !e.value) && e.kind !== 'none';
}

/** Which server-side session the Python login starts, if any (JWT logins have none: jwt-misconfig covers their expiry). */
function pySessionKind(l: LoginRoute & { lang: 'python' }, project: ProjectFacts, app: App): PySessionKind | undefined {
  if (!l.handler || !l.handlerPy) return l.route.framework === 'django' ? 'django' : undefined;
  const py = l.handlerPy;
  const calls = callsIn(py, l.handler);
  if (calls.some((c) => c.qualified === 'django.contrib.auth.login')) return 'django';
  if (calls.some((c) => c.qualified === 'flask_login.login_user')) return 'flask';
  for (const a of assignmentsIn(py, l.handler)) {
    const t = a.targetExpr;
    const obj = t.kind === 'subscript' ? dottedName(t.object) : t.kind === 'attr' && t.attr === 'permanent' ? dottedName(t.object) : undefined;
    if (!obj) continue;
    if (py.qualify(obj) === 'flask.session') return 'flask';
    if (/(^|\.)request\.session$/.test(obj)) return l.route.framework === 'django' ? 'django' : 'starlette';
  }
  // An opaque token kept server-side (self.sessions[token] = ..., an AuthSession row), in an app without JWTs.
  if (usesJwt(project, app)) return undefined;
  return customSessionStore(project, app) ? 'custom' : undefined;
}

function usesJwt(project: ProjectFacts, app: App): boolean {
  return appPyAny(project, app, PY_JWT_IN);
}

const PY_JWT_IN = pyFileTest('session-timeout-missing.pyJwtIn', /jwt|jose/i, (py) => JWT_PY.some((m) => py.importsModule(m)));

function customSessionStore(project: ProjectFacts, app: App): boolean {
  return appPyAny(project, app, PY_SESSION_STORE_IN);
}

// The evidence is a name as written (`*sessions[...] =`, `class *UserSession`), so its text is in the module.
const PY_SESSION_STORE_IN = pyFileTest(
  'session-timeout-missing.pySessionStoreIn',
  /sessions|(?:Auth|Login|User)Session/,
  (py) =>
    py.assignments.some((a) => a.targetExpr.kind === 'subscript' && /(^|\.|_)sessions$/.test(dottedName(a.targetExpr.object) ?? '')) ||
    py.classes.some((c) => c.bases.length > 0 && /^\w*(Auth|Login|User)Session$/.test(c.name)),
);

/** The words pyTimeouts' scan has always asked for (kept, so it reads no module it did not). */
const TIMEOUT_HINT = /LIFETIME|REMEMBER_COOKIE_DURATION|SESSION_|SessionMiddleware|permanent_session_lifetime|idle|inactiv|last_?seen|last_?activ|timeout|logout/i;
/** What pyTimeouts counts: the setting keys and the middleware, and IDLE's names. */
const TIMEOUT_EVIDENCE = new RegExp(String.raw`LIFETIME|REMEMBER_COOKIE_DURATION|SESSION_COOKIE_AGE|SESSION_EXPIRE_AT_BROWSER_CLOSE|SessionMiddleware|${IDLE.source}`, 'i');

/**
 * Can the module hold what pyTimeouts counts? Its evidence is a setting key, a name or a string
 * matching TIMEOUT_EVIDENCE, so the text holds one, as written or (a string) with the escapes
 * the facade decodes. TIMEOUT_HINT's `timeout`, `logout` and `session_` matched 187 modules of the
 * Python corpus (socket timeouts, logout views, request.session_key), which the project phase of
 * a 2-thread run re-parsed (the pass had parsed them on the other thread); this keeps 18.
 */
function mayHoldTimeouts(text: string): boolean {
  return TIMEOUT_HINT.test(text) && pyTextHas(text, TIMEOUT_EVIDENCE);
}

interface PyTimeouts {
  readonly idle: boolean;
  readonly flaskLifetime: boolean;
  readonly rememberDuration: boolean;
  readonly djangoAge: boolean;
  readonly starletteMaxAge: boolean;
}

function pyTimeouts(project: ProjectFacts, app: App): PyTimeouts {
  const t = { idle: false, flaskLifetime: false, rememberDuration: false, djangoAge: false, starletteMaxAge: false };
  for (const { part } of appPyParts(project, app, PY_TIMEOUTS_IN)) {
    for (const k of Object.keys(t) as (keyof PyTimeouts)[]) if (part[k]) t[k] = true;
  }
  return t;
}

/** One module's part of pyTimeouts (cached per file). */
const PY_TIMEOUTS_IN = pyFileMemo('session-timeout-missing.pyTimeoutsIn', mayHoldTimeouts, (py): PyTimeouts => {
  const t = { idle: false, flaskLifetime: false, rememberDuration: false, djangoAge: false, starletteMaxAge: false };
  for (const item of configItems(py)) {
    if (inDevOnlyClass(item)) continue;
    if (item.key === 'PERMANENT_SESSION_LIFETIME') t.flaskLifetime = true;
    if (item.key === 'REMEMBER_COOKIE_DURATION') t.rememberDuration = true;
    if (item.key === 'SESSION_COOKIE_AGE') t.djangoAge = true;
    if (item.key === 'SESSION_EXPIRE_AT_BROWSER_CLOSE' && isTruthyConst(item.value)) t.djangoAge = true;
    if (IDLE.test(item.key)) t.idle = true;
  }
  if (py.assignments.some((a) => /(^|\.)permanent_session_lifetime$/.test(a.target))) t.flaskLifetime = true;
  for (const c of py.calls) {
    const isMiddleware = /(^|\.)SessionMiddleware$/.test(c.qualified) || (/(^|\.)add_middleware$/.test(c.callee) && /SessionMiddleware$/.test(c.positional[0] ? (dottedName(c.positional[0]) ?? '') : ''));
    const maxAge = c.keyword('max_age');
    if (isMiddleware && maxAge && maxAge.kind !== 'none') t.starletteMaxAge = true;
  }
  if (idleEvidencePy(py)) t.idle = true;
  return t;
});

/** A before_request hook or a session model that tracks the last activity, or an idle-timeout package. */
function idleEvidencePy(py: PyModule): boolean {
  if (py.importsModule('django_session_timeout') || py.importsModule('django_auto_logout')) return true;
  if (py.strings.some((s) => /^django_(session_timeout|auto_logout)\b/.test(s.value))) return true;
  if (py.functions.some((f) => IDLE.test(f.name))) return true;
  return py.assignments.some((a) => IDLE.test(a.target) || (a.targetExpr.kind === 'subscript' && a.targetExpr.index?.kind === 'str' && IDLE.test(a.targetExpr.index.value)));
}

/** The first express-session / cookie-session of the app configured without maxAge or expires, unless the app checks idleness itself. */
function jsUntimedSession(project: ProjectFacts, app: App): string | undefined {
  let untimed: string | undefined;
  for (const { part } of appScriptParts(project, app, JS_SESSIONS_IN)) {
    if (part.idle) return undefined;
    untimed ??= part.untimed;
  }
  return untimed;
}

/** One module's sessions (cached per file): whether it checks idleness itself, and its first session configured without maxAge or expires. */
const JS_SESSIONS_IN = scriptFileMemo('session-timeout-missing.jsSessionsIn', /express-session|cookie-session|lastSeen|lastActiv|idle/i, (js) => {
  let untimed: string | undefined;
  let idle = false;
  walk(js.sf, (n) => {
    if (ts.isIdentifier(n) && JS_IDLE.test(n.text)) idle = true;
    return undefined;
  });
  if (idle) return { idle: true, untimed: undefined };
  for (const call of js.calls()) {
    const q = call.qualified;
    if (q !== 'express-session' && q !== 'cookie-session') continue;
    const opts = objectProps(call.args[0]);
    const cookie = q === 'cookie-session' ? opts : objectProps(opts.get('cookie')?.value);
    const timed = ['maxAge', 'expires'].some((k) => {
      const v = cookie.get(k)?.value;
      return v !== undefined && literalValue(v) !== null && !(ts.isIdentifier(v) && v.text === 'undefined');
    });
    if (!timed) untimed ??= q;
  }
  return { idle: false, untimed };
});

/** Does the login keep the user in the server session (req.session, req.login, Passport's local strategy)? */
function jsUsesSession(l: LoginRoute & { lang: 'script' }): boolean {
  const nodes: ts.Node[] = [...l.route.middleware, ...(l.route.handler?.body ? [l.route.handler.body] : [])];
  let uses = false;
  for (const root of nodes) {
    walk(root, (n) => {
      if (uses) return false;
      if (ts.isPropertyAccessExpression(n) && n.name.text === 'session' && /(^|\.)(req|request)$/.test(dotted(n.expression))) uses = true;
      if (ts.isCallExpression(n)) {
        const callee = dotted(n.expression);
        if (/(^|\.)(req|request)\.(login|logIn)$/.test(callee)) uses = true;
        if (/(^|\.)passport\.authenticate$/.test(callee) && !objectProps(n.arguments[1]).has('session')) uses = true;
      }
      return undefined;
    });
  }
  return uses;
}
