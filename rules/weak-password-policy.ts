import { defineRule } from '../src/engine/rule.js';
import { isBackendApp } from './_shared/project.js';
import { literalValue, ts, walk } from '../src/parsers/script.js';
import { authRouteKind, callsIn, pythonRoutes } from './_shared/routes.js';
import { jsHasEscape, pyTextHas } from './_shared/triggers.js';

const MIN_LENGTH = 8;
const PASSWORD_NAME = /pass(word)?|pwd/i;
/** Fields that re-enter or check an existing password: a length rule there is not the policy. */
const NOT_A_NEW_PASSWORD = /^(current|old|existing|confirm|repeat|verify)[_-]?pass|pass(word)?[_-]?(confirm|confirmation|again|repeat|check)$/i;
/** `min(1)` / `length < 1` is a "required" check, not a length policy. */
const isPolicyLength = (v: unknown): v is number => typeof v === 'number' && v > 1 && v < MIN_LENGTH;
const SETS_PASSWORD = /(set|reset|update|change|save|store|hash)_?password|password_?(hash|update)|^(hashpw|make_password|generate_password_hash|hash|encrypt)$/i;
const VALIDATOR = /valid|strength|policy|check_password_rules|password_ok|zxcvbn|complexity/i;
/** Words authRouteKind needs in a route path or handler name for a register and for a reset route. */
const REGISTER_WORD = /register|signup|sign[-_]up|create[-_]account|join/i;
const RESET_WORD = /forgot|reset|recover/i;

/**
 * Python: AUTH_PASSWORD_VALIDATORS as an assignment target (a name: no escapes), or a register and a
 * reset route in this file (their words in a path string, which may use escapes, or a handler name),
 * a VALIDATOR-named callee in the register handler and, in the reset handler, a SETS_PASSWORD callee
 * or a password-named keyword (callees and keywords are identifiers: written as they are).
 */
function pyMayReport(text: string): boolean {
  if (text.includes('AUTH_PASSWORD_VALIDATORS')) return true;
  return VALIDATOR.test(text) && /pass|pwd|hash|encrypt/i.test(text) && pyTextHas(text, REGISTER_WORD) && pyTextHas(text, RESET_WORD);
}

/**
 * Script: a `.length` compared with `<`/`>=`, or a min/minLength/minlength call, with a password
 * name beside it (PASSWORD_NAME on source text or a property name, which TypeScript decodes: JS_ESCAPE).
 */
function jsMayReport(text: string): boolean {
  if (jsHasEscape(text)) return true;
  return PASSWORD_NAME.test(text) && /\b(?:length|min|minLength|minlength)\b/.test(text);
}

export default defineRule({
  meta: {
    id: 'weak-password-policy',
    title: 'Weak or inconsistent password policy',
    category: 'accounts',
    severity: 'medium',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs', 'nextjs', 'fastify', 'koa'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-521'],
    // Python needs an empty AUTH_PASSWORD_VALIDATORS or a register and a reset route (pyMayReport);
    // script needs a short length rule on a password name (jsMayReport).
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayReport(text) : jsMayReport(text))],
    messages: {
      djangoEmpty: 'AUTH_PASSWORD_VALIDATORS is empty: Django accepts any password.',
      shortMinimum: 'Passwords are only required to be {n} characters long.',
      resetSkipsValidator: 'The {reset} handler does not call {validator}(), which the {register} handler uses: reset accepts passwords registration would reject.',
    },
    docs: {
      why:
        'Short passwords and passwords from breach lists fall to online guessing and to offline cracking of a leaked hash table within minutes. A reset or change-password form that skips the checks registration applies lets users (or an attacker who took over an account) set exactly the weak passwords the policy was meant to stop.',
      fix:
        'Require at least 8 characters (NIST SP 800-63B; 12+ is better), reject common and breached passwords (Django\'s CommonPasswordValidator, zxcvbn, the HIBP range API), and call one `validate_password()` from every place a password is set: registration, reset, change, admin creation. In Django keep the four default AUTH_PASSWORD_VALIDATORS.',
      references: [
        'https://pages.nist.gov/800-63-3/sp800-63b.html#memsecret',
        'https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#implement-proper-password-strength-controls',
        'https://docs.djangoproject.com/en/stable/topics/auth/passwords/#module-django.contrib.auth.password_validation',
        'https://cwe.mitre.org/data/definitions/521.html',
      ],
      examples: [{ file: 'auth.py', bad: 'if len(password) < 6:\n    abort(400)', good: 'errors = validate_password(password)  # length >= 8, not common, not breached\nif errors: abort(400)' }],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      for (const a of py.assignments) {
        if (a.topLevel && a.target === 'AUTH_PASSWORD_VALIDATORS' && (a.value.kind === 'list' || a.value.kind === 'tuple') && a.value.elements.length === 0) ctx.report({ messageId: 'djangoEmpty', at: a.range });
      }
      // The reset handler skips the validator the register handler calls.
      const routes = pythonRoutes(py, ctx.path).filter((r) => r.handler);
      const register = routes.find((r) => authRouteKind(r) === 'register');
      if (!register?.handler) return;
      const validator = callsIn(py, register.handler).find((c) => VALIDATOR.test(c.callee.split('.').at(-1) ?? ''));
      if (!validator) return;
      const name = validator.callee.split('.').at(-1)!;
      for (const r of routes) {
        if (authRouteKind(r) !== 'reset' || !r.handler) continue;
        const calls = callsIn(py, r.handler);
        // Only handlers that store a new password: the one that mails the reset link sets none.
        if (!calls.some((c) => SETS_PASSWORD.test(c.callee.split('.').at(-1) ?? '') || c.args.some((a) => PASSWORD_NAME.test(a.name ?? '')))) continue;
        if (calls.some((c) => (c.callee.split('.').at(-1) ?? '') === name)) continue;
        ctx.report({ messageId: 'resetSkipsValidator', data: { reset: r.handler.name, register: register.handler.name, validator: name }, at: r.at });
      }
    },

    script(ctx) {
      const { js, ast, project } = ctx;
      // Validation in a front end is convenience for the user; the policy is what the server enforces.
      if (!isBackendApp(project.appOf(ctx.path))) return;
      walk(ast, (n) => {
        // password.length < 6  /  body.password.length >= 6  /  z.string().min(6) on a password field
        if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.LessThanToken || n.operatorToken.kind === ts.SyntaxKind.GreaterThanEqualsToken)) {
          const l = n.left;
          const v = literalValue(n.right);
          if (ts.isPropertyAccessExpression(l) && l.name.text === 'length' && PASSWORD_NAME.test(l.expression.getText(ast)) && isPolicyLength(v)) {
            ctx.report({ messageId: 'shortMinimum', data: { n: v }, at: js.range(n) });
          }
        }
        if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && PASSWORD_NAME.test(n.name.text) && !NOT_A_NEW_PASSWORD.test(n.name.text)) {
          walk(n.initializer, (m) => {
            if (ts.isCallExpression(m) && ts.isPropertyAccessExpression(m.expression) && /^(min|minLength|minlength)$/.test(m.expression.name.text)) {
              const v = literalValue(m.arguments[0]);
              if (isPolicyLength(v)) ctx.report({ messageId: 'shortMinimum', data: { n: v }, at: js.range(m) });
            }
            return undefined;
          });
        }
        return undefined;
      });
    },
  },
});
