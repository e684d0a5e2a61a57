import { posix } from 'node:path';
import { replace } from '../src/engine/edits.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import { defineRule } from '../src/engine/rule.js';
import type { Fix, TextEdit, TextRange } from '../src/engine/types.js';
import type { PyExpr, PyModule } from '../src/parsers/python.js';
import { dotted, literalValue, objectProps, ts, walk, type ScriptModule } from '../src/parsers/script.js';
import { ENV_EXAMPLE_FILES, ENV_EXAMPLE_HEADER, envReads } from './_shared/env-reads.js';
import { pyImport, pyQuote, pyString } from './_shared/fix-helpers.js';
import { anchorFile, appPyParts, backendApps, pyFileMemo } from './_shared/project.js';
import { configItems, envLookup, inDevOnlyClass, readsEnv, type ConfigItem } from './_shared/python.js';
import { upperSnake } from './_shared/secrets.js';
import { jsHasEscape, JS_GAP, PY_ESCAPE, pyDecoded } from './_shared/triggers.js';

/**
 * A service endpoint written as a literal: a URL with a scheme and a host (postgresql://db/app,
 * redis://cache:6379, amqp://rabbit, https://api.partner.com/v2), never a path ("/static/") nor
 * SQLite (sqlite-in-production), nor a URL with a password in it (default-credentials and
 * hardcoded-secret report those: one finding per line per problem).
 */
export function serviceUrl(value: string): { scheme: string; host: string } | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:([^@/\s]*)@)?(\[[^\]]+\]|[^/:?#\s]+)(?::(\d+))?(?:[/?#]|$)/i.exec(value.trim());
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (scheme.startsWith('sqlite') || scheme === 'file') return undefined;
  if (m[2] && m[2].includes(':')) return undefined; // user:password@ -> credential rules
  const host = m[3]!;
  if (host.includes('{') || host.includes('$') || host.includes('%(')) return undefined; // templated
  return { scheme, host };
}

const SCHEMES = /^(postgres(ql)?|mysql|mariadb|mssql|oracle|mongodb(\+srv)?|redis|rediss|amqps?|nats|kafka|memcached?|elasticsearch|smtps?|ldaps?|wss?|https?)(\+[a-z0-9]+)?$/;
/** Keys that hold where a service lives. */
const ENDPOINT_KEY = /(^|_)(URL|URI|DSN|HOST|HOSTNAME|SERVER|ENDPOINT|ADDR|ADDRESS|BROKER|BACKEND|BASE_URL)$|^(MAIL_SERVER|EMAIL_HOST|SMTP_HOST|CACHE_REDIS_URL|SQLALCHEMY_DATABASE_URI|CELERY_BROKER_URL|CELERY_RESULT_BACKEND|BROKER_URL|RESULT_BACKEND)$/;
/** Keys that name URL paths or hosts this app serves, not services it talks to. */
const NOT_ENDPOINT = /^(STATIC|MEDIA|LOGIN|LOGOUT|LOGIN_REDIRECT|LOGOUT_REDIRECT|ROOT|ADMIN|SITE|SERVER_NAME|APPLICATION_ROOT|PREFERRED_URL_SCHEME|FORCE_SCRIPT_NAME|SESSION_COOKIE_DOMAIN|CORS_ORIGIN|CSRF_TRUSTED_ORIGIN|ALLOWED_HOST)S?(_URL|_URLS|_ROOT)?$|(^|_)(REDIRECT|CALLBACK|SUCCESS|CANCEL|RETURN|FRONTEND|PUBLIC|DOCS|SCHEMA|TERMS|PRIVACY|LOGO|AVATAR|IMAGE|ICON)_URLS?$|_URLCONF$|^(STATIC|MEDIA)_(ROOT|HOST)$/;

