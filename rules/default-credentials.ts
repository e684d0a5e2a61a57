import { replace } from '../src/engine/edits.js';
import { defineRule } from '../src/engine/rule.js';
import type { Fix, Severity, TextEdit, TextRange } from '../src/engine/types.js';
import type { PyCall, PyExpr, PyModule } from '../src/parsers/python.js';
import { dotted, isStringLike, literalValue, objectProps, propertyName, ts, unwrap, walk, type ScriptModule } from '../src/parsers/script.js';
import { isMap, isScalar, type Document } from 'yaml';
import { scalarString } from '../src/parsers/yaml.js';
import { composeEnv, dockerEnv, kubernetesEnv, rangeOf, TRUTHY, type ConfigEnvVar } from './_shared/config-files.js';
import { envWithFallback, readsEnv as jsReadsEnv, resolveConst } from './_shared/js.js';
import { envLookup, importOsEdits, preferredQuote, resolvePyName } from './_shared/python.js';
import { pyDecoded, pyHasEscape, pyTextHas } from './_shared/triggers.js';

/** Passwords that ship as defaults, appear in every wordlist, or name the service they protect. */
const WEAK = new Set(
  [
    'admin', 'admin1', 'admin12', 'admin123', 'admin1234', 'admin@123', 'administrator', 'password', 'password1', 'password123', 'passw0rd', 'p@ssw0rd', 'p@ssword',
    'changeme', 'change_me', 'change-me', 'changeit', 'secret', 'secret123', 'supersecret', 'root', 'toor', 'root123', '123456', '1234567', '12345678', '123456789',
    '1234', '12345', '123', '111111', '000000', 'qwerty', 'qwerty123', 'letmein', 'welcome', 'welcome1', 'default', 'test', 'test123', 'testing', 'guest', 'demo',
    'user', 'user123', 'pass', 'pass123', 'pwd', 'abc123', 'iloveyou', 'master', 'login', 'postgres', 'postgresql', 'mysql', 'mariadb', 'mongo', 'mongodb', 'redis',
    'rabbitmq', 'example', 'sa', 'oracle', 'minioadmin', 'elastic', 'dbpass', 'dbpassword', 'db_password', 'database', 'app', 'django', 'flask', 'express',
  ].map((s) => s.toLowerCase()),
);
/** Values that stand for "fill this in" rather than a password anyone uses. */
const PLACEHOLDER = /^(\$\{[^}:]*(:?\?[^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^>]*>|\{\{.*\}\}|%\(\w+\)s|\*+|x{3,}|\.{3,}|your[-_ ]?\w*|.*_here|<redacted>|redacted|none|null|undefined)$/i;
/** `scheme://user:password@host`: credentials in a connection URL. */
const DB_URL = /^([a-z][a-z0-9+.-]*):\/\/([^:@/\s]*):([^@/\s]+)@([^\s]*)$/i;
const DB_SCHEMES = /^(postgres(ql)?|mysql|mariadb|mssql|sqlserver|oracle|mongodb|mongodb\+srv|redis|rediss|amqps?|cockroachdb|clickhouse|neo4j|couchdb|cassandra)(\+[a-z0-9]+)?$/i;
/** Env/compose keys that hold a password. */
const PASSWORD_KEY = /(^|_)(PASSWORD|PASSWD|PWD|PASS)$/i;
/** Service password keys whose empty value means "no authentication". */
const SERVICE_PASSWORD_KEY = /^(POSTGRES_PASSWORD|MYSQL_ROOT_PASSWORD|MYSQL_PASSWORD|MARIADB_ROOT_PASSWORD|MARIADB_PASSWORD|MONGO_INITDB_ROOT_PASSWORD|REDIS_PASSWORD|RABBITMQ_DEFAULT_PASS|ELASTIC_PASSWORD|DB_PASSWORD|DATABASE_PASSWORD)$/;
/** Object/keyword names that carry a password. */
const PASSWORD_NAME = /^(password|passwd|pwd|pass|raw_?password|plain_?password|admin_?password|default_?password|root_?password|user_?password|password1)$/i;
/** Sibling keys that make an object a database connection config. */
const DB_CONFIG_KEYS = new Set(['host', 'hostname', 'database', 'dialect', 'type', 'port', 'connectionString', 'server', 'db', 'authSource', 'connectionLimit', 'synchronize', 'entities', 'client']);
const USERISH = /user|admin|account|member|staff|customer|person|people|employee|owner|superuser/i;

type Strength = 'default' | 'hard-coded';

/** Script and config kinds: the words as before. */
const OTHER_TRIGGER = /passw|pwd|_PASS\b|_PASS=|_PASS:|:\/\/[^\s'"`/@]*:[^\s'"`/@]+@|AUTH_METHOD|EMPTY_PASSWORD|Sequelize|create_(super)?user|hash/i;
/** `password=` / `pwd=` ... : a PASSWORD_NAME keyword, or the `user.password = '...'` attribute. */
const PY_PASSWORD_KEYWORD = /\b(?:password1?|passwd|pwd|pass|raw_?password|plain_?password|admin_?password|default_?password|root_?password|user_?password)\s*=(?!=)/i;
/** The scheme words of a DB_SCHEMES connection URL in a string. */
const PY_DB_SCHEME = /postgres|mysql|mariadb|mssql|sqlserver|oracle|mongodb|redis|amqp|cockroachdb|clickhouse|neo4j|couchdb|cassandra/i;

/**
 * Does `s` hold a scheme word, then letters, digits or `+`, then `://` (a case-insensitive
 * `(?:postgres|…)[a-z0-9+]*:\/\/`)? The words are letters and digits themselves, so that is: the
 * run of those characters before some `://` contains one. Found from each `://` backwards: the
 * regex tried its dozen words at every offset of every file (~80 ms of the Python corpus's triggers).
 */
function hasDbUrl(s: string): boolean {
  for (let i = s.indexOf('://'); i !== -1; i = s.indexOf('://', i + 1)) {
    let j = i;
    for (let c = s.charCodeAt(j - 1); (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2b; c = s.charCodeAt(--j - 1));
    if (j < i && PY_DB_SCHEME.test(s.slice(j, i))) return true;
  }
  return false;
}
/**
 * Python: a hashing call (isPyHashCall: a password-hash function name, or hash/encrypt/using on a
 * password context, bcrypt, argon2, ... receiver, named as written or by its import), set_password,
 * a user creation with a password keyword or create_user's positional password, a password attribute
 * assignment, a PASSWORD/password dict key (a string: escapes decoded), or a connection URL.
 */
function pyMayReport(text: string): boolean {
  // Each name below holds `hash`, `_password` or `create_`, and a URL `://`: includes() first, since
  // these alternations scanned every Python file in full (the rule's trigger was the costliest one).
  if ((text.includes('hash') || text.includes('_password') || text.includes('create_')) && /password_hash|make_password|hashpw|hash_password|encrypt_password|set_password|create_(?:super)?user/.test(text)) return true;
  if (/\b(?:hash|encrypt|using)\b/.test(text) && /pwd|password|crypt|pbkdf2|argon2|hasher|passlib|pwdlib/i.test(text)) return true;
  // A connection URL in a string, as written or with the escapes the facade decodes (pyTextHas's test).
  return PY_PASSWORD_KEYWORD.test(text) || pyTextHas(text, /(?:PASSWORD|password)['"]/) || hasDbUrl(text) || (pyHasEscape(text) && hasDbUrl(pyDecoded(text)));
}

export default defineRule({
  meta: {
    id: 'default-credentials',
    title: 'Default or hard-coded credentials',
    category: 'security',
    severity: 'critical',
    confidence: 'high',
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-798', 'CWE-1392', 'CWE-521'],
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayReport(text) : OTHER_TRIGGER.test(text))],
    messages: {
      userPassword: 'A user account is created with the {strength} password "{password}".',
      hashLiteral: '{callee}() hashes the {strength} password "{password}".',
      setPassword: 'A password is set to the {strength} value "{password}".',
      passwordFallback: 'The password falls back to the {strength} value "{password}" when {name} is unset.',
      dbPassword: 'The database password is the {strength} value "{password}".',
      dbUrl: 'Connection URL with {strength} credentials ({user}:{password}).',
      dbUrlFallback: 'The connection URL falls back to one with {strength} credentials ({user}:{password}) when {name} is unset.',
      configPassword: '{key} is set to the default password "{password}" in {file}.',
      configFallback: '{key} defaults to the password "{password}" when {name} is unset in {file}.',
      configUrl: '{key} holds a connection URL with the default credentials {user}:{password} in {file}.',
      emptyPassword: '{key} is empty in {file}: the service runs without a password.',
      noAuth: '{key}={value} in {file} turns password authentication off.',
    },
    docs: {
      why:
        'Default and hard-coded passwords are the first thing attackers try: admin/admin123, postgres/postgres and root/root are in every scanner\'s wordlist, and a password committed to the repository is known to everyone who can read it (forks, CI logs, former staff, a leaked laptop). Seeded admin accounts keep their seed password in production more often than not, and a database reachable with its image\'s default password is a full data breach.',
      fix:
        'Read passwords from the environment or a secret store and refuse to start without them: `password=os.environ["ADMIN_PASSWORD"]`, `password: process.env.ADMIN_PASSWORD`, `DATABASE_URL` from the environment without a literal fallback, and `POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}` in compose files. Rotate every password that was ever committed. Seed scripts should generate a random password (and print it once) or require one. The fixes are unsafe: the app or container stops working until the new variable is set in each environment, and the old password must still be rotated by hand.',
      references: [
        'https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/',
        'https://cwe.mitre.org/data/definitions/798.html',
        'https://cwe.mitre.org/data/definitions/1392.html',
        'https://hub.docker.com/_/postgres',
        'https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/',
      ],
      examples: [
        {
          file: 'seed.py',
          bad: 'from django.contrib.auth.models import User\n\nUser.objects.create_superuser("admin", "admin@example.com", "admin123")\n',
          good: 'import os\n\nfrom django.contrib.auth.models import User\n\nUser.objects.create_superuser("admin", "admin@example.com", os.environ["ADMIN_PASSWORD"])\n',
        },
        {
          file: 'docker-compose.yml',
          bad: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres\n',
          good: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}\n',
        },
        {
          file: 'seed.js',
          bad: "const bcrypt = require('bcrypt');\n\nconst hash = bcrypt.hashSync('password', 10);\n",
          good: "const bcrypt = require('bcrypt');\n\nconst hash = bcrypt.hashSync(process.env.ADMIN_PASSWORD, 10);\n",
        },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      const q = preferredQuote(py);
      const importOs = importOsEdits(py);
      const reported = new Set<number>();
      const envFix = (range: TextRange, name: string, bytes = false): Fix => ({
        title: `Read ${name} from the environment`,
        applicability: 'unsafe',
        edits: [...importOs, replace(range, `os.environ[${q}${name}${q}]${bytes ? '.encode()' : ''}`)],
        envVars: [{ name, description: envDescription(name) }],
      });
      /** Report a password-bearing expression: a literal, a name bound to one, or an env lookup with a literal fallback. */
      const password = (e: PyExpr | undefined, scope: readonly string[], messageId: 'userPassword' | 'hashLiteral' | 'setPassword' | 'dbPassword', varName: string, callee = '') => {
        if (!e) return;
        const v = resolvePyName(py, e, scope) ?? e;
        const look = envLookup(v, py);
        if (look) {
          const fb = look.fallback;
          if (fb?.kind !== 'str' || !isPasswordValue(fb.value) || reported.has(fb.range.start)) return;
          reported.add(fb.range.start);
          const name = look.name ?? varName;
          ctx.report({
            messageId: 'passwordFallback',
            at: fb.range,
            data: { strength: strength(fb.value), password: fb.value, name },
            secrets: [fb.value],
            severity: severity(fb.value),
            fix: envFix(look.range, name),
          });
          return;
        }
        if (v.kind !== 'str' || !isPasswordValue(v.value) || reported.has(v.range.start)) return;
        reported.add(v.range.start);
        const bytes = /^[a-zA-Z]*b/i.test(v.text) && !/^[a-zA-Z]*f/i.test(v.text);
        ctx.report({ messageId, at: v.range, data: { strength: strength(v.value), password: v.value, callee }, secrets: [v.value], severity: severity(v.value), fix: envFix(v.range, varName, bytes) });
      };

      for (const call of py.calls) {
        const scope = call.scope.functions;
        // The method as written (`x().objects.create_user`) or, for a bare imported function, its real name (`hash_pw` -> generate_password_hash).
        const method = call.func.kind === 'attr' ? call.func.attr : (call.qualified.split('.').at(-1) ?? '');
        // Hashing a literal: generate_password_hash('admin123'), make_password(...), bcrypt.hashpw(b'...'), pwd_context.hash(...)
        if (isPyHashCall(call, method)) {
          password(call.positional[0] ?? call.keyword('password'), scope, 'hashLiteral', seedVarName(call, py), call.callee);
          continue;
        }
        // user.set_password('changeme')
        if (method === 'set_password' && call.callee.includes('.')) {
          password(call.positional[0] ?? call.keyword('raw_password'), scope, 'setPassword', 'ADMIN_PASSWORD');
          continue;
        }
        // User(username='admin', password='admin123'), User.objects.create_user(..., password=...), create_superuser('admin', 'a@b.c', 'admin')
        if (isPyUserCreation(call, method)) {
          const kw = call.args.find((a) => a.name && PASSWORD_NAME.test(a.name));
          const positional = /^(create_user|create_superuser|_create_user)$/.test(method) && call.func.kind === 'attr' ? call.positional[2] : undefined;
          password(kw?.value ?? positional, scope, 'userPassword', seedVarName(call, py));
        }
      }
      // user.password = 'admin'
      for (const a of py.assignments) {
        if (a.op !== '=' || a.targetExpr.kind !== 'attr' || !/^(password|raw_password|plain_password)$/.test(a.targetExpr.attr)) continue;
        if (a.value.kind !== 'str') continue;
        password(a.value, a.scope.functions, 'setPassword', 'ADMIN_PASSWORD');
      }
      // Django DATABASES = {'default': {'PASSWORD': 'postgres'}} (and any settings dict with a PASSWORD entry)
      for (const a of py.assignments) {
        if (a.op !== '=' || a.value.kind !== 'dict') continue;
        for (const entry of nestedDictEntries(a.value)) {
          if (entry.key?.kind !== 'str' || !/^(PASSWORD|password)$/.test(entry.key.value)) continue;
          password(entry.value, a.scope.functions, 'dbPassword', 'DB_PASSWORD');
        }
      }

      // Connection URLs with credentials, literal or as an env lookup's fallback.
      const fallbacks = new Map<number, { range: TextRange; name: string | undefined }>();
      const candidates: (PyExpr & { kind: 'str' })[] = [];
      const collect = (e: PyExpr | undefined, depth = 0) => {
        if (!e || depth > 4) return;
        const look = envLookup(e, py);
        if (look?.fallback) fallbacks.set(look.fallback.range.start, { range: look.range, name: look.name });
        if (e.kind === 'str') candidates.push(e);
        else if (e.kind === 'dict') for (const en of e.entries) collect(en.value, depth + 1);
        else if (e.kind === 'list' || e.kind === 'tuple') for (const el of e.elements) collect(el, depth + 1);
        else if (e.kind === 'boolop') {
          collect(e.left, depth + 1);
          collect(e.right, depth + 1);
        } else if (e.kind === 'ifexp') {
          collect(e.body, depth + 1);
          collect(e.orelse, depth + 1);
        }
      };
      for (const a of py.assignments) collect(a.value);
      for (const c of py.calls) {
        const logging = /^(print|logging\.\w+|warnings\.warn)$/.test(c.qualified) || (c.func.kind === 'attr' && /^(debug|info|warning|warn|error|exception|critical|log)$/.test(c.func.attr));
        if (logging) continue; // messages, not connections
        for (const arg of c.args) collect(arg.value);
      }
      for (const s of candidates) {
        if (reported.has(s.range.start)) continue;
        const url = credentialUrl(s.value);
        if (!url) continue;
        reported.add(s.range.start);
        const fb = fallbacks.get(s.range.start);
        const name = fb?.name ?? urlVarName(url.scheme);
        ctx.report({
          messageId: fb ? 'dbUrlFallback' : 'dbUrl',
          at: s.range,
          data: { strength: strength(url.password, url.user), user: url.user, password: url.password, name },
          secrets: [url.password],
          severity: severity(url.password, url.user),
          fix: envFix(fb?.range ?? s.range, name),
        });
      }
    },

    script(ctx) {
      const { js, ast } = ctx;
      const reported = new Set<number>();
      const envFix = (range: TextRange, name: string): Fix => ({
        title: `Read ${name} from the environment`,
        applicability: 'unsafe',
        edits: [replace(range, `process.env.${name}`)],
        envVars: [{ name, description: envDescription(name) }],
      });
      /** Report a password-bearing expression (literal, const bound to one, env read with a literal fallback). */
      const password = (e: ts.Expression | undefined, messageId: 'userPassword' | 'hashLiteral' | 'setPassword' | 'dbPassword', varName: string, callee = '') => {
        if (!e) return;
        const direct = unwrap(e);
        const v = resolveConst(js, direct) ?? direct;
        const env = envWithFallback(v);
        if (env) {
          const fb = env.fallback ? unwrap(env.fallback) : undefined;
          if (!fb || !isStringLike(fb) || !isPasswordValue(fb.text)) return;
          const at = js.range(fb);
          if (reported.has(at.start)) return;
          reported.add(at.start);
          const name = env.name ?? varName;
          ctx.report({
            messageId: 'passwordFallback',
            at,
            data: { strength: strength(fb.text), password: fb.text, name },
            secrets: [fb.text],
            severity: severity(fb.text),
            fix: envFix(js.range(env.node), name),
          });
          return;
        }
        if (!isStringLike(v) || !isPasswordValue(v.text)) return;
        const at = js.range(v);
        if (reported.has(at.start)) return;
        reported.add(at.start);
        // Through a const: fix the declaration's literal (it is the password), wherever it is used.
        ctx.report({ messageId, at, data: { strength: strength(v.text), password: v.text, callee }, secrets: [v.text], severity: severity(v.text), fix: envFix(at, varName) });
      };

      for (const call of js.calls()) {
        const method = call.callee.split('.').at(-1) ?? (ts.isPropertyAccessExpression(call.node.expression) ? call.node.expression.name.text : '');
        // bcrypt.hash('password', 10), argon2.hash('admin'), hashPassword('admin')
        if (isJsHashCall(call.qualified, method, js)) {
          password(call.args[0], 'hashLiteral', 'ADMIN_PASSWORD', call.callee || method);
          continue;
        }
        if (/^(setPassword|set_password)$/.test(method)) {
          password(call.args[0], 'setPassword', 'ADMIN_PASSWORD');
          continue;
        }
        // new Sequelize('db', 'user', 'pass', {...})
        if (call.isNew && /^sequelize(\.Sequelize|\.default)?$/.test(call.qualified) && call.args.length >= 3) {
          password(call.args[2], 'dbPassword', 'DB_PASSWORD');
        }
      }

      walk(ast, (n) => {
        // { password: 'admin' } in a user-creation call, or next to host/database keys (a DB connection config)
        if (ts.isObjectLiteralExpression(n)) {
          const props = objectProps(n);
          for (const p of n.properties) {
            if (!ts.isPropertyAssignment(p)) continue;
            const name = propertyName(p.name);
            if (!name || !PASSWORD_NAME.test(name)) continue;
            const keys = [...props.keys()];
            if (keys.some((k) => DB_CONFIG_KEYS.has(k))) password(p.initializer, 'dbPassword', 'DB_PASSWORD');
            else if (inUserCreation(n)) password(p.initializer, 'userPassword', seedVarNameJs(props));
          }
          return;
        }
        // Connection URLs with credentials
        if (isStringLike(n) || ts.isTemplateExpression(n)) {
          const text = ts.isTemplateExpression(n) ? n.head.text : n.text;
          const url = ts.isTemplateExpression(n) ? credentialUrlPrefix(text) : credentialUrl(text);
          if (!url || insideLogging(n)) return;
          const at = js.range(n);
          if (reported.has(at.start)) return;
          reported.add(at.start);
          const parent = n.parent;
          const isFallback =
            parent && ts.isBinaryExpression(parent) && parent.right === n && (parent.operatorToken.kind === ts.SyntaxKind.BarBarToken || parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) && jsReadsEnv(parent.left);
          const env = isFallback ? envWithFallback(parent) : undefined;
          const name = env?.name ?? urlVarName(url.scheme);
          ctx.report({
            messageId: isFallback ? 'dbUrlFallback' : 'dbUrl',
            at,
            data: { strength: strength(url.password, url.user), user: url.user, password: url.password, name },
            secrets: [url.password],
            severity: severity(url.password, url.user),
            ...(ts.isTemplateExpression(n) ? {} : { fix: envFix(isFallback && parent ? js.range(parent) : at, name) }),
          });
        }
      });
    },

    env(ctx) {
      for (const e of ctx.entries) {
        const found = configValue(e.key, e.value);
        if (!found) continue;
        ctx.report({ ...found, at: e.valueRange, data: { ...found.data, file: ctx.path } });
      }
    },

    yaml(ctx) {
      for (const doc of ctx.docs) {
        const compose = composeEnv(doc);
        for (const v of compose) reportConfigVar(v, true);
        // `valueFrom:` entries have no value of their own (their range is the key's).
        for (const v of kubernetesEnv(doc)) if (v.valueRange.start !== v.keyRange.start) reportConfigVar(v, false);
        for (const v of kubernetesSecretData(doc)) reportConfigVar(v, false);
      }

      function reportConfigVar(v: ConfigEnvVar, compose: boolean): void {
        const found = configValue(v.key, v.value, compose);
        if (!found) return;
        const raw = ctx.text.slice(v.valueRange.start, v.valueRange.end);
        let fix: Fix | undefined;
        if (compose && found.fixVar) {
          const required = `\${${found.fixVar}:?set ${found.fixVar}}`;
          const listForm = raw.length === 0 || ctx.text[v.valueRange.start - 1] === '=';
          if (found.urlPassword) {
            const i = raw.lastIndexOf(`:${found.urlPassword}@`);
            if (i !== -1) {
              const start = v.valueRange.start + i + 1;
              fix = composeFix(found.fixVar, [replace({ start, end: start + found.urlPassword.length }, required)]);
            }
          } else if (listForm) fix = composeFix(found.fixVar, [replace(v.valueRange, required)]);
          else {
            const quote = raw.startsWith("'") ? "'" : '"';
            fix = composeFix(found.fixVar, [replace(v.valueRange, `${quote}${required}${quote}`)]);
          }
        }
        ctx.report({ messageId: found.messageId, severity: found.severity, secrets: found.secrets, at: v.valueRange, data: { ...found.data, file: ctx.path }, ...(fix ? { fix } : {}) });
      }
    },

    dockerfile(ctx) {
      for (const v of dockerEnv(ctx.instructions, ctx.text, true)) {
        if (!v.final) continue;
        const found = configValue(v.key, v.value);
        if (!found) continue;
        ctx.report({ ...found, at: v.valueRange, data: { ...found.data, file: ctx.path } });
      }
    },
  },
});

// ---------------------------------------------------------------------------------------------
// Values

function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return v === '' || PLACEHOLDER.test(v);
}

/** A literal worth reporting as a password (not empty, not a placeholder, not an interpolation). */
function isPasswordValue(value: string): boolean {
  return !isPlaceholder(value) && !/[{}]/.test(value.trim().slice(0, 2));
}

function isWeak(password: string, user?: string): boolean {
  const p = password.trim().toLowerCase();
  if (WEAK.has(p)) return true;
  if (user && p === user.trim().toLowerCase()) return true;
  return p.length < 6;
}

function strength(password: string, user?: string): Strength {
  return isWeak(password, user) ? 'default' : 'hard-coded';
}

/** Well-known passwords are critical; any other committed password is high. */
function severity(password: string, user?: string): Severity | undefined {
  return isWeak(password, user) ? undefined : 'high';
}

interface UrlCredentials {
  readonly scheme: string;
  readonly user: string;
  readonly password: string;
}

function credentialUrl(text: string): UrlCredentials | undefined {
  const m = DB_URL.exec(text.trim());
  if (!m || !DB_SCHEMES.test(m[1]!)) return undefined;
  let password = m[3]!;
  try {
    password = decodeURIComponent(password);
  } catch {
    // keep as written
  }
  if (!isPasswordValue(password) || /^\$\{?[A-Za-z_]/.test(m[3]!)) return undefined;
  return { scheme: m[1]!.toLowerCase(), user: m[2]!, password };
}

/** The literal head of a template string: `postgres://app:secret@${host}/db`. */
function credentialUrlPrefix(head: string): UrlCredentials | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^:@/\s]*):([^@/\s]+)@/i.exec(head.trim());
  return m ? credentialUrl(`${m[0]}host`) : undefined;
}

