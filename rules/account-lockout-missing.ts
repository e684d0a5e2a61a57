import { defineRule } from '../src/engine/rule.js';
import { dotted, ts, walk } from '../src/parsers/script.js';
import { checksPassword, JS_VERIFY, PY_VERIFY } from './_shared/login.js';
import { appImportsJs, appMemo, appPython, dottedNamesIn, perApp, some } from './_shared/project.js';
import { authRouteKind, callsIn, isStateChanging, pythonRoutes, scriptRoutes } from './_shared/routes.js';
import { jsHasEscape, pyMaySubmitRoute, pyTextHas } from './_shared/triggers.js';

/** Names that show failed attempts are counted or accounts locked. */
const TRACKING = /fail|attempt|lock|throttle|strike|brute/i;
const JS_LOCKOUT_LIBS = ['express-brute', 'rate-limiter-flexible', '@nestjs/throttler'];

/**
 * Python: a login or token route (AUTH_PATTERNS words in its path, a string that may use escapes,
 * or its handler name), accepting POST/PUT/PATCH/DELETE or any method (pyMaySubmitRoute), whose handler calls a
 * PY_VERIFY function (named in the call or its import).
 */
const PY_LOGIN_WORD = /log[-_]?in|sign[-_]?in|auth|session|token/i;
function pyMayReport(text: string): boolean {
  return /check_password|verify|checkpw|authenticate|check_pw/.test(text) && pyMaySubmitRoute(text, true) && pyTextHas(text, PY_LOGIN_WORD);
}
/** Script: the login words, and a JS_VERIFY callee in the handler (names may use escapes). */
function jsMayReport(text: string): boolean {
  return /login|signin|sign_in|token|authenticate/i.test(text) && (/compare|verify|checkPassword|validatePassword/.test(text) || jsHasEscape(text));
}

/** Does the app use a lockout library or track failed logins anywhere, per language? */
const PY_LIB = appMemo('account-lockout-missing.pyLockout', (project, app) =>
  some(appPython(project, app, /axes|lockout|Lockout|failed_login|failed_attempt|login_attempt|locked_until/), ({ py: m }) => m.importsModule('axes') || m.strings.some((s) => s.value === 'axes') || m.functions.some((f) => TRACKING.test(f.name))),
);
const JS_LIB = appMemo('account-lockout-missing.jsLockout', (project, app) => appImportsJs(project, app, JS_LOCKOUT_LIBS));

export default defineRule({
  meta: {
    id: 'account-lockout-missing',
    title: 'No lockout after failed logins',
    category: 'accounts',
    severity: 'medium',
    confidence: 'low',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs', 'fastify', 'koa'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-307'],
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayReport(text) : jsMayReport(text))],
    messages: {
      noLockout: 'Login handler {name} checks the password but never counts failed attempts or locks the account.',
    },
    docs: {
      why:
        'A rate limit per IP does not stop a botnet trying one account from thousands of addresses. Counting failed logins per account and locking (or slowing) the account after a few failures is what stops online guessing of a specific user\'s password.',
      fix:
        'Add `failed_login_count` and `locked_until` to the user, increment on failure, reset on success, refuse logins while locked (with a time-based unlock and a notification). Django: django-axes. Node: rate-limiter-flexible\'s "login fail consecutive" pattern keyed by username. Avoid revealing whether the account exists in the lockout message.',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#account-lockout',
        'https://django-axes.readthedocs.io/',
        'https://github.com/animir/node-rate-limiter-flexible/wiki/Overall-example#login-endpoint-protection',
        'https://cwe.mitre.org/data/definitions/307.html',
      ],
      examples: [{ file: 'auth.py', bad: 'if not check_password_hash(user.password_hash, pw):\n    return "invalid", 401', good: 'if user.locked_until and user.locked_until > now: return "locked", 423\nif not check_password_hash(user.password_hash, pw):\n    user.failed_logins += 1' }],
    },
  },
  check: {
    python(ctx) {
      const { py, project } = ctx;
      const app = project.appOf(ctx.path);
      for (const r of pythonRoutes(py, ctx.path)) {
        if (!r.handler || authRouteKind(r) !== 'login' && authRouteKind(r) !== 'token') continue;
        if (!isStateChanging(r)) continue;
        const calls = callsIn(py, r.handler);
        if (!calls.some((c) => (PY_VERIFY.test(c.qualified) || PY_VERIFY.test(c.callee)) && checksPassword(c))) continue;
        if (calls.some((c) => TRACKING.test(c.callee)) || [...dottedNamesIn(py, r.handler.bodyRange)].some((n) => TRACKING.test(n))) continue;
        if (perApp(PY_LIB, project, app)) continue;
        ctx.report({ messageId: 'noLockout', data: { name: `${r.handler.name}()` }, at: r.at });
      }
    },

    script(ctx) {
      const { js, project } = ctx;
      const app = project.appOf(ctx.path);
      for (const r of scriptRoutes(js, ctx.path)) {
        if (!r.handler?.body || authRouteKind(r) !== 'login' || !isStateChanging(r)) continue;
        let verifies = false;
        let tracks = false;
        walk(r.handler.body, (n) => {
          if (ts.isCallExpression(n) && JS_VERIFY.test(dotted(n.expression))) verifies = true;
          if (ts.isIdentifier(n) && TRACKING.test(n.text)) tracks = true;
          if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && /fail(ed)?[_ ]?(login|attempt)|locked/i.test(n.text)) tracks = true;
          return undefined;
        });
        if (!verifies || tracks) continue;
        if (r.middleware.some((m) => TRACKING.test(m.getText(js.sf)))) continue;
        if (perApp(JS_LIB, project, app)) continue;
        ctx.report({ messageId: 'noLockout', data: { name: r.handlerName ?? r.path ?? 'login' }, at: r.at });
      }
    },
  },
});