function keyHoldsEndpoint(key: string): boolean {
  const k = upperSnake(key);
  return ENDPOINT_KEY.test(k) && !NOT_ENDPOINT.test(k);
}
function isSecretName(key: string): boolean {
  return /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|CREDENTIAL)/.test(upperSnake(key));
}

/**
 * Is the literal a hard-coded endpoint for a key? URLs by scheme; for *_HOST / *_SERVER keys also bare
 * host names. Ports alone are not reported: a standard port beside a host read from the environment is
 * fine, and a hard-coded host is reported once, not once per part (the listen port of a server is
 * handled separately).
 */
function endpointValue(key: string | undefined, value: string | number): string | undefined {
  if (typeof value === 'number') return undefined;
  const url = serviceUrl(value);
  if (url) return SCHEMES.test(url.scheme) ? value : undefined;
  if (key && /(HOST|HOSTNAME|SERVER|ADDR|ADDRESS)$/.test(upperSnake(key)) && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9-]+)*$/i.test(value) && !/^(true|false|none|null)$/i.test(value)) return value;
  return undefined;
}

/** Env var name for a key ("SQLALCHEMY_DATABASE_URI" stays, "redis_url" -> "REDIS_URL") or for a client ("redis.Redis" -> "REDIS_URL"). */
function envNameFor(key: string | undefined, client: string): string {
  if (key) return /^(SQLALCHEMY_DATABASE_URI|DATABASE_URI|DB_URL|DB_URI)$/.test(upperSnake(key)) ? 'DATABASE_URL' : upperSnake(key);
  if (/redis/i.test(client)) return 'REDIS_URL';
  if (/mongo/i.test(client)) return 'MONGODB_URI';
  if (/smtp|mail|transport/i.test(client)) return 'SMTP_HOST';
  if (/amqp|pika|rabbit|celery/i.test(client)) return 'BROKER_URL';
  if (/elastic/i.test(client)) return 'ELASTICSEARCH_URL';
  if (/axios|baseURL/i.test(client)) return 'API_BASE_URL';
  return 'DATABASE_URL';
}

// ---------------------------------------------------------------- Python clients

/** Clients whose first positional argument (or a keyword) is where the service lives. */
const PY_CLIENTS: { callee: RegExp; args: readonly (number | string)[] }[] = [
  { callee: /^sqlalchemy\.(create_engine|ext\.asyncio\.create_async_engine)$|^sqlalchemy\.ext\.asyncio\.create_async_engine$/, args: [0, 'url'] },
  { callee: /^redis\.(Redis|StrictRedis|from_url|asyncio\.Redis|asyncio\.from_url|Redis\.from_url|StrictRedis\.from_url)$/, args: [0, 'url', 'host', 'port'] },
  { callee: /^pymongo\.MongoClient$|^motor\.motor_asyncio\.AsyncIOMotorClient$|^mongoengine\.connect$/, args: [0, 'host', 'port'] },
  { callee: /^smtplib\.(SMTP|SMTP_SSL)$/, args: [0, 1, 'host', 'port'] },
  { callee: /^(psycopg2?|psycopg)\.connect$|^pymysql\.connect$|^MySQLdb\.connect$|^asyncpg\.(connect|create_pool)$/, args: [0, 'dsn', 'host', 'port'] },
  { callee: /^celery\.Celery$/, args: ['broker', 'backend'] },
  { callee: /^pika\.(ConnectionParameters|URLParameters)$/, args: [0, 'host', 'port'] },
  { callee: /^elasticsearch\.(Elasticsearch|AsyncElasticsearch)$/, args: [0, 'hosts'] },
  { callee: /^(httpx\.(Client|AsyncClient)|requests\.Session)$/, args: ['base_url'] },
];
const ARG_KEY: Record<string, string> = { url: 'url', host: 'host', port: 'port', dsn: 'dsn', broker: 'broker_url', backend: 'result_backend', hosts: 'url', base_url: 'base_url' };

