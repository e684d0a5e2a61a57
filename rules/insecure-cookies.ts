import { replace } from '../src/engine/edits.js';
import { defineRule } from '../src/engine/rule.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import type { TextRange } from '../src/engine/types.js';
import type { PyCall, PyExpr, PyModule } from '../src/parsers/python.js';
import { literalValue, objectProps, ts, unwrap, type ScriptModule } from '../src/parsers/script.js';
import { appMemo, appPython, perApp, some } from './_shared/project.js';
import { configItems, inDevOnlyClass, overriddenInProductionSubclasses } from './_shared/python.js';
import { jsHasEscape, pyTextHas } from './_shared/triggers.js';

/** Cookie names that carry a session or credentials. */
const SESSION_NAME = /sess|token|auth|jwt|sid|remember|login|refresh|access|credential|csrf/i;
const MAX_LIFETIME_DAYS = 30;
const DAY = 86_400;

/** Config keys that must be true in production, and the framework default when unset. */
const MUST_BE_TRUE = new Set(['SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'REMEMBER_COOKIE_SECURE', 'REMEMBER_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE', 'JWT_COOKIE_SECURE']);

/**
 * Python: a config item whose key holds `_COOKIE_` (`app.session_cookie_secure` is upper-cased),
 * PERMANENT_SESSION_LIFETIME or JWT_ACCESS_TOKEN_EXPIRES (keys in strings may use escapes); a
 * flask.Flask call (the name Flask is in the call or its import); INSTALLED_APPS; a `.set_cookie` call.
 */
const PY_TRIGGER = /_COOKIE_|PERMANENT_SESSION_LIFETIME|JWT_ACCESS_TOKEN_EXPIRES/i;
const pyMayReport = (text: string) => /\bFlask\b|INSTALLED_APPS|set_cookie/.test(text) || pyTextHas(text, PY_TRIGGER);
/** Script: express-session / cookie-session / @fastify/session / @fastify/cookie, or res.cookie / setCookie / cookies.set. */
const JS_TRIGGER = /cookie|express-session|@fastify\/session/i;

/** Is SESSION_COOKIE_SECURE set anywhere in the app (Flask config or Django settings)? */
const SECURE_SET = appMemo('insecure-cookies.sessionCookieSecureSet', (project, app) => appSetsKey(project, app, 'SESSION_COOKIE_SECURE'));

export default defineRule({
  meta: {
    id: 'insecure-cookies',
    title: 'Session cookies without Secure, HttpOnly or SameSite',
    category: 'security',
    severity: 'high',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs', 'nextjs', 'fastify', 'koa'],
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-614', 'CWE-1004', 'CWE-1275', 'CWE-613'],
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayReport(text) : JS_TRIGGER.test(text) || jsHasEscape(text))],
    messages: {
      configOff: '{key} is {value}{where}: the session cookie {consequence}.',
      sameSiteNone: '{key} is {value}{where}: the session cookie is sent on cross-site requests.',
      lifetime: '{key} keeps sessions alive for {days} days{where}.',
      flaskUnset: 'The Flask app uses sessions but SESSION_COOKIE_SECURE is never set (Flask defaults to False).',
      djangoUnset: 'Django settings never set {key} (Django defaults to False): the cookie is also sent over plain HTTP.',
      setCookie: '{callee} sets the "{name}" cookie {problem}.',
      jsSession: '{package} cookie {problem}.',
    },
    docs: {
      why:
        'A session cookie without Secure is sent over plain HTTP, where anyone on the network can copy it and be logged in as the user. Without HttpOnly any XSS can read it with document.cookie. SameSite=None sends it with requests other sites trigger (CSRF). And a session that lasts months means a stolen cookie keeps working for months.',
      fix:
        'Flask: `SESSION_COOKIE_SECURE=True`, `SESSION_COOKIE_HTTPONLY=True`, `SESSION_COOKIE_SAMESITE="Lax"`, `PERMANENT_SESSION_LIFETIME=timedelta(hours=12)` in the production config (and the REMEMBER_COOKIE_* equivalents with Flask-Login). Django: `SESSION_COOKIE_SECURE = True`, `CSRF_COOKIE_SECURE = True`, a `SESSION_COOKIE_AGE` of days, not months. Express: `session({ cookie: { secure: true, httpOnly: true, sameSite: "lax", maxAge: 8 * 3600 * 1000 } })` with `app.set("trust proxy", 1)` behind a proxy, and the same options on `res.cookie()` for tokens. Setting Secure is unsafe for local development over http://: read it from the environment there. Split with session-timeout-missing: this rule reports a lifetime that is set but longer than 30 days, at the setting; a login whose session has no lifetime at all (the framework default: Flask 31 days, Django two weeks, express-session none) or no remember-me duration is session-timeout-missing\'s finding, at the login route.',
      references: [
        'https://flask.palletsprojects.com/en/latest/security/#set-cookie-options',
        'https://docs.djangoproject.com/en/stable/topics/security/#ssl-https',
        'https://github.com/expressjs/session#cookie',
        'https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#restrict_access_to_cookies',
        'https://cwe.mitre.org/data/definitions/614.html',
      ],
      examples: [
        { file: 'config.py', bad: 'SESSION_COOKIE_SECURE = False\nPERMANENT_SESSION_LIFETIME = timedelta(days=365)', good: 'SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_SAMESITE = "Lax"\nPERMANENT_SESSION_LIFETIME = timedelta(hours=12)' },
        { file: 'server.js', bad: 'session({ secret, cookie: { secure: false } })', good: 'session({ secret, cookie: { secure: true, httpOnly: true, sameSite: "lax" } })' },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py, project } = ctx;
      const app = project.appOf(ctx.path);
      for (const item of configItems(py)) {
        if (inDevOnlyClass(item) || (item.className && overriddenInProductionSubclasses(py, item.className, item.key))) continue;
        const where = item.className ? ` in ${item.className}` : '';
        const v = item.value;
        if (MUST_BE_TRUE.has(item.key) && v.kind === 'bool' && !v.value) {
          ctx.report({
            messageId: 'configOff',
            data: { key: item.key, value: 'False', where, consequence: /HTTPONLY/.test(item.key) ? 'can be read by JavaScript' : 'is also sent over plain HTTP' },
            at: item.range,
            fix: { title: `Set ${item.key} to True`, applicability: 'unsafe', edits: [replace(v.range, 'True')] },
          });
        } else if (/^(SESSION|CSRF|REMEMBER)_COOKIE_SAMESITE$/.test(item.key) && (v.kind === 'none' || (v.kind === 'str' && v.value.toLowerCase() === 'none'))) {
          ctx.report({ messageId: 'sameSiteNone', data: { key: item.key, value: v.text, where }, at: item.range });
        } else if (item.key === 'PERMANENT_SESSION_LIFETIME' || item.key === 'SESSION_COOKIE_AGE' || item.key === 'REMEMBER_COOKIE_DURATION' || item.key === 'JWT_ACCESS_TOKEN_EXPIRES') {
          const seconds = durationSeconds(v, py);
          if (seconds !== undefined && seconds > MAX_LIFETIME_DAYS * DAY) {
            ctx.report({ messageId: 'lifetime', data: { key: item.key, days: Math.round(seconds / DAY), where }, at: item.range, severity: 'medium' });
          }
        }
      }
      // Flask app using sessions with SESSION_COOKIE_SECURE never set anywhere in the app.
      for (const call of py.calls) {
        if (call.qualified !== 'flask.Flask') continue;
        const secureSet = perApp(SECURE_SET, project, app);
        if (secureSet) continue;
        if (!usesFlaskSessions(project, app)) continue;
        ctx.report({ messageId: 'flaskUnset', at: call.range });
      }
      // Django settings without SESSION_COOKIE_SECURE.
      const installed = py.assignments.find((a) => a.topLevel && a.target === 'INSTALLED_APPS' && (a.value.kind === 'list' || a.value.kind === 'tuple') && a.value.elements.some((e) => e.kind === 'str' && e.value === 'django.contrib.sessions'));
      if (installed && !perApp(SECURE_SET, project, app)) {
        ctx.report({ messageId: 'djangoUnset', data: { key: 'SESSION_COOKIE_SECURE' }, at: { start: installed.range.start, end: installed.range.start + installed.target.length } });
      }
      // response.set_cookie("session_token", token, secure=False)
      for (const call of py.calls) {
        if (!/\.set_cookie$/.test(call.callee)) continue;
        const name = call.positional[0] ?? call.keyword('key');
        const nameText = name?.kind === 'str' ? name.value : name?.kind === 'name' ? name.id : '';
        const problems = cookieProblemsPy(call, SESSION_NAME.test(nameText));
        if (problems.length === 0) continue;
        const secure = call.keyword('secure');
        ctx.report({
          messageId: 'setCookie',
          data: { callee: `${call.callee}()`, name: nameText || '?', problem: problems.join(' and ') },
          at: call.range,
          fix: secure?.kind === 'bool' && !secure.value && problems.length === 1 ? { title: 'Set secure=True', applicability: 'unsafe', edits: [replace(secure.range, 'True')] } : undefined,
        });
      }
    },

    script(ctx) {
      const { js } = ctx;
      for (const call of js.calls()) {
        const q = call.qualified;
        if (q === 'express-session' || q === 'cookie-session' || q === '@fastify/session' || q === '@fastify/cookie') {
          const opts = objectProps(call.args[0]);
          const cookieNode = q === 'cookie-session' ? call.args[0] : opts.get('cookie')?.value;
          const cookie = objectProps(cookieNode);
          const problems = cookieProblemsJs(cookie, true, q === 'express-session', true);
          if (problems.length) ctx.report({ messageId: 'jsSession', data: { package: q, problem: problems.map((p) => p.text).join(' and ') }, at: problems[0]!.at ?? js.range(call.node), fix: fixFor(problems, js) });
          continue;
        }
        // res.cookie('token', jwt, { ... }) / reply.setCookie(...)
        const callee = call.callee;
        if (!/(^|\.)(res|response|reply|ctx\.cookies|cookies)\.(cookie|setCookie|set)$/.test(callee)) continue;
        if (/\.set$/.test(callee) && !/cookies\.set$/.test(callee)) continue;
        const name = literalValue(call.args[0]);
        if (typeof name !== 'string') continue;
        const problems = cookieProblemsJs(objectProps(call.args[2]), SESSION_NAME.test(name), true, false);
        if (problems.length === 0) continue;
        ctx.report({ messageId: 'setCookie', data: { callee: `${callee}()`, name, problem: problems.map((p) => p.text).join(' and ') }, at: call.range, fix: fixFor(problems, js) });
      }
    },
  },
});

