import { insertAt, replace } from '../src/engine/edits.js';
import { defineRule } from '../src/engine/rule.js';
import { DEV_CONFIG_NAME } from '../src/engine/context.js';
import type { Confidence, Fix, ReportDescriptor, Severity, TextEdit, TextRange } from '../src/engine/types.js';
import type { PyExpr, PyModule } from '../src/parsers/python.js';
import { dotted, literalValue, propertyName, ts, unwrap, type ScriptModule } from '../src/parsers/script.js';
import { composeEnv, dockerEnv, kubernetesEnv, type ConfigEnvVar } from './_shared/config-files.js';
import { envRead, envWithFallback } from './_shared/js.js';
import { configItems, envCall, envLookup, inDevOnlyClass, overriddenInProductionSubclasses, readsEnv } from './_shared/python.js';
import { composeDefault, gradeSecret, oncePerRange, isReference, isSigningKeyName, jsGeneratedKey, pyGeneratedKey, severityOf, upperSnake, type Strength } from './_shared/secrets.js';
import { pyTextHas } from './_shared/triggers.js';

type MessageId = 'literal' | 'djangoInsecure' | 'envFallback' | 'generated' | 'generatedFallback' | 'configValue';

const PROBLEM: Record<Strength, string> = {
  placeholder: 'a known placeholder value',
  'django-insecure': 'a Django "django-insecure-" development key',
  short: 'short',
  'low-entropy': 'low-entropy',
  strong: 'hard-coded in a committed deployment file',
};

const PY_TRIGGER = /secret|jwt|signing|itsdangerous/i;
/**
 * Script: what the check reads names a secret, a JWT, a signing key or a cookie (cookie-parser,
 * cookie-session's `keys`), jsonwebtoken (`sign(payload, key)` imported by name), or
 * @fastify/secure-session (its `key`); Koa's `app.keys` counts only in a module that imports koa.
 * A bare `keys` matched every `Object.keys`: 111 files of the bench JS corpus were parsed for this
 * rule alone.
 */
const JS_TRIGGER = /secret|jwt|jsonwebtoken|signing_?key|cookie|secure-session/i;
const jsMayReport = (text: string): boolean => JS_TRIGGER.test(text) || (text.includes('koa') && text.includes('keys'));