/**
 * Text any Python endpoint finding needs. Every report is a string literal (endpointValue never
 * accepts a number) under a key that keyHoldsEndpoint accepts, so the key's upper-snake form ends
 * in URL, URI, DSN, HOST, HOSTNAME, SERVER, ENDPOINT, ADDR, ADDRESS, BROKER or BACKEND (the named
 * keys end so too; a CACHES `LOCATION` counts as LOCATION_URL); or it is a PY_CLIENTS argument,
 * positional only with the client's module named (PY_CLIENT_MODULE; `motor` spells no `mongo`).
 * configItems, walkDict and the clients' keywords give the key its value right after it:
 * `KEY = 'v'`, `KEY: str = 'v'`, `['KEY'] = 'v'`, `'KEY': 'v'`, `KEY='v'`, `setdefault('KEY', 'v')`,
 * or a tuple target (`HOST, PORT = 'db', 5432`, `PORT, HOST = 5432, 'db'`): PY_AFTER_KEY. A key
 * spelled with escapes (or a line continuation) in a string is read as the facade decodes it.
 * This replaced "a `://` anywhere", which every module with a documentation link matched: on the
 * Python corpus 459 -> 151 files.
 */
const PY_CLIENT_MODULE = /sqlalchemy|redis|mongo|motor|smtplib|psycopg|pymysql|MySQLdb|asyncpg|pika|elasticsearch/i;
const PY_KEY_END = /(?:url|uri|dsn|host|hostname|server|endpoint|addr|address|broker|backend|location)(?!\w)/gi;
const PY_SPACE = String.raw`(?:\s|\\|#[^\n]*)*`;
/** A string literal next (parentheses, a prefix such as r or b allowed). */
const PY_LITERAL_NEXT = String.raw`${PY_SPACE}(?:\(${PY_SPACE})*[A-Za-z]{0,2}['"]`;
/** After the key: `= 'v'` (or `=` and a tuple's values), `: 'v'`, `: T = 'v'`, `'KEY', ` and a first tuple target `KEY, X = `. */
const PY_AFTER_KEY = new RegExp(
  String.raw`(?:[\s\\'"\])]|#[^\n]*)*(?:=(?!=)(?:${PY_LITERAL_NEXT}|[^\n]*[,(\[\\])|:(?:${PY_LITERAL_NEXT}|[^=\n]*=(?!=)${PY_LITERAL_NEXT}))|['"\])]${PY_SPACE},|${PY_SPACE},[^=\n]*(?:\n[^=\n]*)?=(?!=)`,
  'y',
);

function pyEndpointHint(text: string): boolean {
  return PY_CLIENT_MODULE.test(text) || pyEndpointKey(text) || (PY_ESCAPE.test(text) && pyEndpointKey(pyDecoded(text)));
}

/** Some endpoint-suffixed key followed by PY_AFTER_KEY (a quick test of the next character first: most `url`s and `host`s are not keys). */
function pyEndpointKey(text: string): boolean {
  PY_KEY_END.lastIndex = 0;
  for (let m = PY_KEY_END.exec(text); m; m = PY_KEY_END.exec(text)) {
    const end = PY_KEY_END.lastIndex;
    let i = end;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x5c || c === 0x27 || c === 0x22 || c === 0x5d || c === 0x29) i++;
      else if (c === 0x23 /* # */) {
        const nl = text.indexOf('\n', i);
        i = nl === -1 ? text.length : nl;
      } else break;
    }
    const c = text.charCodeAt(i);
    if (c !== 0x3d /* = */ && c !== 0x3a /* : */ && c !== 0x2c /* , */) continue;
    PY_AFTER_KEY.lastIndex = end;
    if (PY_AFTER_KEY.test(text)) return true;
  }
  return false;
}
/**
 * Text any JS endpoint finding needs (jsFindings reads this file's syntax only). A literal endpoint
 * for a URL-ish name or a client's url option is a URL, so `://` is in the text (or `:\\/\\/`, an
 * escape: JS_ESCAPE). A bare host name is reported only under a name or key ending in host,
 * hostname or server (JS_ENDPOINT_NAME, JS_OPTION_KEYS), so such a name is followed by `=` or `:`
 * (a declaration, a type annotation, a property); or under a client's `node` option, with the
 * client's package named. The port finding is `.listen(<number literal>)` in a file that names a
 * server framework or http (listensAsServer).
 */
