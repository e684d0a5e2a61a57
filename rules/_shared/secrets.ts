/**
 * Secret helpers shared by weak-secret-key, hardcoded-secret and `prodaudit env`: which names hold a
 * credential or a session/JWT signing key, whether a value looks random, how strong it looks (Shannon entropy, length, placeholders),
 * and how keys are generated per process (os.urandom, secrets.token_hex, crypto.randomBytes).
 */
import type { Confidence, ReportDescriptor, Severity } from '../../src/engine/types.js';
import { dotted, ts, unwrap, type ScriptModule } from '../../src/parsers/script.js';
import type { PyExpr, PyModule } from '../../src/parsers/python.js';

/** `jwtSecret`, `JWT-secret`, `jwt_secret` -> `JWT_SECRET`. */
export function upperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

const SIGNING_NAMES = [
  // Flask/Django/Starlette SECRET_KEY and framework-prefixed variants (not third-party API secrets like STRIPE_SECRET_KEY).
  /^(?:(?:FLASK|DJANGO|QUART|APP|APPLICATION|SITE|WEB|SERVER|FASTAPI|STARLETTE|WTF_CSRF|CSRF|SESSION|COOKIE|AUTH)_)?SECRET_KEY$/,
  // JWT signing keys: JWT_SECRET, JWT_SECRET_KEY, JWT_ACCESS_SECRET, JWT_REFRESH_TOKEN_SECRET, JWT_KEY, JWT_SIGNING_KEY
  /^(?:(?:APP|AUTH|API)_)?JWT_(?:(?:ACCESS|REFRESH)_(?:TOKEN_)?)?(?:SECRET(?:_KEY)?|KEY|SIGNING_KEY)$/,
  /^(?:(?:JWT|ACCESS|REFRESH|AUTH)_)?TOKEN_SECRET(?:_KEY)?$/,
  /^(?:SESSION|COOKIE|APP|AUTH|NEXTAUTH|BETTER_AUTH|SIGNING|FLASK|DJANGO|JWT)_SECRETS?$/,
  /^(?:JWT_)?SIGNING_KEY$/,
  /^SECRET$/,
  // passport-jwt / jsonwebtoken parameter names
  /^SECRET_OR_(?:PRIVATE_)?KEY$/,
];

/** Does this variable, setting, property or env var name hold a session/JWT/cookie signing key? */
export function isSigningKeyName(name: string): boolean {
  const n = upperSnake(name);
  return SIGNING_NAMES.some((r) => r.test(n));
}

/** Names whose values are credentials (upper-snake form). */
const SECRET_NAME = /(?:^|_)(?:API_?KEY|APIKEY|ACCESS_?KEY|SECRET_ACCESS_KEY|PRIVATE_KEY|SECRET(?:_KEY)?|CLIENT_SECRET|TOKEN|AUTH_TOKEN|ACCESS_TOKEN|REFRESH_TOKEN|BEARER|PASSWORD|PASSWD|PWD|PASS|PASSPHRASE|CREDENTIALS?|WEBHOOK_SECRET|SIGNING_SECRET|ENCRYPTION_KEY|MASTER_KEY|KEY)$/;
/** Names that look secret but hold public or non-secret values. */
const NOT_SECRET_NAME = /PUBLIC|PUBLISHABLE|SITE_KEY|(?:^|_)(?:ID|URL|URI|PATH|FILE|DIR|NAME|HEADER|PREFIX|LENGTH|LEN|SIZE|EXPIRES?|EXPIRY|TTL|FIELD|COLUMN|TYPE|ALGORITHM|ALG|FORMAT|PARAM|COOKIE_NAME|ENV|VAR|LABEL|HINT|POLICY|MIN|MAX|COUNT|RESET|ROUNDS|CACHE_KEY|SORT_KEY|PRIMARY_KEY|FOREIGN_KEY|IDEMPOTENCY_KEY|STORAGE_KEY|LOCALSTORAGE_KEY|QUERY_KEY)(?:_|$)/;

/** Does this name (variable, setting, env var) hold a credential: API key, token, password, client secret? */
export function isCredentialName(name: string): boolean {
  const n = upperSnake(name);
  return SECRET_NAME.test(n) && !NOT_SECRET_NAME.test(n);
}

