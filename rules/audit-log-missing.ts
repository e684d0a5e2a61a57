import { defineRule } from '../src/engine/rule.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import type { PyCall } from '../src/parsers/python.js';
import { dotted, isStringLike, literalValue, objectProps, ts, walk } from '../src/parsers/script.js';
import { appLoginRoutes, LOGIN_HINT, type LoginRoute } from './_shared/login.js';
import { appPyAny, appScriptAny, backendApps, pyFileTest, scriptFileTest } from './_shared/project.js';
import { callsIn } from './_shared/routes.js';

const LEVELS = /^(debug|info|warning|warn|error|critical|exception|log|notice|fatal|trace)$/;
/** What a logged message says when it records an authentication event. */
const AUTH_EVENT = /log(ged)?[\s_-]?in|sign(ed)?[\s_-]?in|auth|credential|password|lock(ed)?[\s_-]?out/i;
/** Keys of an event record: { action: "login" }, event_type="login_failed". */
const EVENT_KEY = /^(action|event|event_type|eventType|activity|type)$/;
/** Calls that write an audit record: audit_log(...), log_event(...), AuditLog(...), db.session.add(Log(action="login")). */
const AUDIT_CALL = /audit|Audit|^(log|record|track)_?(event|action|activity|security|auth|login)|^(log|record|track)(Event|Action|Activity|Security|Auth|Login)|^[A-Z]\w*(Log|Event|History|Trail)$|^Log$/;
/** Model / entity / table names of an audit trail. */
const AUDIT_MODEL = /^(\w*Audit\w*|(Activity|Security|Login|Auth|Access|UserActivity|Event|Admin)(Log|Event|History|Trail|Record)s?|Log|LogEntry)$/;
const AUDIT_TABLE = /audit|activity_log|security_(log|event)|login_(history|event|attempt)|auth_(log|event)/i;
/** Django apps and signals that keep an audit trail. */
const AUDIT_PY_MODULES = ['auditlog', 'simple_history', 'easyaudit', 'pghistory', 'reversion', 'django_auditlog', 'flask_audit', 'sqlalchemy_continuum'];
const AUTH_SIGNALS = /(^|\.)(user_logged_in|user_login_failed|user_logged_out)$/;
const JS_AUDIT_MODULES = ['@nestjs/cqrs-audit', 'audit-log', 'express-audit-log', 'mongoose-audit-trail', 'typeorm-audit'];

export default defineRule({
  meta: {
    id: 'audit-log-missing',
    title: 'No security audit log',
    category: 'accounts',
    severity: 'low',
    confidence: 'low',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs', 'fastify', 'koa'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-778'],
    triggers: [LOGIN_HINT],
    messages: {
      missing:
        'App "{app}" has a password login ({name}) but records no security audit trail: the login handler logs no success or failure, and the app has no audit or activity log model, table or library (looked for audit_log/log_event calls, logger calls naming the login, AuditLog-style models, django-auditlog, django-simple-history, django-easy-audit, auth signal receivers).',
    },
    docs: {
      why:
        'When an account is taken over, an admin abuses access or a customer disputes a change, the first question is who did what, when and from where. Without a record of logins (successful and failed), password and role changes and admin actions there is no way to answer it, to notice a credential-stuffing run while it happens, or to meet the logging duties of SOC 2, PCI DSS or GDPR breach notification. Application logs that only hold errors and request lines do not say which account acted.',
      fix:
        'Record security events in an append-only place: an `AuditLog` table (user id, action, target, IP, user agent, timestamp, outcome) written from the login handler on success and on failure, and from password, email, 2FA, role and admin actions; or structured log lines (`logger.info("login succeeded", extra={"user_id": ...})`, `logger.warn({ userId, ip }, "login failed")`) shipped to a store the app cannot rewrite. Django: django-auditlog, django-simple-history or django-easy-audit, plus receivers for `user_logged_in` / `user_login_failed`. Never log passwords, tokens or full session ids.',
      whenNotTo: 'If authentication happens in an identity provider (Auth0, Cognito, Keycloak) that keeps the login audit, and the app has no admin actions of its own, turn the rule off in .prodaudit.yml and say where the audit lives.',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html',
        'https://owasp.org/Top10/A09_2021-Security_Logging_and_Monitoring_Failures/',
        'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html',
        'https://django-auditlog.readthedocs.io/',
        'https://docs.djangoproject.com/en/stable/ref/contrib/auth/#module-django.contrib.auth.signals',
        'https://cwe.mitre.org/data/definitions/778.html',
      ],
      examples: [
        {
          file: 'auth.py',
          bad: 'if not check_password_hash(user.password_hash, pw):\n    return "invalid", 401\nlogin_user(user)',
          good: 'if not check_password_hash(user.password_hash, pw):\n    logger.warning("login failed", extra={"email": email, "ip": request.remote_addr})\n    return "invalid", 401\nlogin_user(user)\naudit_log(user.id, "login")',
        },
        { file: 'auth.js', bad: "if (!(await bcrypt.compare(password, user.hash))) return res.sendStatus(401);", good: "if (!(await bcrypt.compare(password, user.hash))) {\n  logger.warn({ email, ip: req.ip }, 'login failed');\n  return res.sendStatus(401);\n}" },
      ],
    },
  },
  check: {
    project(ctx) {
      const { project } = ctx;
      for (const app of backendApps(project)) {
        const logins = appLoginRoutes(project, app);
        if (logins.length === 0 || logins.some(loginRecordsEvent)) continue;
        if (appKeepsAuditTrail(project, app)) continue;
        const first = logins[0]!;
        ctx.report({ messageId: 'missing', data: { app: app.name, name: first.name }, file: first.file, at: first.at });
      }
    },
  },
});