const JS_URL = /:(?:\\?\/){2}/;
const JS_HOST_NAME = new RegExp(String.raw`(?:host|hostname|server)['"]?${JS_GAP}(?:[:=]|[?!]${JS_GAP}:)`, 'i');
const JS_NODE_KEY = new RegExp(String.raw`(?<![\w$])node['"]?${JS_GAP}:(?![\w$/])`);
const JS_CLIENT_PACKAGE = /mongoose|mongo|redis|\bpg\b|mysql|sequelize|knex|nodemailer|amqplib|axios|elastic|bull/;
const JS_LISTEN_NUMBER = new RegExp(String.raw`listen(?:['"\x60]${JS_GAP}\])?${JS_GAP}(?:<[^()]*>${JS_GAP})?(?:\?\.${JS_GAP})?\(${JS_GAP}(?:(?:\(|<[^<>]*>)${JS_GAP})*\.?\d`);
const JS_SERVER_MODULE = /express|fastify|koa|http/;

function jsEndpointHint(text: string): boolean {
  return (
    JS_URL.test(text) ||
    jsHasEscape(text) ||
    JS_HOST_NAME.test(text) ||
    (JS_NODE_KEY.test(text) && JS_CLIENT_PACKAGE.test(text)) ||
    (JS_LISTEN_NUMBER.test(text) && JS_SERVER_MODULE.test(text))
  );
}

interface Found {
  readonly at: TextRange;
  readonly value: string;
  readonly key: string | undefined;
  readonly where: string;
  readonly envName: string;
  readonly isNumber: boolean;
}

/** Findings deduplicated by position (a literal seen through two shapes is reported once). */
function collector(): { out: Found[]; add: (f: Found) => void } {
  const out: Found[] = [];
  const seen = new Set<number>();
  return {
    out,
    add: (f) => {
      if (seen.has(f.at.start)) return;
      seen.add(f.at.start);
      out.push(f);
    },
  };
}

function pyFindings(py: PyModule): Found[] {
  const { out, add } = collector();
  const literal = (e: PyExpr | undefined): string | number | undefined => (e?.kind === 'str' ? e.value : e?.kind === 'num' ? e.value : undefined);
  for (const item of configItems(py)) {
    if (!keyHoldsEndpoint(item.key)) continue;
    if (isSecretName(item.key) || inDevOnlyClass(item) || envLookup(item.value, py) || readsEnv(item.value, py)) continue;
    const v = literal(item.value);
    if (v === undefined) continue;
    const ep = endpointValue(item.key, v);
    if (!ep) continue;
    add({ at: item.value.range, value: ep, key: item.key, where: item.key, envName: envNameFor(item.key, ''), isNumber: typeof v === 'number' });
  }
  // Django DATABASES / CACHES: {'default': {'HOST': 'db.internal', 'PORT': '5432', 'LOCATION': 'redis://cache:6379/1'}}
  for (const a of py.assignments) {
    if (a.scope.functions.length > 0 || !/^(DATABASES|CACHES|CHANNEL_LAYERS)$/.test(a.target)) continue;
    walkDict(a.value, (key, value) => {
      const k = key === 'LOCATION' ? 'LOCATION_URL' : key;
      if (!keyHoldsEndpoint(k)) return;
      const v = literal(value);
      if (v === undefined) return;
      const ep = endpointValue(k, v);
      if (ep) add({ at: value.range, value: ep, key, where: `${a.target} ${key}`, envName: a.target === 'DATABASES' ? `DB_${key}` : `CACHE_${k}`, isNumber: typeof v === 'number' });
    });
  }
  for (const call of py.calls) {
    const spec = PY_CLIENTS.find((c) => c.callee.test(call.qualified));
    if (!spec) continue;
    for (const a of spec.args) {
      const e = typeof a === 'number' ? call.positional[a] : call.keyword(a);
      const v = literal(e);
      if (!e || v === undefined) continue;
      const key = typeof a === 'number' ? (a === 1 || (typeof v === 'number') ? 'port' : typeof v === 'string' && serviceUrl(v) ? 'url' : 'host') : (ARG_KEY[a] ?? a);
      const ep = endpointValue(key, v);
      if (!ep) continue;
      const envName = key === 'url' || key === 'dsn' ? envNameFor(undefined, call.qualified) : `${envNameFor(undefined, call.qualified).replace(/_(URL|URI|HOST)$/, '')}_${upperSnake(key)}`;
      add({ at: e.range, value: ep, key: undefined, where: `${call.callee}()`, envName, isNumber: typeof v === 'number' });
    }
  }
  return out;
}