function urlVarName(scheme: string): string {
  if (/^mongodb/.test(scheme)) return 'MONGODB_URI';
  if (/^rediss?$/.test(scheme)) return 'REDIS_URL';
  if (/^amqps?$/.test(scheme)) return 'BROKER_URL';
  return 'DATABASE_URL';
}

function envDescription(name: string): string {
  if (/URL|URI$/.test(name)) return 'Connection URL including credentials, from your secret store (never committed).';
  return 'Password from your secret store (never committed); rotate the one that was hard-coded.';
}

interface ConfigHit {
  readonly messageId: 'configPassword' | 'configFallback' | 'configUrl' | 'emptyPassword' | 'noAuth';
  readonly data: Record<string, string>;
  readonly secrets: string[];
  readonly severity: Severity | undefined;
  /** Variable the compose fix requires (`${VAR:?set VAR}`). */
  readonly fixVar?: string;
  /** For URLs, the password inside the value (the part the fix replaces). */
  readonly urlPassword?: string;
}

/** A deployment-config variable (env file, compose, Dockerfile, Kubernetes) with a default, empty or disabled password. */
function configValue(key: string, rawValue: string, compose = false): ConfigHit | undefined {
  let value = rawValue.trim();
  let fallbackOf: string | undefined;
  // Compose interpolation: ${VAR:-default} / ${VAR-default} falls back to its default; ${VAR} / ${VAR:?err} is required.
  const interp = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)([^}]*)\}$/.exec(value);
  if (interp) {
    fallbackOf = interp[1]!;
    value = interp[3]!;
  }
  if (/^(MYSQL_ALLOW_EMPTY_PASSWORD|MARIADB_ALLOW_EMPTY_ROOT_PASSWORD|ALLOW_EMPTY_PASSWORD)$/.test(key) && TRUTHY.test(value)) {
    return { messageId: 'noAuth', data: { key, value }, secrets: [], severity: undefined };
  }
  if (key === 'POSTGRES_HOST_AUTH_METHOD' && /^trust$/i.test(value)) return { messageId: 'noAuth', data: { key, value }, secrets: [], severity: undefined };
  const url = credentialUrl(value);
  if (url) {
    if (!isWeak(url.password, url.user)) return undefined;
    return { messageId: 'configUrl', data: { key, user: url.user, password: url.password }, secrets: [url.password], severity: undefined, fixVar: composeVarFor(url), urlPassword: url.password };
  }
  if (!PASSWORD_KEY.test(key)) return undefined;
  if (value === '' && !fallbackOf && SERVICE_PASSWORD_KEY.test(key) && rawValue.trim() === '') {
    return { messageId: 'emptyPassword', data: { key }, secrets: [], severity: 'high', ...(compose ? { fixVar: key } : {}) };
  }
  if (!isPasswordValue(value) || !isWeak(value)) return undefined;
  if (fallbackOf) return { messageId: 'configFallback', data: { key, password: value, name: fallbackOf }, secrets: [value], severity: undefined, fixVar: fallbackOf };
  return { messageId: 'configPassword', data: { key, password: value }, secrets: [value], severity: undefined, fixVar: key };
}