export default defineRule({
  meta: {
    id: 'weak-secret-key',
    title: 'Weak or hard-coded secret key',
    category: 'security',
    severity: 'critical',
    confidence: 'high',
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-798', 'CWE-321', 'CWE-330'],
    // Python: every signing-key name (isSigningKeyName) holds SECRET, JWT or SIGNING; jwt.encode/decode
    // needs jwt imported or written; itsdangerous serializers are named by their import; names in
    // strings may use escapes. Script: the words as before (cookie-parser, cookie-session `keys`).
    triggers: [(text, _o, kind) => (kind === 'python' ? pyTextHas(text, PY_TRIGGER) : jsMayReport(text))],
    messages: {
      literal: '{name} is hard-coded{detail}.',
      djangoInsecure: '{name} is a Django "django-insecure-" development key.',
      envFallback: '{name} falls back to a hard-coded value{detail} when the {env} environment variable is unset.',
      generated: '{name} is generated at start-up by {generator}(): every restart and every worker process gets a different key.',
      generatedFallback: '{name} falls back to a key generated at start-up by {generator}() when the {env} environment variable is unset.',
      configValue: '{key} in {file} is {problem}.',
    },
    docs: {
      why:
        'The secret key signs session cookies, CSRF tokens, password-reset links and JWTs. Anyone who knows it can forge a session for any user, including an admin. A key in the source is known to everyone with access to the repository (and its history), a fallback such as "dev-secret-key-change-in-production" is used silently whenever the variable is missing, and placeholder, short or low-entropy values can be guessed or brute-forced offline from a single signed cookie. A key generated at start-up (os.urandom, secrets.token_hex, crypto.randomBytes) is not guessable but changes on every restart and differs between workers: sessions and tokens die on every deploy and fail at random behind a load balancer.',
      fix:
        'Read the key from the environment, with no default, so a missing key stops the app at start-up: `SECRET_KEY = os.environ["SECRET_KEY"]`, `process.env.JWT_SECRET || (() => { throw new Error("JWT_SECRET is not set") })()`, a pydantic setting without a default. Generate the value once (`python -c "import secrets; print(secrets.token_urlsafe(50))"`, `openssl rand -hex 32`), store it in the deployment\'s secret store, and rotate any key that was committed. The code fix is unsafe: the app refuses to start until the variable is set, on developer machines too.',
      whenNotTo: 'Keys set only in development config classes, settings/dev.py or test code are not reported; a dev-only fallback after a check that raises in production is accepted.',
      references: [
        'https://flask.palletsprojects.com/en/latest/config/#SECRET_KEY',
        'https://docs.djangoproject.com/en/stable/ref/settings/#secret-key',
        'https://github.com/expressjs/session#secret',
        'https://cwe.mitre.org/data/definitions/798.html',
        'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
      ],
      examples: [
        { file: 'config.py', bad: "SECRET_KEY = os.environ.get('SECRET_KEY', 'dev-secret-key-change-in-production')", good: 'SECRET_KEY = os.environ["SECRET_KEY"]' },
        { file: 'app.py', bad: "app.config['SECRET_KEY'] = os.urandom(32).hex()", good: 'app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]' },
        { file: 'server.js', bad: "app.use(session({ secret: 'keyboard cat' }))", good: "app.use(session({ secret: process.env.SESSION_SECRET || (() => { throw new Error('SESSION_SECRET is not set') })() }))" },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      const report = oncePerRange<MessageId>((d) => ctx.report(d));
      const importOs: TextEdit[] = py.imports.some((i) => i.local === 'os' && i.qualified === 'os') ? [] : [insertAt(py.importInsertOffset, 'import os\n')];
      const pySlot = (e: PyExpr, name: string, envName: string, settingsField: SettingsField | undefined, gated = false): void =>
        assessPy(e, { name, envName, settingsField, gated }, py, importOs, report, 0);

      // 1. Config keys in every shape: app.config[...], app.secret_key, config classes, config.update(...), Django settings, SIMPLE_JWT dicts.
      for (const item of configItems(py)) {
        if (!isSigningKeyName(item.key)) continue;
        if (inDevOnlyClass(item)) continue;
        if (item.className && overriddenInProductionSubclasses(py, item.className, item.key)) continue;
        if ((item.shape === 'module' || item.shape === 'class') && guardedDevFallback(py, item.key, item.line)) continue;
        pySlot(item.value, item.shape === 'attribute' ? `app.${item.key.toLowerCase()}` : item.key, item.key, settingsFieldOf(py, item.className, item.range, ctx.text));
      }
      // 2. Other names: lower-case module constants, pydantic BaseSettings fields (`secret_key: str = "..."`).
      for (const a of py.assignments) {
        if (a.op !== '=' || a.targetExpr.kind !== 'name' || a.scope.functions.length > 0) continue;
        const name = a.targetExpr.id;
        if (/^[A-Z][A-Z0-9_]*$/.test(name) || !isSigningKeyName(name)) continue;
        const cls = a.scope.classes.at(-1);
        if (cls && DEV_CONFIG_NAME.test(cls)) continue;
        if (guardedDevFallback(py, a.target, a.line)) continue;
        pySlot(a.value, name, upperSnake(name), settingsFieldOf(py, cls, a.value.range, ctx.text));
      }
      // 3. Keys passed to signing libraries, and env lookups of key variables anywhere (AuthManager(db, os.getenv('SECRET_KEY', 'dev'))).
      for (const call of py.calls) {
        const q = call.qualified;
        if (/^(?:jwt|jose\.jwt)\.(?:encode|decode)$/.test(q)) {
          const key = call.keyword('key') ?? call.positional[1];
          if (key) pySlot(key, `The key passed to ${call.callee}()`, 'JWT_SECRET_KEY', undefined);
        } else if (/^itsdangerous\.(?:\w+\.)?(?:URLSafe)?(?:Timed)?(?:Serializer|Signer|TimestampSigner)$/.test(q)) {
          const key = call.keyword('secret_key') ?? call.positional[0];
          if (key) pySlot(key, `The ${call.callee}() secret`, 'SECRET_KEY', undefined);
        } else if (/(?:^|\.)Field$/.test(q) && (call.keyword('default') || call.keyword('default_factory'))) {
          // secret_key: str = Field(default="...") / Field(default_factory=secrets.token_hex)
          const owner = py.assignments.find((a) => a.value.kind === 'call' && a.value.range.start === call.range.start && a.targetExpr.kind === 'name');
          if (!owner || owner.targetExpr.kind !== 'name' || !isSigningKeyName(owner.targetExpr.id)) continue;
          const cls = owner.scope.classes.at(-1);
          if (cls && DEV_CONFIG_NAME.test(cls)) continue;
          const factory = call.keyword('default_factory');
          const d = call.keyword('default');
          if (d) pySlot(d, owner.targetExpr.id, upperSnake(owner.targetExpr.id), undefined);
          else if (factory && (factory.kind === 'name' || factory.kind === 'attr')) {
            const gen = generatorName(py.qualify(factory.text));
            if (gen) report({ messageId: 'generated', data: { name: owner.targetExpr.id, generator: gen }, at: factory.range });
          }
        }
        const look = envCall(call, py);
        if (look?.name && isSigningKeyName(look.name) && look.fallback && !inDevClassCall(call.scope.classes)) {
          pySlot({ kind: 'call', call, range: call.range, text: py.text.slice(call.range.start, call.range.end) }, look.name, look.name, undefined);
        }
      }
    },

    script(ctx) {
      const { js, ast } = ctx;
      const report = oncePerRange<MessageId>((d) => ctx.report(d));
      const slot = (e: ts.Expression | undefined, name: string, envName: string) => {
        if (e) assessJs(e, { name, envName }, js, report, 0);
      };

      for (const call of js.calls()) {
        const q = call.qualified;
        const [a0, a1] = call.args;
        if (q === 'express-session' || q === 'cookie-session' || q === 'express-jwt' || q === 'express-jwt.expressjwt' || q === 'koa-session') {
          for (const [prop, { value }] of objectEntries(a0)) if (prop === 'secret' || prop === 'keys') slot(value, `The ${call.callee}() ${prop}`, q === 'express-jwt' || q === 'express-jwt.expressjwt' ? 'JWT_SECRET' : 'SESSION_SECRET');
        } else if (q === 'cookie-parser') {
          slot(a0, `The ${call.callee}() secret`, 'COOKIE_SECRET');
        } else if (/^jsonwebtoken(?:\.default)?\.(?:sign|verify)$/.test(q)) {
          slot(a1, `The key passed to ${call.callee}()`, 'JWT_SECRET');
        } else if (/^@nestjs\/jwt\.JwtModule\.register(?:Async)?$/.test(q) || /(?:^|\.)jwtService\.(?:sign|signAsync|verify|verifyAsync)$/i.test(call.callee)) {
          const root = q.includes('JwtModule') ? a0 : a1;
          if (root) forEachProperty(root, (prop, value) => prop === 'secret' && slot(value, `The ${call.callee}() secret`, 'JWT_SECRET'));
        } else if (call.callee.endsWith('.register') && a0 && ts.isIdentifier(unwrap(a0)) && /^(?:@fastify\/(?:jwt|session|secure-session|cookie)|fastify-(?:jwt|session|cookie))$/.test(js.qualify((unwrap(a0) as ts.Identifier).text))) {
          for (const [prop, { value }] of objectEntries(a1)) if (prop === 'secret' || prop === 'key') slot(value, `The ${(unwrap(a0) as ts.Identifier).text} secret`, /jwt/.test(js.qualify((unwrap(a0) as ts.Identifier).text)) ? 'JWT_SECRET' : 'SESSION_SECRET');
        }
      }

      // Declarations, properties and assignments named like a signing key, plus passport-jwt's secretOrKey.
      const visit = (node: ts.Node, depth: number): void => {
        if (depth > 400) return;
        if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && isSigningKeyName(node.name.text) && startupScope(node)) {
          slot(node.initializer, node.name.text, envNameFor(node.name.text));
        } else if (ts.isPropertyAssignment(node)) {
          const prop = propertyName(node.name);
          if (prop && startupScope(node) && (isSigningKeyName(prop) && prop !== 'secret' ? true : prop === 'secret' && jwtOrSessionObject(node))) {
            slot(node.initializer, prop, envNameFor(prop === 'secret' ? 'JWT_SECRET' : prop));
          }
        } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && startupScope(node)) {
          const target = dotted(node.left);
          const last = target.split('.').at(-1) ?? '';
          if (last && isSigningKeyName(last) && last !== 'secret') slot(node.right, target, envNameFor(last));
          else if (last === 'keys' && js.importsModule('koa') && target.split('.').length === 2) slot(node.right, target, 'APP_KEYS');
        }
        ts.forEachChild(node, (c) => visit(c, depth + 1));
      };
      visit(ast, 0);
    },

    env(ctx) {
      for (const e of ctx.entries) {
        if (!isSigningKeyName(e.key) || isReference(e.value)) continue;
        const grade = gradeSecret(e.value);
        if (grade.strength === 'strong') continue;
        ctx.report(configReport(e.key, e.value, grade.strength, grade.confidence, ctx.path, e.valueRange));
      }
    },

    yaml(ctx) {
      const vars: ConfigEnvVar[] = ctx.docs.flatMap((d) => [...composeEnv(d), ...kubernetesEnv(d)]);
      for (const v of vars) {
        if (!isSigningKeyName(v.key)) continue;
        const def = composeDefault(v.value);
        const value = def?.fallback ?? v.value;
        if (!def && isReference(v.value)) continue;
        const grade = gradeSecret(value);
        // Any literal in a committed compose/k8s file is a hard-coded key; a `${VAR:-default}` fallback is as bad as the weakest default.
        ctx.report(configReport(v.key, value, grade.strength, grade.strength === 'strong' ? 'high' : grade.confidence, ctx.path, v.valueRange, grade.strength === 'strong' || def ? 'critical' : undefined));
      }
    },

    dockerfile(ctx) {
      for (const v of dockerEnv(ctx.instructions, ctx.text, true)) {
        if (!isSigningKeyName(v.key) || isReference(v.value)) continue;
        const grade = gradeSecret(v.value);
        // Baked into an image layer: visible to anyone who can pull it (`docker history`, `docker inspect`).
        ctx.report(configReport(v.key, v.value, grade.strength, 'high', ctx.path, v.valueRange, 'critical'));
      }
    },
  },
});

