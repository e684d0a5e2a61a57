import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS, type TextRange } from '../src/engine/types.js';
import type { PyExpr } from '../src/parsers/python.js';
import { prismaBlocks } from '../src/parsers/prisma.js';
import { literalValue, objectProps, ts } from '../src/parsers/script.js';
import { composeEnv, dockerEnv, kubernetesEnv } from './_shared/config-files.js';
import { envWithFallback } from './_shared/js.js';
import { configItems, envLookup, inDevOnlyClass, isSettingsModule, leadingText, overriddenInProductionSubclasses, resolvePyName } from './_shared/python.js';

const SQLITE_URL = /^sqlite(\+\w+)?:/i;
const URL_KEYS = /^(SQLALCHEMY_DATABASE_UR[IL]|DATABASE_UR[IL]|DB_UR[IL]|DATABASE_URI)$/;

export default defineRule({
  meta: {
    id: 'sqlite-in-production',
    title: 'SQLite as the production database',
    category: 'data',
    severity: 'high',
    confidence: 'high',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'none',
    effort: 'days',
    cwe: ['CWE-1188'],
    triggers: ['sqlite', 'SQLITE'],
    messages: {
      url: '{key} points at SQLite ({value}).',
      fallback: '{key} falls back to SQLite ({value}) when {name} is unset.',
      djangoEngine: 'Django DATABASES uses the SQLite backend.',
      connect: '{callee} opens a local SQLite file ({value}) as the application database.',
      dialect: 'The ORM is configured with the SQLite dialect.',
      prisma: 'Prisma datasource uses provider "sqlite".',
      envUrl: '{key} points at SQLite in {file}.',
    },
    docs: {
      why:
        'SQLite keeps the data in one file on the container or VM disk: it disappears when the container is replaced, cannot be shared by several workers or instances, and serialises every write behind one lock, so concurrent requests fail with "database is locked". There is no point-in-time recovery, replication or managed backup.',
      fix:
        'Use a server database (PostgreSQL, MySQL) in production and read its URL from the environment without a SQLite fallback: `SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]`. Keep SQLite for tests and local development only (a TestingConfig or settings/dev.py), where prodaudit does not report it.',
      references: ['https://www.sqlite.org/whentouse.html', 'https://docs.djangoproject.com/en/stable/ref/databases/#sqlite-notes', 'https://12factor.net/backing-services'],
      examples: [{ file: 'config.py', bad: "SQLALCHEMY_DATABASE_URI = 'sqlite:///app.db'", good: "SQLALCHEMY_DATABASE_URI = os.environ['DATABASE_URL']" }],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      const settings = isSettingsModule(ctx.path);
      for (const item of configItems(py)) {
        if (inDevOnlyClass(item)) continue;
        if (item.className && overriddenInProductionSubclasses(py, item.className, item.key)) continue;
        if (URL_KEYS.test(item.key)) {
          if (item.shape === 'module' && !settings && !py.importsModule('flask')) continue;
          reportUrl(item.key, item.value, item.range);
        }
        if (item.key === 'DATABASES' && item.value.kind === 'dict') {
          const def = item.value.entries.find((e) => e.key?.kind === 'str' && e.key.value === 'default');
          if (def?.value.kind === 'dict') {
            const engine = def.value.entries.find((e) => e.key?.kind === 'str' && e.key.value === 'ENGINE');
            if (engine?.value.kind === 'str' && /sqlite3$/.test(engine.value.value)) ctx.report({ messageId: 'djangoEngine', at: engine.value.range });
          }
        }
      }
      for (const call of py.calls) {
        // create_engine('sqlite:///app.db'), sqlite3.connect('app.db'), dj_database_url.config(default='sqlite:///...')
        if (/(^|\.)create_engine$|^sqlalchemy\.create_engine$/.test(call.qualified)) {
          const arg = call.positional[0];
          if (arg) reportUrl('create_engine URL', arg, arg.range);
        } else if (call.qualified === 'sqlite3.connect') {
          // The path as written or bound to a name (DATABASE = 'app.db'; DB_PATH = os.getenv('DB_PATH', 'data/app.db')).
          const arg = resolvePyName(py, call.positional[0] ?? call.keyword('database'), call.scope.functions);
          const look = envLookup(arg, py);
          const file = arg?.kind === 'str' ? arg : arg?.kind === 'call' && /(^|\.)path\.join$/.test(arg.call.qualified) ? arg.call.positional.at(-1) : look?.fallback;
          if (file?.kind === 'str' && file.value !== ':memory:' && file.value !== '') ctx.report({ messageId: 'connect', data: { callee: call.callee, value: file.value }, at: call.range });
        } else if (/^dj_database_url\.(config|parse)$/.test(call.qualified)) {
          const d = call.keyword('default') ?? (call.qualified.endsWith('parse') ? call.positional[0] : undefined);
          if (d?.kind === 'str' && SQLITE_URL.test(d.value)) ctx.report({ messageId: 'fallback', data: { key: 'DATABASES', value: d.value, name: 'DATABASE_URL' }, at: d.range, severity: 'medium' });
        }
      }

      // A literal URL or one built from a literal prefix: 'sqlite:///' + os.path.join(BASE_DIR, 'app.db').
      function reportUrl(key: string, value: PyExpr, at: TextRange): void {
        const url = leadingText(value);
        if (url !== undefined && SQLITE_URL.test(url)) {
          if (/:memory:/.test(url) || (value.kind === 'str' && /^sqlite:\/\/$/.test(url))) return;
          ctx.report({ messageId: 'url', data: { key, value: value.kind === 'str' ? value.value : value.text }, at });
          return;
        }
        const look = envLookup(value, py);
        const fallback = look?.fallback ? leadingText(look.fallback) : undefined;
        if (look?.fallback && fallback !== undefined && SQLITE_URL.test(fallback)) {
          ctx.report({ messageId: 'fallback', data: { key, value: look.fallback.kind === 'str' ? fallback : look.fallback.text, name: look.name ?? 'the variable' }, at: look.fallback.range, severity: 'medium' });
        }
      }
    },
    script(ctx) {
      const { js } = ctx;
      for (const call of js.calls()) {
        const q = call.qualified;
        // new Sequelize({ dialect: 'sqlite' }) / new Sequelize('sqlite:...'), new DataSource({ type: 'sqlite' }), TypeOrmModule.forRoot({ type: 'sqlite' })
        const first = call.args[0];
        if (/^sequelize(\.Sequelize)?$|(^|\.)Sequelize$/.test(q) && call.isNew) {
          const url = literalValue(first);
          if (typeof url === 'string' && SQLITE_URL.test(url)) ctx.report({ messageId: 'url', data: { key: 'Sequelize URL', value: url }, at: js.range(first!) });
          for (const a of call.args) reportDialect(a, 'dialect');
        } else if (/(^|\.)(DataSource|createConnection)$|TypeOrmModule\.forRoot$|^typeorm\.DataSource$/.test(q)) {
          if (first) reportDialect(first, 'type');
        } else if (/^(sqlite3\.Database|sqlite3\.verbose\(\)\.Database|better-sqlite3)$/.test(q) || (call.isNew && /(^|\.)Database$/.test(call.callee) && (js.importsModule('sqlite3') || js.importsModule('better-sqlite3')))) {
          const v = literalValue(first);
          if (typeof v === 'string' && v !== ':memory:') ctx.report({ messageId: 'connect', data: { callee: call.callee || 'Database', value: v }, at: call.range });
        } else if (/^knex$/.test(q) && first) {
          reportDialect(first, 'client');
        }
      }

      function reportDialect(node: ts.Expression, key: string): void {
        const props = objectProps(node);
        const d = props.get(key);
        const v = d ? literalValue(d.value) : undefined;
        if (typeof v === 'string' && /^(sqlite|sqlite3|better-sqlite3)$/.test(v)) {
          ctx.report({ messageId: 'dialect', at: js.range(d!.value) });
          return;
        }
        const url = props.get('url') ?? props.get('database');
        if (url) {
          const fb = envWithFallback(url.value);
          const lit = fb?.fallback ? literalValue(fb.fallback) : undefined;
          if (typeof lit === 'string' && SQLITE_URL.test(lit)) ctx.report({ messageId: 'fallback', data: { key, value: lit, name: fb?.name ?? 'the variable' }, at: js.range(fb!.fallback!), severity: 'medium' });
        }
      }
    },
    text(ctx) {
      if (!ctx.path.endsWith('.prisma')) return;
      for (const block of prismaBlocks(ctx.text)) {
        if (block.kind !== 'datasource') continue;
        const provider = block.fields.get('provider');
        if (provider && /^"sqlite"$/.test(provider.value)) ctx.report({ messageId: 'prisma', at: provider.range });
      }
    },
    env(ctx) {
      for (const e of ctx.entries) {
        if (URL_KEYS.test(e.key) && SQLITE_URL.test(e.value) && !/:memory:/.test(e.value)) ctx.report({ messageId: 'envUrl', data: { key: e.key, file: ctx.path }, at: e.valueRange });
      }
    },
    yaml(ctx) {
      for (const v of ctx.docs.flatMap((d) => [...composeEnv(d), ...kubernetesEnv(d)])) {
        if (URL_KEYS.test(v.key) && SQLITE_URL.test(v.value)) ctx.report({ messageId: 'envUrl', data: { key: v.key, file: ctx.path }, at: v.valueRange });
      }
    },
    dockerfile(ctx) {
      for (const v of dockerEnv(ctx.instructions, ctx.text)) {
        if (v.final && URL_KEYS.test(v.key) && SQLITE_URL.test(v.value)) ctx.report({ messageId: 'envUrl', data: { key: v.key, file: ctx.path }, at: v.valueRange });
      }
    },
  },
});