/** Does the login handler write an audit record, or log the authentication event through a logger? */
function loginRecordsEvent(l: LoginRoute): boolean {
  if (l.lang === 'python') return !!l.handler && !!l.handlerPy && callsIn(l.handlerPy, l.handler).some(pyRecordsEvent);
  const body = l.route.handler?.body;
  if (!body) return false;
  let found = false;
  walk(body, (n) => {
    if (found) return false;
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const callee = dotted(n.expression);
      if (AUDIT_CALL.test(callee.split('.').at(-1) ?? '') || (isLoggerCall(callee) && (n.arguments ?? []).some(mentionsAuth))) found = true;
      else if ((n.arguments ?? []).some((a) => [...objectProps(a)].some(([k, p]) => EVENT_KEY.test(k) && mentionsAuth(p.value)))) found = true;
    }
    return undefined;
  });
  return found;
}

function pyRecordsEvent(c: PyCall): boolean {
  const last = c.callee.split('.').at(-1) ?? '';
  if (AUDIT_CALL.test(last)) return true;
  // An event record naming the login: Log(action="login"), chain.add_block({"action": "login", ...})
  if (c.args.some((a) => (a.name !== undefined && EVENT_KEY.test(a.name) && a.value.kind === 'str' && AUTH_EVENT.test(a.value.value)) || (a.value.kind === 'dict' && a.value.entries.some((e) => e.key?.kind === 'str' && EVENT_KEY.test(e.key.value) && e.value.kind === 'str' && AUTH_EVENT.test(e.value.value))))) return true;
  return isLoggerCall(c.callee) && c.args.some((a) => (a.value.kind === 'str' || a.value.kind === 'fstring') && AUTH_EVENT.test(a.value.text));
}

/** logger.info, log.warn, app.logger.warning, this.logger.log, req.log.info, logging.info (not console or print). */
function isLoggerCall(callee: string): boolean {
  const parts = callee.split('.');
  return parts.length >= 2 && LEVELS.test(parts.at(-1)!) && /log/i.test(parts.at(-2)!);
}

function mentionsAuth(a: ts.Expression): boolean {
  if (isStringLike(a)) return AUTH_EVENT.test(String(literalValue(a)));
  if (ts.isTemplateExpression(a)) return AUTH_EVENT.test(a.head.text) || a.templateSpans.some((s) => AUTH_EVENT.test(s.literal.text));
  return false;
}

const AUDIT_HINT = /audit|Audit|history|Log\b|_log|Log\(|user_logged_in|user_login_failed|activity|Activity|security_event/;

/** An audit or activity log model, table or library, or a receiver of the framework's login signals, anywhere in the app. */
function appKeepsAuditTrail(project: ProjectFacts, app: App): boolean {
  return appPyAny(project, app, PY_TRAIL_IN) || appScriptAny(project, app, JS_TRAIL_IN);
}

/** A Python module that shows an audit trail (cached per file). */
const PY_TRAIL_IN = pyFileTest('audit-log-missing.pyTrailIn', AUDIT_HINT, (py) =>
  AUDIT_PY_MODULES.some((m) => py.importsModule(m)) ||
  py.strings.some((s) => AUDIT_PY_MODULES.includes(s.value) || /^CREATE TABLE (IF NOT EXISTS )?\w*audit/i.test(s.value.trim())) ||
  py.imports.some((i) => AUTH_SIGNALS.test(i.qualified)) ||
  py.classes.some((c) => c.bases.length > 0 && AUDIT_MODEL.test(c.name)) ||
  py.assignments.some((a) => a.target === '__tablename__' && a.value.kind === 'str' && AUDIT_TABLE.test(a.value.value)),
);

/** A JS/TS module that shows an audit trail: an audit module, an audit model class, or an audit model / table defined by name (cached per file). */
const JS_TRAIL_IN = scriptFileTest('audit-log-missing.jsTrailIn', AUDIT_HINT, (js) => {
  if (JS_AUDIT_MODULES.some((m) => js.importsModule(m))) return true;
  let found = false;
  walk(js.sf, (n) => {
    if (found) return false;
    if (ts.isClassDeclaration(n) && n.name && AUDIT_MODEL.test(n.name.text)) found = true;
    // mongoose.model('AuditLog', schema), sequelize.define('audit_log', ...), @Entity('audit_logs')
    if (ts.isCallExpression(n) && /(^|\.)(model|define|Entity)$/.test(dotted(n.expression))) {
      const name = literalValue(n.arguments[0]);
      if (typeof name === 'string' && (AUDIT_MODEL.test(name) || AUDIT_TABLE.test(name))) found = true;
    }
    return undefined;
  });
  return found;
});
