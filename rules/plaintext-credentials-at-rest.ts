import { defineRule } from '../src/engine/rule.js';
import type { PyExpr } from '../src/parsers/python.js';
import { dotted, literalValue, ts, unwrap, walk } from '../src/parsers/script.js';
import { appMemo, appPyAny, perApp, pyFileTest } from './_shared/project.js';
import { jsHasEscape, pyTextHas } from './_shared/triggers.js';

/** Columns that hold a secret the app must be able to read back: encrypt them. */
const SECRET_COLUMN = /^(api_?key|secret_?key|client_?secret|totp_?secret|otp_?secret|mfa_?secret|two_?factor_?secret|tfa_?secret|access_?token|refresh_?token|private_?key|license_?key)$/i;
/** Columns that hold a password: hash them. */
const PASSWORD_COLUMN = /^(password|passwd|pwd|pass_?word|user_?password)$/i;
const COLUMN_CALL = /(^|\.)(Column|mapped_column|CharField|TextField|StringField|BinaryField)$/;
const PY_HASHERS = /generate_password_hash|bcrypt|argon2|passlib|pbkdf2|make_password|hashpw|scrypt|set_password|hash_password|check_password_hash/;
/** Values that are the submitted password itself: request.form["password"], data.get("password"), body["password"]. */
function rawPasswordPy(e: PyExpr): boolean {
  if (e.kind === 'subscript' && e.index?.kind === 'str' && PASSWORD_COLUMN.test(e.index.value)) return true;
  if (e.kind === 'call' && e.call.func.kind === 'attr' && e.call.func.attr === 'get' && e.call.positional[0]?.kind === 'str' && PASSWORD_COLUMN.test(e.call.positional[0].value)) return true;
  return false;
}

/**
 * Python: a model column needs a COLUMN_CALL callee and a SECRET_COLUMN/PASSWORD_COLUMN target
 * (identifiers, written as they are); a raw assignment or creation needs a PASSWORD_COLUMN attribute
 * or keyword and the submitted password read by its name in a string (`["password"]`,
 * `.get("password")`; a string may use escapes).
 */