/** A random-looking credential: long enough, mixed character classes, high Shannon entropy, not prose, paths, URLs or templates. */
export function looksRandom(value: string): boolean {
  const v = value.trim();
  if (v.length < 16 || /\s/.test(v)) return false;
  if (/:\/\/|^\/|^\.\.?\/|\{\{|\$\{|%\(|%s|\{[a-z_]*\}|^[\w.-]+@[\w.-]+$/.test(v)) return false;
  if (/(?:change|example|your|placeholder|dummy|replace|xxxx|<|>|todo|fixme)/i.test(v)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(v)).length;
  if (classes < 2 || !/[0-9]/.test(v)) return false;
  return shannonEntropy(v) >= 3.5;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const len = [...s].length;
  for (const c of counts.values()) {
    const p = c / len;
    h -= p * Math.log2(p);
  }
  return h;
}

const PLACEHOLDER_EXACT =
  /^(?:changeme|secret|secrets|secretkey|mysecret|mysecretkey|supersecret|supersecretkey|topsecret|keyboardcat|password|passw0rd|default|dev|devkey|development|test|testing|example|dummy|insecure|key|mykey|s3cr3t|token|jwt|jwtsecret|sessionsecret|cookiesecret|appsecret|todo|tbd|fixme|null|none|undefined|foo|bar|foobar|abc|abc123|qwerty|letmein|admin|x+|1234\d*|0+)$/;
const PLACEHOLDER_PART =
  /change[-_ ]?(?:me|this|it|in[-_ ]?prod)|your[-_ ]?(?:own[-_ ]?)?(?:secret|key|jwt|session|token|app)|example|placeholder|insecure|replace[-_ ]?(?:me|this|with)|dummy|not[-_ ]?(?:a[-_ ]?)?(?:real|secret)|keyboard[-_ ]?cat|(?:^|[-_ ])dev[-_ ]?(?:secret|key)|(?:^|[-_ ])test[-_ ]?(?:secret|key)|super[-_ ]?secret|secret[-_ ]?key[-_ ]?(?:here|for)|generate[-_ ]?(?:a|one|with)|\bfake\b|do[-_ ]?not[-_ ]?use|<[^>]+>/i;

export type Strength = 'placeholder' | 'django-insecure' | 'short' | 'low-entropy' | 'strong';

export interface StrengthGrade {
  readonly strength: Strength;
  /** Entropy in bits per character, for messages. */
  readonly entropy: number;
  readonly confidence: Confidence;
}

/** Grade a secret value: known placeholders, Django's generated dev keys, short (< 32 chars) or low-entropy values. */
export function gradeSecret(value: string): StrengthGrade {
  const v = value.trim();
  const entropy = shannonEntropy(v);
  const squashed = v.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (v.startsWith('django-insecure-')) return { strength: 'django-insecure', entropy, confidence: 'high' };
  if (PLACEHOLDER_EXACT.test(squashed) || PLACEHOLDER_PART.test(v)) return { strength: 'placeholder', entropy, confidence: 'high' };
  if (v.length < 32) return { strength: 'short', entropy, confidence: v.length < 16 ? 'high' : 'medium' };
  // Random hex carries 4 bits/char, base64 about 6; repeated or dictionary-like text much less.
  if (entropy < 3.2 || distinctRatio(v) < 0.2) return { strength: 'low-entropy', entropy, confidence: 'medium' };
  return { strength: 'strong', entropy, confidence: 'high' };
}

function distinctRatio(v: string): number {
  return new Set(v).size / Math.max(1, Math.min(v.length, 64));
}

/** Values that are not literals at all in config files: `${VAR}`, `$VAR`, empty. */
export function isReference(value: string): boolean {
  const v = value.trim();
  return v === '' || v.startsWith('$') || /^\{\{.*\}\}$/.test(v);
}

/** `${SECRET_KEY:-changeme}` / `${SECRET_KEY-changeme}` in compose: the literal default. */
export function composeDefault(value: string): { name: string; fallback: string } | undefined {
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\}$/.exec(value.trim());
  return m && m[2] !== '' ? { name: m[1]!, fallback: m[2]! } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Keys generated per process

/** Python callees that return fresh random bytes/strings on every call. */
const PY_GENERATORS = new Set([
  'os.urandom',
  'secrets.token_hex',
  'secrets.token_bytes',
  'secrets.token_urlsafe',
  'uuid.uuid4',
  'uuid.uuid1',
  'cryptography.fernet.Fernet.generate_key',
  'django.core.management.utils.get_random_secret_key',
  'django.utils.crypto.get_random_string',
  'random.random',
  'random.getrandbits',
  'random.randbytes',
]);
/** Wrappers that keep the randomness: str(x), x.hex(), base64.b64encode(x), binascii.hexlify(x). */
const PY_WRAPPERS = /^(?:str|bytes|repr|base64\.\w+|binascii\.(?:hexlify|b2a_hex|b2a_base64)|hashlib\.\w+)$/;

/** If the expression generates a random key each time it runs, the generating call's qualified name. */
export function pyGeneratedKey(e: PyExpr | undefined, py: PyModule, depth = 0): string | undefined {
  if (!e || depth > 12) return undefined;
  switch (e.kind) {
    case 'call': {
      const q = e.call.qualified;
      if (PY_GENERATORS.has(q)) return q;
      if (e.call.func.kind === 'attr') {
        // os.urandom(24).hex(), secrets.token_bytes().decode(), uuid4().hex
        const inner = pyGeneratedKey(e.call.func.object, py, depth + 1);
        if (inner) return inner;
      }
      if (PY_WRAPPERS.test(q) || PY_WRAPPERS.test(e.call.callee)) return pyGeneratedKey(e.call.positional[0], py, depth + 1);
      return undefined;
    }
    case 'attr':
      return pyGeneratedKey(e.object, py, depth + 1);
    case 'fstring':
      for (const i of e.interpolations) {
        const g = pyGeneratedKey(i, py, depth + 1);
        if (g) return g;
      }
      return undefined;
    case 'binop':
      return pyGeneratedKey(e.left, py, depth + 1) ?? pyGeneratedKey(e.right, py, depth + 1);
    default:
      return undefined;
  }
}

const JS_GENERATORS = /^(?:node:)?crypto\.(?:randomBytes|randomUUID|webcrypto\.getRandomValues|getRandomValues)$|^(?:uuid\.v[14]|uuid\.default\.v4|nanoid(?:\.nanoid)?|Math\.random|cuid|@paralleldrive\/cuid2\.createId)$/;

/** If the JS expression generates a random key each time it runs, the generating call. */
export function jsGeneratedKey(e: ts.Node | undefined, js: ScriptModule, depth = 0): string | undefined {
  if (!e || depth > 12) return undefined;
  const n = ts.isExpression(e) ? unwrap(e) : e;
  if (ts.isCallExpression(n)) {
    const callee = dotted(n.expression);
    const q = js.qualify(callee);
    if (JS_GENERATORS.test(q) || JS_GENERATORS.test(callee)) return q;
    // crypto.randomBytes(32).toString('hex'), randomUUID().replace(...)
    if (ts.isPropertyAccessExpression(n.expression)) {
      const inner = jsGeneratedKey(n.expression.expression, js, depth + 1);
      if (inner) return inner;
    }
    // String(x), Buffer.from(x)
    if (/^(?:String|Buffer\.from)$/.test(callee)) return jsGeneratedKey(n.arguments[0], js, depth + 1);
    return undefined;
  }
  if (ts.isPropertyAccessExpression(n)) return jsGeneratedKey(n.expression, js, depth + 1);
  if (ts.isTemplateExpression(n)) {
    for (const span of n.templateSpans) {
      const g = jsGeneratedKey(span.expression, js, depth + 1);
      if (g) return g;
    }
  }
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) return jsGeneratedKey(n.left, js, depth + 1) ?? jsGeneratedKey(n.right, js, depth + 1);
  return undefined;
}

/** Default severity for a weak value found in a config file (env, compose), by strength. */
export function severityOf(strength: Strength): Severity {
  return strength === 'placeholder' || strength === 'django-insecure' ? 'critical' : 'high';
}

/** Wrap a report function so that two detectors reaching the same value report it once. */
export function oncePerRange<M extends string>(report: (d: ReportDescriptor<M>) => void): (d: ReportDescriptor<M>) => void {
  const seen = new Set<string>();
  return (d) => {
    const k = `${d.at.start}:${d.at.end}`;
    if (seen.has(k)) return;
    seen.add(k);
    report(d);
  };
}