/** Seconds of a lifetime expression: timedelta(days=365), 60 * 60 * 24 * 365, 31536000. */
function durationSeconds(e: PyExpr, py: PyModule): number | undefined {
  if (e.kind === 'num') return e.value;
  if (e.kind === 'binop' && (e.op === '*' || e.op === '+')) {
    const l = durationSeconds(e.left, py);
    const r = durationSeconds(e.right, py);
    if (l === undefined || r === undefined) return undefined;
    return e.op === '*' ? l * r : l + r;
  }
  if (e.kind === 'call' && /(^|\.)timedelta$/.test(e.call.qualified)) {
    const unit: Record<string, number> = { weeks: 7 * DAY, days: DAY, hours: 3600, minutes: 60, seconds: 1 };
    let total = 0;
    const first = e.call.positional[0];
    if (first) {
      const d = durationSeconds(first, py);
      if (d === undefined) return undefined;
      total += d * DAY;
    }
    for (const a of e.call.args) {
      if (!a.name || !(a.name in unit)) continue;
      const n = durationSeconds(a.value, py);
      if (n === undefined) return undefined;
      total += n * unit[a.name]!;
    }
    return total;
  }
  return undefined;
}

function appSetsKey(project: ProjectFacts, app: App, key: string): boolean {
  return some(appPython(project, app, key), ({ py }) => configItems(py).some((i) => i.key === key && !inDevOnlyClass(i)));
}