function walkDict(e: PyExpr, visit: (key: string, value: PyExpr) => void, depth = 0): void {
  if (e.kind !== 'dict' || depth > 5) return;
  for (const entry of e.entries) {
    if (entry.key?.kind === 'str') visit(entry.key.value, entry.value);
    walkDict(entry.value, visit, depth + 1);
  }
}

// ---------------------------------------------------------------- JS / TS clients

/** Calls whose first argument (string or options object) says where a service lives. */
const JS_CLIENTS = /^(mongoose\.(connect|createConnection)|mongodb\.MongoClient|mongodb\.MongoClient\.connect|ioredis|ioredis\.Redis|redis\.createClient|pg\.Pool|pg\.Client|mysql2?\.(createConnection|createPool)|mysql2\/promise\.(createConnection|createPool)|sequelize\.Sequelize|sequelize|knex|nodemailer\.createTransport|amqplib\.connect|amqplib\/callback_api\.connect|axios\.create|@elastic\/elasticsearch\.Client|bullmq\.Queue|bull)$/;
const JS_OPTION_KEYS = /^(url|uri|host|hostname|port|connectionString|baseURL|baseUrl|node|server)$/;
const JS_ENDPOINT_NAME = /(url|uri|dsn|host|hostname|endpoint|server|baseurl|origin)$/i;