// ---------------------------------------------------------------------------------------------
// Python

interface PySlot {
  /** What the key is called in messages: "SECRET_KEY", "app.secret_key", "jwt.encode() key". */
  readonly name: string;
  /** Environment variable the fix reads. */
  readonly envName: string;
  /** Set for pydantic BaseSettings fields: the fix removes the default instead. */
  readonly settingsField: SettingsField | undefined;
  /** The other branch of a conditional reads the environment: a literal here is a dev-only value. */
  readonly gated: boolean;
}

/** A pydantic settings field `name: str = <default>`: the range from ` = ` to the end of the default. */
interface SettingsField {
  readonly defaultRange: TextRange;
}

function assessPy(e: PyExpr, slot: PySlot, py: PyModule, importOs: TextEdit[], report: (d: ReportDescriptor<MessageId>) => void, depth: number): void {
  if (depth > 3) return;
  const requireEnv = (range: TextRange, envName: string): Fix =>
    slot.settingsField
      ? { title: `Make ${slot.name} a required setting (no default)`, applicability: 'unsafe', edits: [replace(slot.settingsField.defaultRange, '')], envVars: [envVar(envName)] }
      : { title: `Read ${envName} from the environment (required)`, applicability: 'unsafe', edits: [...importOs, replace(range, `os.environ[${quoteOf(py.text, range)}${envName}${quoteOf(py.text, range)}]`)], envVars: [envVar(envName)] };

  const look = envLookup(e, py);
  if (look) {
    const fb = look.fallback;
    if (!fb) return;
    const env = look.name ?? slot.envName;
    const fix = dropDefault(e, fb, py, slot.name, env) ?? requireEnv(e.range, env);
    const gen = pyGeneratedKey(fb, py);
    if (gen) {
      report({ messageId: 'generatedFallback', data: { name: slot.name, generator: shortGen(gen), env }, at: fb.range, fix });
      return;
    }
    if (fb.kind === 'str' && fb.value !== '') {
      const g = gradeSecret(fb.value);
      report({ messageId: 'envFallback', data: { name: slot.name, env, detail: detailOf(g.strength, fb.value) }, at: fb.range, secrets: [fb.value], fix });
    }
    return;
  }
  switch (e.kind) {
    case 'str': {
      // PEM private keys (RS256) are hardcoded-secret's.
      if (e.value === '' || slot.gated || e.value.includes('PRIVATE KEY-----')) return;
      const g = gradeSecret(e.value);
      report({
        messageId: g.strength === 'django-insecure' ? 'djangoInsecure' : 'literal',
        data: { name: slot.name, detail: detailOf(g.strength, e.value) },
        at: e.range,
        secrets: [e.value],
        fix: requireEnv(e.range, slot.envName),
      });
      return;
    }
    case 'ifexp': {
      // `os.environ['K'] if PROD else 'dev'`; a test on the environment with a non-literal other side gates it too.
      const envTest = readsEnv(e.test, py) || /\b(?:is_?prod(?:uction)?|IS_PROD(?:UCTION)?|production)\b/i.test(e.test.text);
      const bodyEnv = readsEnv(e.body, py) || (envTest && e.body.kind !== 'str');
      const elseEnv = readsEnv(e.orelse, py) || (envTest && e.orelse.kind !== 'str');
      assessPy(e.body, { ...slot, gated: elseEnv }, py, importOs, report, depth + 1);
      assessPy(e.orelse, { ...slot, gated: bodyEnv }, py, importOs, report, depth + 1);
      return;
    }
    case 'name': {
      // KEY = 'literal' at module level, then app.secret_key = KEY
      const def = py.assignments.find((a) => a.topLevel && a.op === '=' && a.target === e.id);
      if (def && (def.value.kind === 'str' || pyGeneratedKey(def.value, py)) && !isSigningKeyName(e.id)) assessPy(def.value, slot, py, importOs, report, depth + 1);
      return;
    }
    default: {
      if (slot.gated) return;
      const gen = pyGeneratedKey(e, py);
      if (gen) report({ messageId: 'generated', data: { name: slot.name, generator: shortGen(gen) }, at: e.range, fix: requireEnv(e.range, slot.envName) });
    }
  }
}

