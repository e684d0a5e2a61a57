import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS } from '../src/engine/types.js';
import type { PyExpr, PyModule } from '../src/parsers/python.js';
import type { ProjectFacts } from '../src/engine/facts.js';
import { dotted } from '../src/parsers/script.js';
import { insideFunction } from './_shared/js.js';
import { appendKeywordArg, configItems, envLookup, inDevOnlyClass, isSettingsModule, leadingText, resolvePyName } from './_shared/python.js';

const SERVER_DB = /^(postgres(ql)?|mysql|mariadb|mssql|oracle)(\+\w+)?:/i;

export default defineRule({
  meta: {
    id: 'db-pool-missing',
    title: 'Database connections without pool health checks',
    category: 'data',
    severity: 'medium',
    confidence: 'medium',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'sometimes',
    effort: 'minutes',
    triggers: ['create_engine', 'SQLALCHEMY_DATABASE_UR', 'DATABASES', 'createConnection', 'Client('],
    messages: {
      engine: 'create_engine() for a server database has no pool_pre_ping: connections dropped by the database or a proxy fail the next request.',
      flaskSqlalchemy: 'Flask-SQLAlchemy connects to a server database without SQLALCHEMY_ENGINE_OPTIONS {"pool_pre_ping": True}.',
      djangoConn: 'Django opens a new database connection for every request (CONN_MAX_AGE is not set).',
      singleConnection: '{callee}() opens one shared connection for the whole server: no pool, no reconnect.',
    },
    docs: {
      why:
        'Databases, PgBouncer and cloud load balancers close idle connections. Without a pre-ping (or a pool that validates connections), the first request after a quiet period gets "server closed the connection unexpectedly" / "MySQL server has gone away". A single shared connection serialises every query and dies with the first network blip; a connection per request (Django\'s default CONN_MAX_AGE=0) adds a TCP and TLS handshake to every request.',
      fix:
        'SQLAlchemy: `create_engine(url, pool_pre_ping=True, pool_recycle=1800)` or `SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}`. Django: `CONN_MAX_AGE = 60` and `CONN_HEALTH_CHECKS = True`. Node: `mysql.createPool(...)` / `new pg.Pool(...)` instead of one client. The pre-ping fix is safe: it only adds a cheap check on checkout.',
      references: ['https://docs.sqlalchemy.org/en/20/core/pooling.html#disconnect-handling-pessimistic', 'https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections', 'https://node-postgres.com/features/pooling'],
      examples: [{ file: 'db.py', bad: 'engine = create_engine(os.environ["DATABASE_URL"])', good: 'engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)' }],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      for (const call of py.calls) {
        if (!/(^|\.)create_engine$/.test(call.qualified) || !/^sqlalchemy/.test(call.qualified) && call.callee !== 'create_engine') continue;
        const url = resolvePyName(py, call.positional[0] ?? call.keyword('url'), call.scope.functions);
        if (!isServerDb(url, py)) continue;
        if (call.keyword('pool_pre_ping') || call.args.some((a) => a.name === '**')) continue;
        if (call.keyword('poolclass')) continue; // NullPool & co: a deliberate choice
        ctx.report({
          messageId: 'engine',
          at: call.range,
          fix: { title: 'Add pool_pre_ping=True', applicability: 'safe', edits: [appendKeywordArg(call, 'pool_pre_ping=True')] },
        });
      }
      const items = configItems(py).filter((i) => !inDevOnlyClass(i));
      const uri = items.find((i) => i.key === 'SQLALCHEMY_DATABASE_URI' && isServerDb(i.value, py));
      if (uri && (py.importsModule('flask') || py.importsModule('flask_sqlalchemy') || isSettingsModule(ctx.path))) {
        const hasOptions = projectSetsEngineOptions(ctx.project);
        if (!hasOptions) ctx.report({ messageId: 'flaskSqlalchemy', at: uri.range });
      }
      const databases = items.find((i) => i.key === 'DATABASES' && i.value.kind === 'dict');
      if (databases && databases.value.kind === 'dict' && isSettingsModule(ctx.path)) {
        const def = databases.value.entries.find((e) => e.key?.kind === 'str' && e.key.value === 'default')?.value;
        if (def?.kind === 'dict') {
          const keys = new Set(def.entries.map((e) => (e.key?.kind === 'str' ? e.key.value : '')));
          const engine = def.entries.find((e) => e.key?.kind === 'str' && e.key.value === 'ENGINE')?.value;
          const server = engine?.kind === 'str' ? /(postgresql|mysql|oracle)/.test(engine.value) : false;
          if (server && !keys.has('CONN_MAX_AGE') && !items.some((i) => i.key === 'CONN_MAX_AGE')) ctx.report({ messageId: 'djangoConn', at: engine?.range ?? databases.range, severity: 'low' });
        } else if (def?.kind === 'call' && /dj_database_url\.(config|parse)$/.test(def.call.qualified) && !def.call.keyword('conn_max_age')) {
          ctx.report({ messageId: 'djangoConn', at: def.range, severity: 'low' });
        }
      }
    },
    script(ctx) {
      const { js } = ctx;
      if (!js.importsModule('mysql') && !js.importsModule('mysql2') && !js.importsModule('pg') && !js.importsModule('mysql2/promise')) return;
      for (const call of js.calls()) {
        const single = /^(mysql|mysql2|mysql2\/promise)\.createConnection$/.test(call.qualified) || (call.isNew && /^pg(\.default)?\.Client$/.test(call.qualified));
        if (!single) continue;
        // Only a connection created once for the whole module (module level), not per request/job.
        if (insideFunction(call.node)) continue;
        ctx.report({ messageId: 'singleConnection', data: { callee: call.isNew ? `new ${dotted(call.node.expression)}` : call.callee }, at: call.range });
      }
    },
  },
});

function isServerDb(e: PyExpr | undefined, py: PyModule): boolean {
  if (!e) return false;
  if (e.kind === 'str') return SERVER_DB.test(e.value);
  if (e.kind === 'fstring') return SERVER_DB.test(e.literal);
  const look = envLookup(e, py);
  if (look) {
    // An env-provided URL is a server database unless the fallback says otherwise.
    const fallback = look.fallback ? leadingText(look.fallback) : undefined;
    if (fallback !== undefined) return SERVER_DB.test(fallback);
    return /DATABASE|POSTGRES|MYSQL|DB_URL|SQLALCHEMY/i.test(look.name ?? '');
  }
  return false;
}

/** SQLALCHEMY_ENGINE_OPTIONS with pool_pre_ping anywhere in the project's Python config. */
function projectSetsEngineOptions(project: ProjectFacts): boolean {
  for (const f of project.files) {
    if (!f.endsWith('.py')) continue;
    const text = project.readText(f);
    if (!text || !/SQLALCHEMY_ENGINE_OPTIONS|engine_options/.test(text)) continue; // cheap pre-filter before parsing
    const py = project.python(f);
    if (!py) continue;
    if (configItems(py).some((i) => i.key === 'SQLALCHEMY_ENGINE_OPTIONS' && i.value.kind === 'dict' && i.value.entries.some((e) => e.key?.kind === 'str' && e.key.value === 'pool_pre_ping'))) return true;
    if (py.calls.some((c) => /SQLAlchemy$/.test(c.qualified) && c.keyword('engine_options')?.text.includes('pool_pre_ping'))) return true;
  }
  return false;
}
