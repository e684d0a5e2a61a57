import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { insertAt, replace } from '../src/engine/edits.js';
import { defineRule } from '../src/engine/rule.js';
import type { Confidence, Fix, ReportDescriptor, Severity, TextEdit, TextRange } from '../src/engine/types.js';
import type { PyExpr, PyModule } from '../src/parsers/python.js';
import { dotted, propertyName, ts, unwrap, type ScriptModule } from '../src/parsers/script.js';
import { composeEnv, dockerEnv, rangeOf } from './_shared/config-files.js';
import { ignoredBy } from './_shared/gitignore.js';
import { envRead } from './_shared/js.js';
import { envLookup } from './_shared/python.js';
import { pyDecoded, pyHasEscape, pyStringValuesSome, someMatch } from './_shared/triggers.js';
import { isCredentialName, isReference, isSigningKeyName, looksRandom, oncePerRange, shannonEntropy, upperSnake } from './_shared/secrets.js';

type MessageId = 'knownToken' | 'privateKey' | 'namedSecret';

interface TokenPattern {
  readonly label: string;
  readonly re: RegExp;
  /** Environment variable a fix reads when the value has no name of its own. */
  readonly env: string;
  readonly severity?: Severity;
}

/** Provider token formats (gitleaks/trufflehog-style prefixes), matched against whole string values. */
const TOKENS: readonly TokenPattern[] = [
  { label: 'An AWS access key ID', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/, env: 'AWS_ACCESS_KEY_ID' },
  { label: 'A Stripe live secret key', re: /\b(?:sk|rk)_live_[0-9A-Za-z]{16,}/, env: 'STRIPE_SECRET_KEY' },
  { label: 'A Stripe test secret key', re: /\b(?:sk|rk)_test_[0-9A-Za-z]{16,}/, env: 'STRIPE_SECRET_KEY', severity: 'medium' },
  { label: 'A Stripe webhook signing secret', re: /\bwhsec_[0-9A-Za-z]{24,}/, env: 'STRIPE_WEBHOOK_SECRET' },
  { label: 'A GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})/, env: 'GITHUB_TOKEN' },
  { label: 'A GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}/, env: 'GITLAB_TOKEN' },
  { label: 'A Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, env: 'SLACK_TOKEN' },
  { label: 'A Slack webhook URL', re: /https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9_]+\/B[A-Za-z0-9_]+\/[A-Za-z0-9_]{16,}/, env: 'SLACK_WEBHOOK_URL' },
  { label: 'A Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/, env: 'GOOGLE_API_KEY' },
  { label: 'A SendGrid API key', re: /\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}/, env: 'SENDGRID_API_KEY' },
  { label: 'A Twilio API key', re: /\bSK[0-9a-fA-F]{32}\b/, env: 'TWILIO_API_KEY' },
  { label: 'A Mailgun API key', re: /\bkey-[0-9a-zA-Z]{32}\b/, env: 'MAILGUN_API_KEY' },
  { label: 'An OpenAI API key', re: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}/, env: 'OPENAI_API_KEY' },
  { label: 'An Anthropic API key', re: /\bsk-ant-[a-z]+\d*-[A-Za-z0-9_-]{20,}/, env: 'ANTHROPIC_API_KEY' },
  { label: 'An npm access token', re: /\bnpm_[A-Za-z0-9]{36}\b/, env: 'NPM_TOKEN' },
  { label: 'A PyPI API token', re: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{20,}/, env: 'PYPI_TOKEN' },
  { label: 'A Shopify access token', re: /\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b/, env: 'SHOPIFY_ACCESS_TOKEN' },
  { label: 'A DigitalOcean token', re: /\bdo[por]_v1_[a-f0-9]{64}\b/, env: 'DIGITALOCEAN_TOKEN' },
  { label: 'A Telegram bot token', re: /\b\d{8,10}:AA[0-9A-Za-z_-]{33}\b/, env: 'TELEGRAM_BOT_TOKEN' },
  { label: 'A Mapbox secret token', re: /\bsk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{10,}/, env: 'MAPBOX_SECRET_TOKEN' },
];
/**
 * A literal every TOKENS match contains (its provider prefix; `SK` for Twilio, `:AA` for Telegram),
 * tested once per string before the token formats: assess runs on every string literal of every
 * triggered file, and the 20 format regexes one by one were most of this rule's time.
 */
const TOKEN_PREFIX = /AKIA|ASIA|ABIA|ACCA|[sr]k_(?:live|test)_|whsec_|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack\.com|AIza|SG\.|SK|key-|sk-|npm_|pypi-|shp(?:at|ss|ca|pa)_|do[por]_v1_|:AA|sk\.eyJ/;
const PEM = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/;

/** Lock files, manifests and tool configs hold hashes and ids, not credentials. */
const SKIP_JSON = /(?:^|\/)(?:package(?:-lock)?\.json|npm-shrinkwrap\.json|composer\.(?:json|lock)|tsconfig[^/]*\.json|jsconfig\.json|\.?eslintrc\.json|renovate\.json|\.prettierrc\.json|[^/]*\.lock\.json|angular\.json|nx\.json|turbo\.json|vercel\.json|app\.json|manifest\.json)$/;

const TOKEN_TRIGGER = /AKIA|ASIA|sk_live_|sk_test_|rk_live_|whsec_|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack\.com|AIza|SG\.|SK[0-9a-f]{8}|key-|sk-|npm_|pypi-|shp(?:at|ss|ca|pa)_|do[por]_v1_|:AA|sk\.eyJ|PRIVATE KEY/;
const NAME_TRIGGER = /key|token|secret|passw|pwd|credential|bearer|passphrase/i;
/**
 * The last word of a credential name (isCredentialName: SECRET_NAME ends the upper-snake name, and
 * upperSnake only adds or folds separators), so no letter or digit follows it in the source.
 */
const PY_NAME_END = /(?:key|secret|token|bearer|passw(?:or)?d|pwd|pass(?:phrase)?|credentials?)(?![A-Za-z0-9])/gi;
/** A match that is not Python's `pass` statement (which no name can be: it is a keyword). */
function notPassStatement(text: string, at: number): boolean {
  if (text.slice(at, at + 4) !== 'pass' || text.length > at + 4 && !/[\s;#]/.test(text[at + 4]!)) return true;
  return at > 0 && !/[\s:;]/.test(text[at - 1]!);
}
/**
 * Python: a provider token or PEM block in a string (TOKEN_TRIGGER), or a value under a credential
 * name: an assignment target, keyword, dict key or env-lookup name whose last word is a SECRET_NAME
 * word (names in strings may use escapes), when some string literal's value looks random
 * (namedSecret reports only values that pass looksRandom, 16 characters or more; pyStringValuesSome
 * reads the literals as the facade builds them, concatenations and escapes included, and says yes
 * when unsure).
 */
function pyMayReport(text: string): boolean {
  const escaped = pyHasEscape(text);
  // Names first: the test stops at the first credential word, where the token alternation reads the whole file.
  const named = someMatch(text, PY_NAME_END, (at) => notPassStatement(text, at)) || (escaped && someMatch(pyDecoded(text), PY_NAME_END, (at) => notPassStatement(pyDecoded(text), at)));
  if (named && pyStringValuesSome(text, looksRandom, 16)) return true;
  return TOKEN_TRIGGER.test(text) || (escaped && TOKEN_TRIGGER.test(pyDecoded(text)));
}

/**
 * JS/TS: a provider token or PEM block (TOKEN_TRIGGER), or a credential word with a string literal
 * whose value can look random. namedSecret reports a string literal's value (escapes decoded) that
 * passes looksRandom: after trimming, 16 or more characters, no whitespace, a digit. So the source
 * holds a quote, optional whitespace, then 16 or more characters that are neither whitespace nor a
 * quote nor a backslash, or escape sequences (each at least as long as what it decodes to, and a
 * line continuation decodes to nothing), with a digit among them (an escape that decodes to a digit
 * is written with digits). NAME_TRIGGER alone matched `key` in `Object.keys` and `monkey`: on the
 * bench JS corpus it kept 780 of 3,811 files, 147 of them for this rule alone.
 */
function jsMayReport(text: string): boolean {
  if (TOKEN_TRIGGER.test(text)) return true;
  if (!NAME_TRIGGER.test(text)) return false;
  JS_LITERAL_RUN.lastIndex = 0;
  for (let m = JS_LITERAL_RUN.exec(text); m; m = JS_LITERAL_RUN.exec(text)) if (/[0-9]/.test(m[1]!)) return true;
  return false;
}
const JS_LITERAL_RUN = /['"`]\s*((?:[^\s'"`\\]|\\(?:\r\n|[^])){16,})/g;

export default defineRule({
  meta: {
    id: 'hardcoded-secret',
    title: 'Hard-coded API key or token',
    category: 'security',
    severity: 'high',
    confidence: 'medium',
    fixable: 'sometimes',
    effort: 'hours',
    cwe: ['CWE-798', 'CWE-312'],
    // Python: pyMayReport; JS/TS: jsMayReport. Config kinds: a token prefix or a credential word.
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayReport(text) : kind === 'script' ? jsMayReport(text) : TOKEN_TRIGGER.test(text) || NAME_TRIGGER.test(text))],
    messages: {
      knownToken: '{label} is hard-coded{where}.',
      privateKey: 'A private key (PEM block) is hard-coded{where}.',
      namedSecret: '{name} holds a hard-coded secret-looking value ({length} characters, {entropy} bits of entropy per character).',
    },
    docs: {
      why:
        'A credential in the repository is readable by everyone with access to the code, its forks, CI logs, backups and container images, and it stays in git history after it is deleted. Leaked provider keys (AWS, Stripe, GitHub, Slack, SendGrid, OpenAI...) are harvested from public repositories within minutes and abused for fraud, spam and crypto-mining on your account. A hard-coded key also cannot differ between environments and cannot be rotated without a deploy.',
      fix:
        'Rotate the key at the provider first (treat it as leaked), then read it from the environment or a secret manager (`os.environ["STRIPE_SECRET_KEY"]`, `process.env.STRIPE_SECRET_KEY`) and keep the value in the deployment\'s secret store; remove it from git history if the repository was ever shared. The code fix is unsafe: the app needs the variable set in every environment.',
      whenNotTo: 'Session and JWT signing keys are reported by weak-secret-key. Publishable keys (Stripe pk_, reCAPTCHA site keys) are public by design and not reported.',
      references: [
        'https://cwe.mitre.org/data/definitions/798.html',
        'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
        'https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns',
        'https://github.com/gitleaks/gitleaks',
      ],
      examples: [
        { file: 'payments.py', bad: 'stripe.api_key = "sk_live_..."', good: 'stripe.api_key = os.environ["STRIPE_SECRET_KEY"]' },
        { file: 'mailer.js', bad: "sgMail.setApiKey('SG.xxxx.yyyy')", good: 'sgMail.setApiKey(process.env.SENDGRID_API_KEY)' },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      const report = oncePerRange<MessageId>((d) => ctx.report(d));
      const names = pyNames(py);
      const importOs: TextEdit[] = py.imports.some((i) => i.local === 'os' && i.qualified === 'os') ? [] : [insertAt(py.importInsertOffset, 'import os\n')];
      const q = (r: TextRange) => (/^[rbuRBU]*'/.test(py.text.slice(r.start, r.start + 3)) ? "'" : '"');
      for (const s of py.strings) {
        const named = names.get(s.range.start);
        const name = named?.name;
        // An env lookup's fallback: the whole lookup becomes the required read.
        const target = named?.lookup ?? s.range;
        const fix = (env: string): Fix => ({ title: `Read ${env} from the environment`, applicability: 'unsafe', edits: [...importOs, replace(target, `os.environ[${q(s.range)}${env}${q(s.range)}]`)], envVars: [envVar(env)] });
        const d = assess(s.value, name, s.range, fix);
        if (d) report(d);
      }
    },

    script(ctx) {
      const { js, ast } = ctx;
      const report = oncePerRange<MessageId>((d) => ctx.report(d));
      const visit = (node: ts.Node, depth: number): void => {
        if (depth > 400) return;
        if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
          const named = jsNameOf(node);
          const name = named?.name;
          const range = js.range(node);
          const target = named?.lookup ? js.range(named.lookup) : range;
          const fix = (env: string): Fix => ({ title: `Read ${env} from the environment`, applicability: 'unsafe', edits: [replace(target, `process.env.${env}`)], envVars: [envVar(env)] });
          // Import specifiers and object keys are never credentials.
          if (!ts.isImportDeclaration(node.parent) && !ts.isExternalModuleReference(node.parent) && !(ts.isPropertyAssignment(node.parent) && node.parent.name === node)) {
            const d = assess(node.text, name, range, fix);
            if (d) report(d);
          }
        }
        ts.forEachChild(node, (c) => visit(c, depth + 1));
      };
      visit(ast, 0);
    },

    yaml(ctx) {
      const report = oncePerRange<MessageId>((d) => ctx.report(d));
      for (const doc of ctx.docs) {
        // Compose list form `- API_KEY=value`: name and value inside one scalar.
        const compose = composeEnv(doc);
        for (const v of compose) {
          const d = assess(v.value, v.key, v.valueRange);
          if (d) report(d);
        }
        walkYaml(doc.contents, undefined, 0, (value, name, range) => {
          if (compose.some((v) => v.valueRange.start >= range.start && v.valueRange.end <= range.end)) return;
          const d = assess(value, name, range);
          if (d) report(d);
        });
      }
    },

    json(ctx) {
      if (SKIP_JSON.test(ctx.path)) return;
      const report = oncePerRange<MessageId>((d) => ctx.report(d));
      walkYaml(ctx.doc.contents, undefined, 0, (value, name, range) => {
        const d = assess(value, name, range);
        if (d) report(d);
      });
    },

    env(ctx) {
      // An env file .gitignore ignores is local configuration, not a committed secret.
      if (ignoredBy(ctx.project, ctx.path)) return;
      for (const e of ctx.entries) {
        const d = assess(e.value, e.key, e.valueRange);
        if (d) ctx.report(d);
      }
    },

    dockerfile(ctx) {
      for (const v of dockerEnv(ctx.instructions, ctx.text, true)) {
        const d = assess(v.value, v.key, v.valueRange);
        if (d) ctx.report(d);
      }
    },
  },
});

/**
 * Decide whether a string value is a credential: a known provider format anywhere, or a
 * high-entropy value under a credential name. Signing keys are weak-secret-key's.
 */
function assess(value: string, name: string | undefined, at: TextRange, fix?: (env: string) => Fix): ReportDescriptor<MessageId> | undefined {
  if (value.length < 8 || value.length > 20000) return undefined;
  if (name && isSigningKeyName(name)) return undefined;
  if (isReference(value)) return undefined;
  const where = name ? ` in ${name}` : '';
  const env = name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? upperSnake(name) : undefined;
  // A provider token under a loose name (`token`, `key`) reads the provider's usual variable.
  const tokenEnv = (fallback: string) => (name && /^[A-Z][A-Z0-9_]*$/.test(name) ? name : fallback);
  if (PEM.test(value)) {
    return { messageId: 'privateKey', data: { where }, at, secrets: secretParts(value), severity: 'high', confidence: 'high', fix: fix?.(tokenEnv(env ?? 'PRIVATE_KEY')) };
  }
  for (const t of TOKEN_PREFIX.test(value) ? TOKENS : []) {
    const m = t.re.exec(value);
    if (!m || placeholderToken(m[0])) continue;
    return { messageId: 'knownToken', data: { label: t.label, where }, at, secrets: [value, m[0]], severity: t.severity, confidence: 'high', fix: fix?.(tokenEnv(t.env)) };
  }
  if (!name || !isCredentialName(name) || !looksRandom(value)) return undefined;
  const confidence: Confidence = shannonEntropy(value) >= 4 ? 'medium' : 'low';
  return {
    messageId: 'namedSecret',
    data: { name, length: [...value].length, entropy: shannonEntropy(value).toFixed(1) },
    at,
    secrets: [value],
    confidence,
    fix: env ? fix?.(env) : undefined,
  };
}

/** `sk_live_xxxxxxxxxxxxxxxx`, `AKIA................`: documentation placeholders, not keys. */
function placeholderToken(token: string): boolean {
  return /x{6,}|X{6,}|\*{4,}|\.{3}|0{12,}|<|>/.test(token) || shannonEntropy(token) < 3;
}

/** PEM blocks are long: redact the body, which is what matters, line by line as snippets show it. */
function secretParts(value: string): string[] {
  return [value, ...value.split(/\r?\n|\\n/).filter((l) => l.length > 8 && !/^-----/.test(l))];
}

function envVar(name: string) {
  return { name, description: 'Credential moved out of the source code: set it in the secret store of each environment (and rotate the old value).' };
}

// ---------------------------------------------------------------------------------------------
// Names of values in Python: assignment targets, config keys, keyword arguments, dict keys, env fallbacks.

interface Named {
  readonly name: string;
  /** Set when the literal is an env lookup's fallback: the lookup expression. */
  readonly lookup?: TextRange;
}

function pyNames(py: PyModule): Map<number, Named> {
  const out = new Map<number, Named>();
  const set = (e: PyExpr | undefined, name: string | undefined, lookup?: TextRange) => {
    if (!e || !name) return;
    if (e.kind === 'str') out.set(e.range.start, { name, lookup });
    else if (e.kind === 'boolop' || e.kind === 'ifexp') {
      // `os.getenv('X') or 'literal'`, `'a' if c else 'b'`
      const look = e.kind === 'boolop' ? envLookup(e, py) : undefined;
      if (look?.name && look.fallback) return set(look.fallback, look.name, e.range);
      for (const part of e.kind === 'boolop' ? [e.left, e.right] : [e.body, e.orelse]) set(part, name);
    }
  };
  for (const a of py.assignments) {
    const t = a.targetExpr;
    const name = t.kind === 'subscript' && t.index?.kind === 'str' ? t.index.value : t.kind === 'name' ? t.id : t.kind === 'attr' ? t.attr : undefined;
    set(a.value, name);
  }
  for (const c of py.calls) {
    for (const arg of c.args) if (arg.name && arg.name !== '*' && arg.name !== '**') set(arg.value, arg.name);
    const look = envLookup({ kind: 'call', call: c, range: c.range, text: '' }, py);
    if (look?.name && look.fallback) set(look.fallback, look.name, c.range);
  }
  const dicts = (e: PyExpr, depth: number): void => {
    if (depth > 8) return;
    if (e.kind === 'dict') for (const en of e.entries) {
      if (en.key?.kind === 'str') set(en.value, en.key.value);
      dicts(en.value, depth + 1);
    }
    if (e.kind === 'list' || e.kind === 'tuple') for (const el of e.elements) dicts(el, depth + 1);
  };
  for (const a of py.assignments) dicts(a.value, 0);
  for (const c of py.calls) for (const arg of c.args) dicts(arg.value, 0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// JS: the name a string literal is bound to.

function jsNameOf(node: ts.Node): { name: string; lookup?: ts.Node } | undefined {
  const named = (n: string | undefined) => (n ? { name: n } : undefined);
  let cur: ts.Node = node;
  for (let p = node.parent; p; cur = p, p = p.parent) {
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p)) continue;
    if (ts.isBinaryExpression(p)) {
      const op = p.operatorToken.kind;
      if ((op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) && cur === p.right) {
        const r = envRead(unwrap(p.left));
        if (r?.name) return { name: r.name, lookup: p };
        continue;
      }
      if (op === ts.SyntaxKind.EqualsToken && cur === p.right) return named(dotted(p.left).split('.').at(-1));
      return undefined;
    }
    if (ts.isConditionalExpression(p) && cur !== p.condition) continue;
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return named(p.name.text);
    if (ts.isPropertyAssignment(p) && cur === p.initializer) return named(propertyName(p.name));
    if (ts.isPropertyDeclaration(p) && cur === p.initializer) return named(propertyName(p.name));
    if (ts.isParameter(p) && ts.isIdentifier(p.name)) return named(p.name.text);
    return undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// YAML / JSON: every scalar string with the key it sits under.

function walkYaml(node: unknown, name: string | undefined, depth: number, fn: (value: string, name: string | undefined, range: TextRange) => void): void {
  if (depth > 40 || !node) return;
  if (isMap(node)) {
    for (const p of node.items as Pair<Node, Node>[]) {
      const key = isScalar(p.key) ? String(p.key.value) : undefined;
      walkYaml(p.value, key, depth + 1, fn);
    }
  } else if (isSeq(node)) {
    for (const it of node.items) walkYaml(it, name, depth + 1, fn);
  } else if (isScalar(node) && typeof node.value === 'string' && node.range) {
    fn(node.value, name, rangeOf(node as Node));
  }
}