/**
 * `config('K', default='d')` (python-decouple), `env('K', default='d')` (django-environ) raise at
 * start-up without a default: keep the project's idiom and drop the default argument.
 */
function dropDefault(e: PyExpr, fb: PyExpr, py: PyModule, name: string, env: string): Fix | undefined {
  if (e.kind !== 'call' || e.call.qualified.startsWith('os.') || /(?:^|\.)environ\.get$/.test(e.call.qualified)) return undefined;
  const i = e.call.args.findIndex((a) => a.value.range.start === fb.range.start && a.value.range.end === fb.range.end);
  const prev = e.call.args[i - 1];
  if (i < 1 || !prev) return undefined;
  return { title: `Require ${env} (drop the default of ${name})`, applicability: 'unsafe', edits: [replace({ start: prev.range.end, end: e.call.args[i]!.range.end }, '')], envVars: [envVar(env)] };
}

/** For a field of a pydantic BaseSettings class, the ` = default` part to delete. */
function settingsFieldOf(py: PyModule, className: string | undefined, valueRange: TextRange, text: string): SettingsField | undefined {
  if (!className) return undefined;
  const cls = py.classes.find((c) => c.name === className);
  if (!cls || !cls.bases.some((b) => /(?:^|\.)BaseSettings$/.test(b))) return undefined;
  const a = py.assignments.find((x) => x.value.range.start === valueRange.start && x.value.range.end === valueRange.end);
  if (!a) return undefined;
  // `secret_key: str = "x"`: delete from the whitespace before `=` to the end of the value.
  const between = text.slice(a.targetExpr.range.end, a.value.range.start);
  if (!between.includes(':')) return undefined; // unannotated: removing the default would leave a bare name
  const eq = between.lastIndexOf('=');
  if (eq === -1) return undefined;
  let start = a.targetExpr.range.end + eq;
  while (start > a.targetExpr.range.end && /[ \t]/.test(text[start - 1]!)) start--;
  return { defaultRange: { start, end: a.value.range.end } };
}