function jsFindings(js: ScriptModule): Found[] {
  const { out, add } = collector();
  for (const call of js.calls()) {
    const q = call.qualified;
    // app.listen(3000): the platform assigns PORT
    if (!call.isNew && /\.listen$/.test(call.callee) && call.args[0] && typeof literalValue(call.args[0]) === 'number' && listensAsServer(call.callee, js)) {
      add({ at: js.range(call.args[0]), value: String(literalValue(call.args[0])), key: 'PORT', where: `${call.callee}()`, envName: 'PORT', isNumber: true });
      continue;
    }
    if (!JS_CLIENTS.test(q)) continue;
    const first = call.args[0];
    if (!first) continue;
    const lit = literalValue(first);
    if (typeof lit === 'string') {
      const ep = endpointValue('url', lit);
      if (ep) add({ at: js.range(first), value: ep, key: undefined, where: `${call.callee}()`, envName: envNameFor(undefined, q), isNumber: false });
    }
    for (const arg of call.args) {
      for (const [name, { value }] of objectProps(arg)) {
        if (!JS_OPTION_KEYS.test(name)) continue;
        const v = literalValue(value);
        if (typeof v !== 'string' && typeof v !== 'number') continue;
        const ep = endpointValue(name === 'port' ? 'port' : name === 'host' || name === 'hostname' || name === 'server' || name === 'node' ? 'host' : 'url', v);
        if (!ep) continue;
        const base = envNameFor(undefined, `${q} ${name}`);
        const envName = name === 'port' || name === 'host' ? `${base.replace(/_(URL|URI|HOST)$/, '')}_${name.toUpperCase()}` : base;
        add({ at: js.range(value), value: ep, key: name, where: `${call.callee}() ${name}`, envName, isNumber: typeof v === 'number' });
      }
    }
  }
  // const API_URL = 'https://api.partner.com', export const REDIS_HOST = 'cache.internal', config objects { databaseUrl: '...' }
  walk(js.sf, (n) => {
    let name: string | undefined;
    let value: ts.Expression | undefined;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      name = n.name.text;
      value = n.initializer;
    } else if (ts.isPropertyAssignment(n) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name))) {
      name = n.name.text;
      value = n.initializer;
    }
    if (!name || !value) return undefined;
    if (!JS_ENDPOINT_NAME.test(name) || NOT_ENDPOINT.test(upperSnake(name)) || isSecretName(name)) return undefined;
    const v = literalValue(value);
    if (typeof v !== 'string') return undefined;
    const ep = endpointValue(name, v);
    if (!ep) return undefined;
    // A relative API path or the app's own public URL is not a service endpoint; `url:` inside a fetch/axios call options is a request, not config.
    if (ts.isPropertyAssignment(n) && n.parent && ts.isObjectLiteralExpression(n.parent) && n.parent.parent && ts.isCallExpression(n.parent.parent) && !JS_CLIENTS.test(js.qualify(dotted(n.parent.parent.expression)))) return undefined;
    add({ at: js.range(value), value: ep, key: name, where: name, envName: upperSnake(name), isNumber: false });
    return undefined;
  });
  return out;
}

function listensAsServer(callee: string, js: ScriptModule): boolean {
  const recv = callee.split('.').slice(0, -1).join('.');
  const bound = js.instanceOf(recv) ?? '';
  return /^(express|fastify|koa|http\.createServer|https\.createServer|node:http\.createServer)/.test(bound) || (/^(app|server)$/.test(recv) && (js.importsModule('express') || js.importsModule('koa') || js.importsModule('fastify') || js.importsModule('http')));
}

// ---------------------------------------------------------------- no configuration from outside

/** Libraries that load settings from the environment or per-environment files (dotenv, decouple, pydantic-settings, ...). */
const PY_SETTINGS_LOADERS = /^(dotenv|decouple|environs|environ|pydantic_settings|dynaconf|configparser|everett|omegaconf|hydra|starlette\.config)(\.|$)|^pydantic\.(BaseSettings|env_settings)/;
/** Flask loaders that read a file or variables chosen per deployment. */
const FLASK_FILE_LOADER = /\.config\.from_(pyfile|envvar|file|prefixed_env|json|toml)$/;
const SETTINGS_HINT = /config|SECRET_KEY|DEBUG|DATABASES|settings/;

/**
 * Settings of a Python web app that has no way to differ per deployment: constant config items
 * (`app.config['UPLOAD_FOLDER'] = 'uploads'`, `DEBUG = False` in settings.py) in an app whose code
 * reads no environment variable, loads no config file and imports no settings library. Dev-only
 * classes do not count.
 */
function fixedPythonSettings(project: ProjectFacts, app: App): { file: string; item: FixedSetting }[] {
  if (!['flask', 'django', 'fastapi'].some((f) => app.frameworks.has(f as never))) return [];
  const out: { file: string; item: FixedSetting }[] = [];
  for (const { path, part } of appPyParts(project, app, SETTINGS_IN)) {
    if (part === 'loader') return [];
    for (const item of part) out.push({ file: path, item });
  }
  return out;
}

/** A constant setting as the finding needs it. */
type FixedSetting = Pick<ConfigItem, 'key' | 'keyRange' | 'range'>;