const FLASK_SESSIONS = appMemo('insecure-cookies.usesFlaskSessions', (project, app) =>
  some(appPython(project, app, /session|login_user/), ({ py }) => py.imports.some((i) => i.qualified === 'flask.session' || i.qualified === 'flask_login.login_user' || i.module === 'flask_session')),
);
function usesFlaskSessions(project: ProjectFacts, app: App): boolean {
  return perApp(FLASK_SESSIONS, project, app);
}

function cookieProblemsPy(call: PyCall, sessionish: boolean): string[] {
  const out: string[] = [];
  const secure = call.keyword('secure');
  const httponly = call.keyword('httponly');
  const samesite = call.keyword('samesite');
  if (secure?.kind === 'bool' && !secure.value) out.push('with secure=False');
  else if (!secure && sessionish) out.push('without secure=True');
  if (httponly?.kind === 'bool' && !httponly.value && sessionish) out.push('with httponly=False');
  else if (!httponly && sessionish) out.push('without httponly=True');
  if (samesite && (samesite.kind === 'none' || (samesite.kind === 'str' && samesite.value.toLowerCase() === 'none')) && !(secure?.kind === 'bool' && secure.value)) out.push('with samesite=None');
  return out;
}

interface JsProblem {
  readonly text: string;
  readonly at: TextRange | undefined;
  readonly fixNode: ts.Expression | undefined;
}