/**
 * The seed's hardened pattern: `SECRET_KEY = os.environ.get('SECRET_KEY')`, then, only when it is
 * unset, `raise ValueError("SECRET_KEY must be set in production")` for production and a dev-only
 * value otherwise. The later assignment is accepted when the same name was read from the
 * environment (no fallback) earlier and the module raises an error that names it.
 */
function guardedDevFallback(py: PyModule, target: string, line: number): boolean {
  const reads = py.assignments.filter((a) => a.target === target && a.line < line).map((a) => envLookup(a.value, py)).filter((l) => l !== undefined && !l.fallback);
  if (reads.length === 0) return false;
  // The error names the variable or the environment variable it came from (`secret_key = os.environ.get('SECRET_KEY')`).
  const names = [target, ...reads.map((l) => l!.name).filter((n): n is string => !!n)].map((n) => n.toLowerCase());
  const named = (text: string) => names.some((n) => text.toLowerCase().includes(n));
  return py.calls.some((c) => /(?:Error|Exception)$/.test(c.callee) && c.positional.some((p) => (p.kind === 'str' && named(p.value)) || (p.kind === 'fstring' && named(p.literal))));
}

function inDevClassCall(classes: readonly string[]): boolean {
  const cls = classes.at(-1);
  return cls !== undefined && DEV_CONFIG_NAME.test(cls);
}

