import { defineRule } from '../src/engine/rule.js';
import { dottedName } from '../src/parsers/python.js';
import { dotted, literalValue, ts, walk } from '../src/parsers/script.js';
import { enclosingPyFunction, within } from './_shared/routes.js';
import { jsHasEscape } from './_shared/triggers.js';

/** Session keys that mean "this session is now logged in as someone". */
const IDENTITY_KEY = /user|uid|account|logged|auth|member|admin|email|role|principal/i;

/**
 * Python: a report is `X['key'] = value` (the index a string, possibly parenthesised) on flask.session
 * (`session`, or an alias whose import names it) or request.session in a module importing flask or
 * django. Script: an assignment to req/request/ctx.session.<key> (names may use escapes).
 */
const pyMayReport = (text: string) => text.includes('session') && /\b(?:flask|django)\b/.test(text) && /['"][\s)]*\][\s)]*=(?!=)/.test(text);
const jsMayReport = (text: string) => jsHasEscape(text) || (/\bsession\b/.test(text) && /\b(?:req|request|ctx)\b/.test(text));

export default defineRule({
  meta: {
    id: 'session-fixation',
    title: 'Session not regenerated at login',
    category: 'security',
    severity: 'medium',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'express', 'nestjs', 'fastify', 'koa'],
    fixable: 'none',
    effort: 'minutes',
    cwe: ['CWE-384'],
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayReport(text) : jsMayReport(text))],
    messages: {
      pySession: '{target} is set without clearing the session first ({reset}).',
      jsSession: '{target} is set without req.session.regenerate(): the pre-login session id stays valid after login.',
    },
    docs: {
      why:
        'If the session identifier survives login, an attacker who planted or read it before login (a shared computer, a link with a session id, a subdomain cookie) is logged in as the victim as soon as the victim logs in. Regenerating the session at every privilege change makes the old identifier worthless.',
      fix:
        'Flask: `session.clear()` before writing the user id (or use Flask-Login\'s `login_user`, with server-side sessions rotate the id). Django: use `django.contrib.auth.login()`, which calls `request.session.cycle_key()`; if you write to the session yourself, call `cycle_key()` first. Express: `req.session.regenerate(err => { req.session.userId = user.id; req.session.save(...) })`; Passport 0.6+ does this in `req.login`.',
      references: [
        'https://owasp.org/www-community/attacks/Session_fixation',
        'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#renew-the-session-id-after-any-privilege-level-change',
        'https://github.com/expressjs/session#sessionregeneratecallback',
        'https://docs.djangoproject.com/en/stable/topics/http/sessions/#django.contrib.sessions.backends.base.SessionBase.cycle_key',
        'https://cwe.mitre.org/data/definitions/384.html',
      ],
      examples: [
        { file: 'auth.py', bad: 'session["user_id"] = user.id', good: 'session.clear()\nsession["user_id"] = user.id' },
        { file: 'auth.js', bad: 'req.session.userId = user.id', good: 'req.session.regenerate((err) => { req.session.userId = user.id; res.redirect("/") })' },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      for (const a of py.assignments) {
        const t = a.targetExpr;
        if (a.op !== '=' || t.kind !== 'subscript' || t.index?.kind !== 'str' || !IDENTITY_KEY.test(t.index.value)) continue;
        const obj = dottedName(t.object);
        if (!obj) continue;
        const q = py.qualify(obj);
        const flask = q === 'flask.session' || (obj === 'session' && py.importsModule('flask'));
        const django = /(^|\.)request\.session$/.test(obj) && py.importsModule('django');
        if (!flask && !django) continue;
        const fn = enclosingPyFunction(py, a.range);
        if (!fn) continue;
        // A logout or a value that clears identity is not a login.
        if (a.value.kind === 'none' || /logout|signout/i.test(fn.name)) continue;
        const resetting = py.calls.some(
          (c) =>
            within(c.range, fn.bodyRange) &&
            c.range.start < a.range.start &&
            (/^(session\.(clear|regenerate|invalidate|modified)|request\.session\.(cycle_key|flush))$/.test(c.callee) ||
              /^(django\.contrib\.auth\.login|flask_login\.login_user)$/.test(c.qualified)),
        );
        if (resetting) continue;
        ctx.report({ messageId: 'pySession', data: { target: a.target, reset: flask ? 'session.clear()' : 'request.session.cycle_key()' }, at: a.range });
      }
    },

    script(ctx) {
      const { js, ast } = ctx;
      walk(ast, (node) => {
        if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
        const left = node.left;
        let key: string | undefined;
        let session: string | undefined;
        if (ts.isPropertyAccessExpression(left)) {
          key = left.name.text;
          session = dotted(left.expression);
        } else if (ts.isElementAccessExpression(left)) {
          const k = literalValue(left.argumentExpression);
          key = typeof k === 'string' ? k : undefined;
          session = dotted(left.expression);
        }
        if (!key || !session || !/(^|\.)(req|request|ctx)\.session$/.test(session) || !IDENTITY_KEY.test(key)) return;
        const v = node.right;
        if (v.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(v) && v.text === 'undefined')) return;
        if (insideRegenerate(node)) return;
        ctx.report({ messageId: 'jsSession', data: { target: `${session}.${key}` }, at: js.range(node) });
        return undefined;
      });
    },
  },
});

/** Inside the callback of req.session.regenerate(...), or after `await regenerate(...)` in the same function. */
function insideRegenerate(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isCallExpression(p) && /(^|\.)(regenerate|regenerateSession)$/.test(dotted(p.expression))) return true;
    if (ts.isFunctionLike(p)) {
      let found = false;
      const body = (p as ts.FunctionLikeDeclaration).body;
      if (body) {
        walk(body, (n) => {
          if (found || n.pos >= node.pos) return false;
          if (ts.isCallExpression(n) && /(^|\.)(regenerate|regenerateSession|promisify)$/.test(dotted(n.expression)) && /regenerate/.test(n.getText())) found = true;
          return undefined;
        });
      }
      if (found) return true;
    }
  }
  return false;
}