/**
 * One module's constant production settings, or 'loader' when it loads settings from elsewhere
 * (python-decouple, dynaconf, a settings file): cached per file.
 */
const SETTINGS_IN = pyFileMemo('env-config-missing.settingsIn', SETTINGS_HINT, (py): FixedSetting[] | 'loader' => {
  if (py.imports.some((i) => PY_SETTINGS_LOADERS.test(i.qualified) || PY_SETTINGS_LOADERS.test(i.module))) return 'loader';
  if (py.calls.some((c) => FLASK_FILE_LOADER.test(c.callee))) return 'loader';
  return configItems(py)
    .filter((item) => !inDevOnlyClass(item) && isConstant(item.value))
    .map((item) => ({ key: item.key, keyRange: item.keyRange, range: item.range }));
});

function isConstant(e: PyExpr): boolean {
  if (e.kind === 'str' || e.kind === 'num' || e.kind === 'bool') return true;
  return e.kind === 'binop' && isConstant(e.left) && isConstant(e.right);
}

// ---------------------------------------------------------------- .env.example

/** Env vars the app's production code reads, in first-seen order, and where the first read is. */
function envVarsRead(project: ProjectFacts, app: App): { names: string[]; first: { file: string; at: TextRange } | undefined } {
  const reads = envReads(project, app);
  const names = [...new Set(reads.flatMap((r) => (r.name ? [r.name] : [])))];
  return { names, first: reads[0] && { file: reads[0].file, at: reads[0].at } };
}