function quoteOf(text: string, range: TextRange): string {
  const m = /^[rbuRBU]*(['"])/.exec(text.slice(range.start, range.start + 4));
  if (m) return m[1]!;
  const first = /(['"])/.exec(text);
  return first ? first[1]! : '"';
}

const PY_GEN_SHORT: Record<string, string> = {
  'cryptography.fernet.Fernet.generate_key': 'Fernet.generate_key',
  'django.core.management.utils.get_random_secret_key': 'get_random_secret_key',
  'django.utils.crypto.get_random_string': 'get_random_string',
};

function shortGen(q: string): string {
  return PY_GEN_SHORT[q] ?? q.replace(/^node:/, '');
}

function generatorName(q: string): string | undefined {
  return /^(?:os\.urandom|secrets\.token_\w+|uuid\.uuid[14])$/.test(q) || q in PY_GEN_SHORT ? shortGen(q) : undefined;
}

// ---------------------------------------------------------------------------------------------
// JS / TS

interface JsSlot {
  readonly name: string;
  readonly envName: string;
}

function assessJs(e: ts.Expression, slot: JsSlot, js: ScriptModule, report: (d: ReportDescriptor<MessageId>) => void, depth: number): void {
  if (depth > 3) return;
  const n = unwrap(e);
  const sf = js.sf;
  const requireEnv = (node: ts.Node, envName: string): Fix => ({
    title: `Read ${envName} from the environment (required)`,
    applicability: 'unsafe',
    edits: [replace(js.range(node), requiredEnvJs(envName, quoteJs(js.text, js.range(node))))],
    envVars: [envVar(envName)],
  });

  const fb = envWithFallback(n);
  if (fb) {
    if (!fb.fallback) return;
    const env = fb.name ?? slot.envName;
    const fallback = unwrap(fb.fallback);
    const fix = getOrThrow(fb.node, env) ?? requireEnv(fb.node, env);
    const gen = jsGeneratedKey(fallback, js);
    if (gen) {
      report({ messageId: 'generatedFallback', data: { name: slot.name, generator: shortGen(gen), env }, at: js.range(fallback), fix });
      return;
    }
    const v = literalValue(fallback);
    if (typeof v === 'string' && v !== '') {
      const g = gradeSecret(v);
      report({ messageId: 'envFallback', data: { name: slot.name, env, detail: detailOf(g.strength, v) }, at: js.range(fallback), secrets: [v], fix });
    }
    return;
  }
  const v = literalValue(n);
  if (typeof v === 'string') {
    if (v === '' || v.includes('PRIVATE KEY-----')) return;
    const g = gradeSecret(v);
    report({
      messageId: g.strength === 'django-insecure' ? 'djangoInsecure' : 'literal',
      data: { name: slot.name, detail: detailOf(g.strength, v) },
      at: js.range(n),
      secrets: [v],
      fix: requireEnv(n, slot.envName),
    });
    return;
  }
  if (ts.isArrayLiteralExpression(n)) {
    for (const el of n.elements) if (!ts.isSpreadElement(el) && !ts.isOmittedExpression(el)) assessJs(el, slot, js, report, depth + 1);
    return;
  }
  if (ts.isConditionalExpression(n)) {
    // NODE_ENV === 'production' ? process.env.SECRET : 'dev-only': the literal never reaches production.
    // A condition on the environment (NODE_ENV, isProduction) with a non-literal on the other side gates it too.
    const envCondition = containsEnvRead(n.condition) || /\b(?:is_?prod(?:uction)?|IS_PROD(?:UCTION)?|production)\b/i.test(n.condition.getText(sf));
    const t = containsEnvRead(n.whenTrue) || (envCondition && typeof literalValue(n.whenTrue) !== 'string');
    const f = containsEnvRead(n.whenFalse) || (envCondition && typeof literalValue(n.whenFalse) !== 'string');
    if (!f) assessJsUnlessGated(n.whenFalse, t, slot, js, report, depth);
    else assessJs(n.whenFalse, slot, js, report, depth + 1);
    if (!t) assessJsUnlessGated(n.whenTrue, f, slot, js, report, depth);
    else assessJs(n.whenTrue, slot, js, report, depth + 1);
    return;
  }
  if (ts.isIdentifier(n)) {
    // const key = 'literal'; jwt.sign(payload, key)
    const decl = moduleConst(sf, n.text);
    if (decl?.initializer && !isSigningKeyName(n.text)) assessJs(decl.initializer, slot, js, report, depth + 1);
    return;
  }
  const gen = jsGeneratedKey(n, js);
  if (gen) report({ messageId: 'generated', data: { name: slot.name, generator: shortGen(gen) }, at: js.range(n), fix: requireEnv(n, slot.envName) });
}

/** NestJS `config.get('JWT_SECRET', 'fallback')` -> `config.getOrThrow('JWT_SECRET')`. */
function getOrThrow(node: ts.Expression, env: string): Fix | undefined {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'get' || node.arguments.length !== 2) return undefined;
  const sf = node.getSourceFile();
  const name = node.expression.name;
  return {
    title: `Require ${env} with getOrThrow()`,
    applicability: 'unsafe',
    edits: [replace({ start: name.getStart(sf), end: name.end }, 'getOrThrow'), replace({ start: node.arguments[0]!.end, end: node.arguments[1]!.end }, '')],
    envVars: [envVar(env)],
  };
}

function assessJsUnlessGated(e: ts.Expression, otherReadsEnv: boolean, slot: JsSlot, js: ScriptModule, report: (d: ReportDescriptor<MessageId>) => void, depth: number): void {
  if (otherReadsEnv && typeof literalValue(e) === 'string') return;
  assessJs(e, slot, js, report, depth + 1);
}

function containsEnvRead(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node, d: number): void => {
    if (found || d > 30) return;
    if (envRead(n)) found = true;
    else ts.forEachChild(n, (c) => visit(c, d + 1));
  };
  visit(node, 0);
  return found;
}

/** `const NAME = ...` at the top level of the file. */
function moduleConst(sf: ts.SourceFile, name: string): ts.VariableDeclaration | undefined {
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return d;
  }
  return undefined;
}

/** Not inside a function body, except start-up factories (NestJS `useFactory`, a class constructor, module-level IIFEs are rare). */
function startupScope(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isFunctionLike(p)) {
      const owner = p.parent;
      if (owner && ts.isPropertyAssignment(owner) && propertyName(owner.name) === 'useFactory') continue;
      if (ts.isConstructorDeclaration(p)) continue;
      return false;
    }
  }
  return true;
}

