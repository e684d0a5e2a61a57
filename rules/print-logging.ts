import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS } from '../src/engine/types.js';
import type { PyModule } from '../src/parsers/python.js';
import { ts, type ScriptModule } from '../src/parsers/script.js';
import { insideFunction } from './_shared/js.js';
import { perFile, pyFileTest } from './_shared/project.js';
import { pythonRoutes, scriptRoutes } from './_shared/routes.js';
import { isToolingPath } from './_shared/storage.js';
import { jsHasEscape, pyMayRouteUnnamed } from './_shared/triggers.js';

const PY_WEB = ['flask', 'fastapi', 'django', 'starlette', 'quart', 'sanic', 'aiohttp'];
/** Any PY_WEB name in the text: what importsModule needs (module names are written in import statements). */
const PY_WEB_WORD = new RegExp(PY_WEB.join('|'));
const JS_SERVER = ['express', 'koa', 'fastify', '@nestjs/common', '@nestjs/core', 'next/server', 'hapi', '@hapi/hapi'];
const PY_LOG_SETUP = /^(logging\.basicConfig|logging\.config\.dictConfig|logging\.config\.fileConfig|structlog\.configure|loguru\.logger\.(add|configure))$/;

export default defineRule({
  meta: {
    id: 'print-logging',
    title: 'print() / console.log instead of logging',
    category: 'operations',
    severity: 'low',
    confidence: 'medium',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-778'],
    // A report needs a call whose callee is the identifier `print` (Python: no escapes in names;
    // whitespace, comments or parentheses may sit before the `(`) or the dotted name console.log/
    // info/debug (`console .log`, `console['log']`, `(console).log` too; TypeScript decodes \u
    // escapes in names and strings, hence JS_ESCAPE). Logging configuration is the project check,
    // which triggers do not gate, so `import logging` alone no longer gets a file parsed.
    // Python reports only in server code (isPyServerCode): a PY_WEB module is imported, so its
    // name is in the text (PY_WEB_WORD, a substring test: a superset of the words), or
    // pythonRoutes finds a route: through a module PY_WEB_WORD names, or as pyMayRouteUnnamed allows.
    triggers: [(text, _o, kind) => (kind === 'python' ? /\bprint\b/.test(text) && (PY_WEB_WORD.test(text) || pyMayRouteUnnamed(text)) : /\bconsole\b/.test(text) || jsHasEscape(text))],
    messages: {
      print: '{count} print() call{s} in server code (the first is here): no level, no timestamp, no request context.',
      consoleLog: '{count} console.{method}() call{s} in server code (the first is here): no level, no structure, and synchronous writes block the event loop on a pipe.',
      noLoggingConfig: 'The Python app never configures logging (no logging.basicConfig/dictConfig, Django LOGGING, structlog or loguru setup).',
    },
    docs: {
      why:
        'print() and console.log write unstructured lines with no level, timestamp or request id, so production logs cannot be filtered, alerted on or correlated; prints are buffered and may never appear when the process dies, and a Python app that never configures logging drops INFO messages entirely (the root logger defaults to WARNING).',
      fix:
        'Use the logging module (`logger = logging.getLogger(__name__)`, configured once with dictConfig or Django LOGGING, JSON output in production) or a structured Node logger (pino, winston; Nest\'s Logger). Keep print() for CLI scripts.',
      whenNotTo: 'Command-line scripts, management commands and migrations are not reported.',
      references: ['https://docs.python.org/3/howto/logging.html', 'https://docs.djangoproject.com/en/stable/topics/logging/', 'https://getpino.io/', 'https://12factor.net/logs'],
      examples: [{ file: 'app.py', bad: 'print(f"user {uid} logged in")', good: 'logger.info("user logged in", extra={"user_id": uid})' }],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      if (isToolingPath(ctx.path) || !isPyServerCode(py, ctx.path)) return;
      const prints = py.calls.filter((c) => c.callee === 'print' && c.scope.functions.length > 0 && !c.keyword('file'));
      if (prints.length === 0) return;
      ctx.report({ messageId: 'print', data: { count: prints.length, s: prints.length === 1 ? '' : 's' }, at: prints[0]!.range });
    },
    script(ctx) {
      const { js } = ctx;
      if (isToolingPath(ctx.path) || !isJsServerCode(js, ctx.path)) return;
      const logs = js.calls().filter((c) => /^console\.(log|info|debug)$/.test(c.callee) && insideFunction(c.node) && !inStartupCallback(c.node));
      if (logs.length === 0) return;
      const method = logs[0]!.callee.split('.')[1]!;
      ctx.report({ messageId: 'consoleLog', data: { count: logs.length, method, s: logs.length === 1 ? '' : 's' }, at: logs[0]!.range });
    },
    project(ctx) {
      const { project } = ctx;
      for (const app of project.apps) {
        if (!app.frameworks.has('flask') && !app.frameworks.has('fastapi') && !app.frameworks.has('django')) continue;
        const prefix = app.root ? `${app.root}/` : '';
        let configured = false;
        for (const f of project.files) {
          if (!f.startsWith(prefix) || !f.endsWith('.py') || project.contextOf(f) !== 'production') continue;
          if (perFile(LOG_SETUP_IN, project, f)) {
            configured = true;
            break;
          }
        }
        // gunicorn --log-config / logging config files count as configuration too.
        if (!configured) configured = project.files.some((f) => f.startsWith(prefix) && /(^|\/)(logging|log)\.(conf|ini|ya?ml|json)$/.test(f));
        if (configured) continue;
        const entry = app.entryPoints.find((e) => e.endsWith('.py')) ?? app.manifests[0];
        if (entry) ctx.report({ messageId: 'noLoggingConfig', file: entry, severity: 'low' });
      }
    },
  },
});

/**
 * A module that configures logging (cached per file). Cheap pre-filter before parsing: the setup
 * calls of PY_LOG_SETUP name basicConfig, dictConfig, fileConfig, structlog or loguru in the text
 * (aliases too); a settings module assigns LOGGING.
 */
const LOG_SETUP_IN = pyFileTest('print-logging.logSetupIn', /basicConfig|dictConfig|fileConfig|structlog|loguru|\bLOGGING\b/, (py) =>
  py.calls.some((c) => PY_LOG_SETUP.test(c.qualified)) || py.assignments.some((a) => a.topLevel && a.target === 'LOGGING'),
);

/** `app.listen(port, () => console.log('listening'))`: a one-time start-up line, not request logging. */
function inStartupCallback(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isCallExpression(p) && ts.isPropertyAccessExpression(p.expression) && /^(listen|once)$/.test(p.expression.name.text)) return true;
    if (ts.isFunctionDeclaration(p)) return false;
  }
  return false;
}

function isPyServerCode(py: PyModule, path: string): boolean {
  return PY_WEB.some((m) => py.importsModule(m)) || pythonRoutes(py, path).length > 0;
}

function isJsServerCode(js: ScriptModule, path: string): boolean {
  if (/\.(jsx|tsx)$/.test(path) && !/(^|\/)(pages\/api|app\/.*\/route)\b/.test(path)) return false;
  return JS_SERVER.some((m) => js.importsModule(m)) || scriptRoutes(js, path).length > 0;
}