export default defineRule({
  meta: {
    id: 'env-config-missing',
    title: 'Configuration hard-coded instead of read from the environment',
    category: 'configuration',
    severity: 'medium',
    confidence: 'medium',
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-15'],
    // Per-file reports are endpoint literals: a URL (so "://" is in the text), a host name under a
    // *HOST / *SERVER / *ADDR(ESS) key, a literal passed to a known client (its module is imported,
    // so named), or a JS `.listen(<port>)`: see pyEndpointHint and jsEndpointHint. The app-wide
    // findings are project checks (no trigger).
    triggers: [(text, _options, kind) => (kind === 'python' ? pyEndpointHint(text) : jsEndpointHint(text))],
    messages: {
      hardcoded: '{where} is hard-coded to "{value}": set it from the {env} environment variable.',
      hardcodedPort: '{where} is hard-coded to port {value}: read it from the {env} environment variable.',
      noExample: 'The app reads {count} environment variable{s} ({sample}) but has no .env.example documenting them.',
      noEnv: 'The app reads no configuration from the environment or a config file: {keys} are fixed in code, so development and production run with the same settings.',
    },
    docs: {
      why:
        'A database URL, Redis host, SMTP server or API base URL written into the code is the same in every environment: staging talks to the production database (or production to localhost), moving a service means a code change and a redeploy, and the one value that differs per deployment can only be changed by editing the image. Twelve-factor apps keep such configuration in the environment. An app that reads nothing from the environment or a per-deployment config file at all (every setting a constant in app.py or settings.py) has no production configuration: the same values run everywhere. The other half is documentation: an app that reads environment variables but ships no .env.example leaves the next deployer to discover the required variables one crash at a time.',
      fix:
        'Read endpoints from the environment, with a development default where that is harmless: `app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "postgresql://localhost/app")`, `redis.from_url(os.environ["REDIS_URL"])`, `mongoose.connect(process.env.MONGODB_URI)`, `app.listen(Number(process.env.PORT) || 3000)`. Commit a `.env.example` with every variable the app reads (no real values) and keep the real `.env` out of git. The fix wraps the literal in an environment lookup that falls back to it, so nothing changes until the variable is set (safe), and writes a `.env.example` listing the variables the code reads. Secrets in code are reported by hardcoded-secret and default-credentials, not here.',
      whenNotTo: 'Public, fixed third-party endpoints that never differ per environment can stay constants; suppress with a reason.',
      references: [
        'https://12factor.net/config',
        'https://flask.palletsprojects.com/en/latest/config/#configuring-from-environment-variables',
        'https://docs.djangoproject.com/en/stable/topics/settings/',
        'https://nodejs.org/en/learn/command-line/how-to-read-environment-variables-from-nodejs',
      ],
      examples: [
        { file: 'config.py', bad: 'SQLALCHEMY_DATABASE_URI = "postgresql://db.internal/app"', good: 'SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "postgresql://db.internal/app")' },
        { file: 'server.js', bad: 'app.listen(3000);', good: 'app.listen(Number(process.env.PORT) || 3000);' },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      const q = pyQuote(py);
      const importOs: TextEdit[] = pyImport(py, 'os');
      for (const f of pyFindings(py)) {
        const literal = py.text.slice(f.at.start, f.at.end);
        const lookup = f.isNumber ? `int(os.environ.get(${pyString(f.envName, q)}, ${pyString(literal, q)}))` : `os.environ.get(${pyString(f.envName, q)}, ${literal})`;
        const fix: Fix = { title: `Read ${f.envName} from the environment`, applicability: 'safe', edits: [...importOs, replace(f.at, lookup)], envVars: [{ name: f.envName, description: `${f.where}: where the service lives (default ${f.value}).` }] };
        ctx.report({ messageId: f.isNumber ? 'hardcodedPort' : 'hardcoded', data: { where: f.where, value: f.value, env: f.envName }, at: f.at, fix });
      }
    },
    script(ctx) {
      const { js } = ctx;
      for (const f of jsFindings(js)) {
        const literal = js.text.slice(f.at.start, f.at.end);
        const lookup = f.isNumber ? `(Number(process.env.${f.envName}) || ${literal})` : `(process.env.${f.envName} ?? ${literal})`;
        const fix: Fix = { title: `Read ${f.envName} from the environment`, applicability: 'safe', edits: [replace(f.at, lookup)], envVars: [{ name: f.envName, description: `${f.where}: where the service lives (default ${f.value}).` }] };
        ctx.report({ messageId: f.isNumber ? 'hardcodedPort' : 'hardcoded', data: { where: f.where, value: f.value, env: f.envName }, at: f.at, fix });
      }
    },
    project(ctx) {
      const { project } = ctx;
      for (const app of backendApps(project)) {
        const roots = new Set([app.root, '']);
        const documented = [...roots].some((r) => ENV_EXAMPLE_FILES.some((f) => project.fileSet.has(r ? `${r}/${f}` : f)));
        if (documented) continue;
        const { names, first } = envVarsRead(project, app);
        if (!first) {
          const fixed = fixedPythonSettings(project, app);
          if (fixed.length) {
            const keys = [...new Set(fixed.map((f) => f.item.key))];
            const at = fixed[0]!;
            ctx.report({ messageId: 'noEnv', data: { keys: keys.slice(0, 4).join(', ') + (keys.length > 4 ? ', ...' : '') }, file: at.file, at: at.item.keyRange ?? at.item.range });
          }
          continue;
        }
        if (names.length === 0) continue;
        const entry = anchorFile(app);
        const anchor = entry && project.fileSet.has(entry) ? entry : first.file;
        const exampleText = `${ENV_EXAMPLE_HEADER}\n${names.map((n) => `${n}=`).join('\n')}\n`;
        ctx.report({
          messageId: 'noExample',
          data: { count: names.length, s: names.length === 1 ? '' : 's', sample: names.slice(0, 4).join(', ') + (names.length > 4 ? ', ...' : '') },
          file: anchor,
          fix: { title: 'Write .env.example listing the variables the code reads', applicability: 'safe', edits: [], newFiles: [{ path: posix.join(app.root, '.env.example'), text: exampleText }] },
        });
      }
    },
  },
});