function composeVarFor(url: UrlCredentials): string {
  if (/^postgres/.test(url.scheme)) return 'POSTGRES_PASSWORD';
  if (/^(mysql|mariadb)/.test(url.scheme)) return url.user === 'root' ? 'MYSQL_ROOT_PASSWORD' : 'MYSQL_PASSWORD';
  if (/^mongodb/.test(url.scheme)) return 'MONGO_PASSWORD';
  if (/^rediss?$/.test(url.scheme)) return 'REDIS_PASSWORD';
  if (/^amqps?$/.test(url.scheme)) return 'RABBITMQ_PASSWORD';
  return 'DB_PASSWORD';
}

function composeFix(name: string, edits: TextEdit[]): Fix {
  return {
    title: `Require ${name} from the environment`,
    applicability: 'unsafe',
    edits,
    envVars: [{ name, description: 'Database or service password, from your secret store; compose refuses to start without it.' }],
  };
}

/** Kubernetes Secret `stringData:` entries (plain text) whose key names a password. */
function kubernetesSecretData(doc: Document.Parsed): ConfigEnvVar[] {
  const root = doc.contents;
  if (!isMap(root) || scalarString(root.get('kind', true)) !== 'Secret') return [];
  const data = root.get('stringData', true);
  if (!isMap(data)) return [];
  const out: ConfigEnvVar[] = [];
  for (const p of data.items) {
    if (!isScalar(p.key) || !isScalar(p.value)) continue;
    const key = String(p.key.value);
    out.push({ key, value: String(p.value.value ?? ''), valueRange: rangeOf(p.value), keyRange: rangeOf(p.key), owner: undefined });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Python

function isPyHashCall(call: PyCall, method: string): boolean {
  if (/^(generate_password_hash|make_password|hashpw|hash_password|encrypt_password)$/.test(method)) return true;
  if (method !== 'hash' && method !== 'encrypt' && method !== 'using') return false;
  const receiver = call.callee.split('.').slice(0, -1).join('.');
  const q = call.qualified;
  return /^(passlib|argon2|bcrypt|pwdlib)\./.test(q) || /(pwd|password|crypt)_?context|pbkdf2|bcrypt|argon2|sha(256|512)_crypt|hasher|PasswordHasher/i.test(receiver);
}

function isPyUserCreation(call: PyCall, method: string): boolean {
  if (/^(create_user|create_superuser|_create_user|create_admin|add_user|register_user|seed_user|create_account|new_user)$/.test(method)) return true;
  const cls = call.callee.split('.').at(-1) ?? '';
  // User(...), AdminUser(...), models.User(...): a model constructor.
  if (/^[A-Z]\w*$/.test(cls) && USERISH.test(cls)) return true;
  // User.objects.create(...), User.create(...), get_user_model().objects.create(...)
  if (/^(create|get_or_create|update_or_create|insert|create_one)$/.test(method)) {
    const receiver = call.func.kind === 'attr' ? call.func.object : undefined;
    return !!receiver && USERISH.test(receiver.text);
  }
  return false;
}

/** ADMIN_PASSWORD for `username='admin'`, DEMO_PASSWORD for `'demo@example.com'`; ADMIN_PASSWORD otherwise. */
function seedVarName(call: PyCall, py: PyModule): string {
  const who = call.keyword('username') ?? call.keyword('email') ?? call.keyword('name') ?? (/create_(super)?user$/.test(call.callee) ? call.positional[0] : undefined);
  const v = resolvePyName(py, who);
  return varNameFor(v?.kind === 'str' ? v.value : undefined);
}

function varNameFor(who: string | undefined): string {
  const local = who?.split('@')[0]?.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
  return local && /^[A-Z][A-Z0-9_]{0,30}$/.test(local) ? `${local}_PASSWORD` : 'ADMIN_PASSWORD';
}

/** Every entry of a dict and of the dicts nested in it (Django's DATABASES = {'default': {...}}). */
function nestedDictEntries(d: PyExpr & { kind: 'dict' }, depth = 0): { key: PyExpr | undefined; value: PyExpr }[] {
  if (depth > 4) return [];
  const out: { key: PyExpr | undefined; value: PyExpr }[] = [];
  for (const e of d.entries) {
    out.push(e);
    if (e.value.kind === 'dict') out.push(...nestedDictEntries(e.value, depth + 1));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JavaScript / TypeScript

function isJsHashCall(qualified: string, method: string, js: ScriptModule): boolean {
  if (/^(hashPassword|generatePasswordHash|encryptPassword|hashPasswordSync)$/.test(method)) return true;
  if (!/^(hash|hashSync)$/.test(method)) return false;
  const mod = qualified.split('.').slice(0, -1).join('.');
  return /^(bcrypt|bcryptjs|argon2|@node-rs\/bcrypt|@node-rs\/argon2|bcrypt-nodejs)(\.default)?$/.test(mod) && js.importsModule(mod.replace(/\.default$/, ''));
}

const CREATE_METHOD = /^(create|createUser|createSuperuser|createAdmin|createOne|createMany|insert|insertOne|insertMany|bulkCreate|bulkInsert|save|build|upsert|register|signup|signUp|seed|findOrCreate|add|addUser|new)$/;

/** Is the object (possibly nested in arrays, `data:`/`defaults:` wrappers) an argument of a call that creates users? */
function inUserCreation(obj: ts.ObjectLiteralExpression): boolean {
  let node: ts.Node = obj;
  for (let depth = 0; depth < 6 && node.parent; depth++) {
    const p = node.parent;
    if (ts.isCallExpression(p) || ts.isNewExpression(p)) {
      if (!p.arguments?.includes(node as ts.Expression)) return false;
      const callee = dotted(p.expression);
      if (ts.isNewExpression(p)) return USERISH.test(callee.split('.').at(-1) ?? '');
      const method = ts.isPropertyAccessExpression(p.expression) ? p.expression.name.text : callee;
      if (!CREATE_METHOD.test(method)) return false;
      if (USERISH.test(callee)) return true;
      // queryInterface.bulkInsert('users', [...]), knex('users').insert({...})
      const table = p.arguments?.[0];
      if (isStringLike(table) && USERISH.test(table.text)) return true;
      const recv = ts.isPropertyAccessExpression(p.expression) ? unwrap(p.expression.expression) : undefined;
      if (recv && ts.isCallExpression(recv) && isStringLike(recv.arguments[0]) && USERISH.test(recv.arguments[0].text)) return true;
      return false;
    }
    if (!(ts.isArrayLiteralExpression(p) || ts.isObjectLiteralExpression(p) || ts.isPropertyAssignment(p) || ts.isParenthesizedExpression(p) || ts.isSpreadElement(p) || ts.isAsExpression(p))) return false;
    node = p;
  }
  return false;
}

function seedVarNameJs(props: ReturnType<typeof objectProps>): string {
  const who = literalValue(props.get('username')?.value ?? props.get('email')?.value ?? props.get('name')?.value);
  return varNameFor(typeof who === 'string' ? who : undefined);
}

function insideLogging(n: ts.Node): boolean {
  for (let p = n.parent; p && !ts.isFunctionLike(p); p = p.parent) {
    if (ts.isCallExpression(p) && /^(console|logger|log|debug)\b/.test(dotted(p.expression))) return true;
  }
  return false;
}