/** `{ secret: ... }` belongs to JWT/session options: inside a call handled above, or an object named like jwtConstants/sessionConfig. */
function jwtOrSessionObject(prop: ts.PropertyAssignment): boolean {
  const obj = prop.parent;
  if (!ts.isObjectLiteralExpression(obj)) return false;
  for (let p: ts.Node | undefined = obj.parent; p; p = p.parent) {
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return /jwt|session|cookie|auth|token/i.test(p.name.text);
    if (ts.isPropertyAssignment(p)) {
      const n = propertyName(p.name) ?? '';
      if (/jwt|session|cookie|auth|token/i.test(n)) return true;
      continue;
    }
    if (ts.isObjectLiteralExpression(p)) continue;
    // super({ secretOrKey }) is covered by the name; a bare `secret` inside other calls is left to the call detectors.
    return false;
  }
  return false;
}

/** Every `key: value` in an object literal (nested objects and factory return values included). */
function forEachProperty(root: ts.Node, fn: (prop: string, value: ts.Expression) => void): void {
  const visit = (n: ts.Node, d: number): void => {
    if (d > 12) return;
    if (ts.isPropertyAssignment(n)) {
      const p = propertyName(n.name);
      if (p) fn(p, n.initializer);
    }
    ts.forEachChild(n, (c) => visit(c, d + 1));
  };
  visit(root, 0);
}