const PY_COLUMN_CALL = /\b(?:Column|mapped_column|CharField|TextField|StringField|BinaryField)\b/;
const PY_COLUMN_NAME = /\b(?:api_?key|secret_?key|client_?secret|totp_?secret|otp_?secret|mfa_?secret|two_?factor_?secret|tfa_?secret|access_?token|refresh_?token|private_?key|license_?key|password|passwd|pwd|pass_?word|user_?password)\b/i;
const PASSWORD_WORD = /\b(?:password|passwd|pwd|pass_?word|user_?password)\b/i;
const PY_PASSWORD_STRING = /['"](?:password|passwd|pwd|pass_?word|user_?password)['"]/i;
function pyMayReport(text: string): boolean {
  return (PY_COLUMN_CALL.test(text) && PY_COLUMN_NAME.test(text)) || (PASSWORD_WORD.test(text) && pyTextHas(text, PY_PASSWORD_STRING));
}
/** Script: a PASSWORD_COLUMN name read from req.body / body / data / input / dto (names may use escapes). */
function jsMayReport(text: string): boolean {
  return jsHasEscape(text) || (PASSWORD_WORD.test(text) && /\b(?:body|data|input|dto)\b/.test(text));
}

/** Does some production module of the app mention a password hasher? */
const HASHING = appMemo('plaintext-credentials-at-rest.appHashes', (project, app) => appPyAny(project, app, HASHER_IN));
/** A module whose text names a hasher (cached per file, so the app memo is rebuilt from cached answers). */
const HASHER_IN = pyFileTest('plaintext-credentials-at-rest.hasherIn', PY_HASHERS, () => true);

export default defineRule({
  meta: {
    id: 'plaintext-credentials-at-rest',
    title: 'Credentials stored in plain text',
    category: 'security',
    severity: 'high',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs', 'nextjs', 'fastify', 'koa'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-256', 'CWE-312', 'CWE-916'],
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayReport(text) : jsMayReport(text))],
    messages: {
      secretColumn: 'Column "{name}" stores a {kind} unencrypted.',
      passwordColumn: 'Column "{name}" stores passwords and the app never hashes one.',
      rawAssign: '{target} is set to the submitted password without hashing it.',
      rawCreate: '{callee}(password=...) stores the submitted password without hashing it.',
    },
    docs: {
      why:
        'A database dump, a backup, a read replica, a SQL injection or a curious admin exposes every value stored in plain text. Passwords stored as typed are reused on other sites, so one leak compromises users everywhere. API keys and TOTP secrets in clear let whoever reads the table call the third-party API as you, or generate valid 2FA codes for every user.',
      fix:
        'Passwords: store only a slow salted hash (`generate_password_hash`, argon2-cffi, bcrypt, Django\'s `set_password`) and compare with the library\'s check function. API keys you issue: store a hash (SHA-256 of a random key is enough) and show the key once. Secrets you must read back (TOTP seeds, third-party API keys): encrypt them with a key from the environment or a KMS (cryptography Fernet, sqlalchemy-utils StringEncryptedType, django-fernet-fields).',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html',
        'https://cheatsheetseries.owasp.org/cheatsheets/Cryptographic_Storage_Cheat_Sheet.html',
        'https://werkzeug.palletsprojects.com/en/latest/utils/#werkzeug.security.generate_password_hash',
        'https://cwe.mitre.org/data/definitions/256.html',
      ],
      examples: [
        { file: 'models.py', bad: 'totp_secret = db.Column(db.String(32))', good: 'totp_secret = db.Column(StringEncryptedType(db.String, key=get_key))' },
        { file: 'auth.py', bad: 'user.password = request.form["password"]', good: 'user.password_hash = generate_password_hash(request.form["password"])' },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py, project } = ctx;
      const app = project.appOf(ctx.path);
      const modelClasses = new Set(py.classes.filter((c) => c.bases.some((b) => /(^|\.)(Model|Base|DeclarativeBase|SQLModel|Document)$/.test(b))).map((c) => c.name));
      for (const a of py.assignments) {
        const cls = a.scope.classes.at(-1);
        // Model columns
        if (cls && modelClasses.has(cls) && a.scope.functions.length === 0 && a.targetExpr.kind === 'name' && a.value.kind === 'call' && COLUMN_CALL.test(a.value.call.callee)) {
          const name = a.targetExpr.id;
          if (/encrypt/i.test(a.value.text)) continue;
          if (SECRET_COLUMN.test(name)) {
            ctx.report({ messageId: 'secretColumn', data: { name, kind: /totp|otp|mfa|factor/i.test(name) ? 'TOTP secret' : /token/i.test(name) ? 'token' : 'secret key' }, at: a.range });
          } else if (PASSWORD_COLUMN.test(name) && !perApp(HASHING, project, app)) {
            ctx.report({ messageId: 'passwordColumn', data: { name }, at: a.range, severity: 'critical' });
          }
          continue;
        }
        // user.password = request.form["password"]
        if (a.op === '=' && a.targetExpr.kind === 'attr' && PASSWORD_COLUMN.test(a.targetExpr.attr) && rawPasswordPy(a.value)) {
          ctx.report({ messageId: 'rawAssign', data: { target: a.target }, at: a.range, severity: 'critical' });
        }
      }
      // User(email=..., password=request.form["password"])
      for (const call of py.calls) {
        const last = call.callee.split('.').at(-1) ?? '';
        if (!/^[A-Z]/.test(last)) continue;
        for (const arg of call.args) {
          if (arg.name && PASSWORD_COLUMN.test(arg.name) && rawPasswordPy(arg.value)) ctx.report({ messageId: 'rawCreate', data: { callee: call.callee }, at: arg.range, severity: 'critical' });
        }
      }
    },

    script(ctx) {
      const { js, ast } = ctx;
      walk(ast, (node) => {
        // user.password = req.body.password
        if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && PASSWORD_COLUMN.test(node.left.name.text) && rawPasswordJs(node.right)) {
          ctx.report({ messageId: 'rawAssign', data: { target: dotted(node.left) || node.left.getText(ast) }, at: js.range(node), severity: 'critical' });
        }
        // User.create({ email, password: req.body.password })
        if (ts.isCallExpression(node) && /(^|\.)(create|build|insert|insertOne|save|upsert)$/.test(dotted(node.expression))) {
          for (const a of node.arguments) {
            const obj = unwrap(a);
            if (!ts.isObjectLiteralExpression(obj)) continue;
            for (const p of obj.properties) {
              if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && PASSWORD_COLUMN.test(p.name.text) && rawPasswordJs(p.initializer)) {
                ctx.report({ messageId: 'rawCreate', data: { callee: dotted(node.expression) }, at: js.range(p), severity: 'critical' });
              }
            }
          }
        }
        return undefined;
      });
    },
  },
});

function rawPasswordJs(e: ts.Expression): boolean {
  const u = unwrap(e);
  if (ts.isPropertyAccessExpression(u)) return PASSWORD_COLUMN.test(u.name.text) && /(^|\.)(req|request)\.body$|^(body|data|input|dto)$/.test(dotted(u.expression));
  if (ts.isElementAccessExpression(u)) {
    const k = literalValue(u.argumentExpression);
    return typeof k === 'string' && PASSWORD_COLUMN.test(k) && /(^|\.)(req|request)\.body$/.test(dotted(u.expression));
  }
  return false;
}