/** `requireSecure`: the option defaults to off (express-session, res.cookie); cookie-session turns it on over HTTPS by itself. `httpOnlyDefault`: HttpOnly is on unless turned off. */
function cookieProblemsJs(cookie: ReturnType<typeof objectProps>, sessionish: boolean, requireSecure: boolean, httpOnlyDefault: boolean): JsProblem[] {
  const out: JsProblem[] = [];
  const secure = cookie.get('secure');
  const httpOnly = cookie.get('httpOnly');
  const sameSite = cookie.get('sameSite');
  const maxAge = cookie.get('maxAge');
  const secureV = secure ? literalValue(secure.value) : undefined;
  if (secure && secureV === false) out.push({ text: 'has secure: false', at: rangeOf(secure.node), fixNode: secure.value });
  else if (!secure && sessionish && requireSecure) out.push({ text: 'is set without secure: true', at: undefined, fixNode: undefined });
  if (httpOnly && literalValue(httpOnly.value) === false && sessionish) out.push({ text: 'has httpOnly: false', at: rangeOf(httpOnly.node), fixNode: undefined });
  else if (!httpOnly && sessionish && !httpOnlyDefault) out.push({ text: 'is set without httpOnly: true', at: undefined, fixNode: undefined });
  const ss = sameSite ? literalValue(sameSite.value) : undefined;
  if (typeof ss === 'string' && ss.toLowerCase() === 'none' && secureV !== true) out.push({ text: "has sameSite: 'none'", at: rangeOf(sameSite!.node), fixNode: undefined });
  if (maxAge) {
    const ms = numeric(maxAge.value);
    if (ms !== undefined && ms > MAX_LIFETIME_DAYS * DAY * 1000) out.push({ text: `lives ${Math.round(ms / DAY / 1000)} days (maxAge)`, at: rangeOf(maxAge.node), fixNode: undefined });
  }
  return out;
}

function rangeOf(n: ts.Node): TextRange {
  return { start: n.getStart(), end: n.end };
}

function numeric(e: ts.Expression): number | undefined {
  const u = unwrap(e);
  const v = literalValue(u);
  if (typeof v === 'number') return v;
  if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const l = numeric(u.left);
    const r = numeric(u.right);
    return l !== undefined && r !== undefined ? l * r : undefined;
  }
  return undefined;
}

function fixFor(problems: readonly JsProblem[], js: ScriptModule) {
  const p = problems.length === 1 ? problems[0] : undefined;
  if (!p?.fixNode) return undefined;
  return { title: 'Set secure: true', applicability: 'unsafe' as const, edits: [replace(js.range(p.fixNode), 'true')] };
}