function objectEntries(e: ts.Expression | undefined): [string, { value: ts.Expression }][] {
  if (!e) return [];
  const o = unwrap(e);
  if (!ts.isObjectLiteralExpression(o)) return [];
  const out: [string, { value: ts.Expression }][] = [];
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p)) {
      const name = propertyName(p.name);
      if (name) out.push([name, { value: p.initializer }]);
    }
  }
  return out;
}

function envNameFor(name: string): string {
  const n = upperSnake(name);
  if (n === 'SECRET_OR_KEY' || n === 'SECRET_OR_PRIVATE_KEY' || n === 'SECRET') return 'JWT_SECRET';
  return n;
}

function quoteJs(text: string, range: TextRange): string {
  const c = text[range.start];
  return c === '"' || c === "'" ? c : "'";
}

/** `process.env.JWT_SECRET || (() => { throw new Error('JWT_SECRET is not set') })()`: fails at start-up when unset or empty. */
export function requiredEnvJs(name: string, quote = "'"): string {
  return `process.env.${name} || (() => { throw new Error(${quote}${name} is not set${quote}); })()`;
}

// ---------------------------------------------------------------------------------------------
// Shared

function envVar(name: string) {
  return { name, description: `Signing key for sessions/tokens: a random value of 32+ bytes (e.g. \`python -c "import secrets; print(secrets.token_urlsafe(50))"\`), kept in the secret store.` };
}

function detailOf(strength: Strength, value: string): string {
  switch (strength) {
    case 'placeholder':
      return ' (a known placeholder value)';
    case 'short':
      return ` (only ${[...value].length} characters)`;
    case 'low-entropy':
      return ' (low entropy)';
    default:
      return '';
  }
}

function configReport(key: string, value: string, strength: Strength, confidence: Confidence, file: string, at: TextRange, severity?: Severity): ReportDescriptor<MessageId> {
  const len = [...value].length;
  const problem = strength === 'short' ? `only ${len} characters long (use 32 or more random characters)` : strength === 'low-entropy' ? `low-entropy (${gradeSecret(value).entropy.toFixed(1)} bits per character)` : PROBLEM[strength];
  return { messageId: 'configValue', data: { key, file, problem }, at, secrets: [value], severity: severity ?? severityOf(strength), confidence };
}
