import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS, type TextRange } from '../src/engine/types.js';
import { dotted, ts, walk } from '../src/parsers/script.js';
import { anchorFile, appSources, backendApps, dependsOn, perFile, pyFileMemo, scriptFileMemo } from './_shared/project.js';
import { callsIn, pythonRoutes, scriptRoutes, type JsRoute, type PyRoute } from './_shared/routes.js';

const HEALTH_NAMES = 'health|healthz|healthcheck|health-check|health_check|ready|readyz|readiness|live|livez|liveness|ping|status|_health|heartbeat';
/** Handler names that make a route with no literal path a health route. */
const HEALTH_HANDLERS = 'health|healthz|healthcheck|readiness|liveness';
const HEALTH_HANDLER = new RegExp(`^(${HEALTH_HANDLERS})$`, 'i');
const HEALTH_PATH = new RegExp(`(^|\\/)(${HEALTH_NAMES})\\/?$`, 'i');
const HEALTH_PACKAGES = /^(django-health-check|@nestjs\/terminus|flask-healthz|healthcheck|py-healthcheck|fastapi-health|express-healthcheck|@godaddy\/terminus|lightship)$/i;
const DB_PACKAGES = /^(sqlalchemy|flask-sqlalchemy|psycopg2?(-binary)?|psycopg|asyncpg|pymysql|mysqlclient|pymongo|motor|mongoengine|redis|django|tortoise-orm|peewee|sqlmodel|pg|mysql2?|mongoose|mongodb|@prisma\/client|prisma|sequelize|typeorm|knex|ioredis|@mikro-orm\/core|drizzle-orm)$/i;
/** Calls that touch a database or cache from a health handler. */
const DB_CALL = /(execute|executescript|cursor|connect|ping|scalar|raw|query|queryRaw|\$queryRaw|authenticate|command|isInitialized|readyState|healthCheck|check|count|first|exists|get_connection|ensure_connection)$/i;
const ROUTE_HINT_PY = /route|\.get\(|\.api_route|path\(|re_path\(|url\(|add_url_rule/;
const ROUTE_HINT_JS = /\.(get|all|use|route|head)\(|@Get|@Controller|export\s+(async\s+)?function\s+(GET|HEAD)|export\s+default/;
/**
 * A health route's path is a literal matching HEALTH_PATH, so one of its words ends a string
 * (`"/healthz"`, `'status/'`); with no literal path, the handler is named health, healthz,
 * healthcheck, readiness or liveness.
 * Next.js routes take the path from the file's own path instead.
 */
const HEALTH_WORD = new RegExp(String.raw`(?:${HEALTH_NAMES})\/?['"\x60]|\b(?:${HEALTH_HANDLERS})\b`, 'i');
/**
 * Python routes are decorators, add_url_rule calls or Django url calls (pythonRoutes), so the
 * health word ends the path literal right after `@....(`, `add_url_rule(`, `path(` / `re_path(` /
 * `url(`, or after `rule=` / `path=` / `route=`. A module naming `urls` may call Django's under an
 * alias: there any health word counts.
 */
const PY_HEALTH_END = String.raw`(?:${HEALTH_NAMES})\/?['"]`;
const HEALTH_ROUTE_PY = new RegExp(
  String.raw`(?:@[^\n(]*\(\s*|\b(?:add_url_rule|path|re_path|url)\s*\(\s*|\b(?:rule|path|route)\s*=\s*)[rbuRBU]*['"][^'"\n]*` + PY_HEALTH_END + String.raw`|\b(?:${HEALTH_HANDLERS})\b`,
  'i',
);
const healthRoutePy = (text: string): boolean => HEALTH_ROUTE_PY.test(text) || (/\burls\b/.test(text) && HEALTH_WORD.test(text));

export default defineRule({
  meta: {
    id: 'health-endpoint-missing',
    title: 'No health-check endpoint',
    category: 'operations',
    severity: 'medium',
    confidence: 'medium',
    frameworks: BACKEND_FRAMEWORKS,
    mootWhen: ['platformHealthChecks'],
    fixable: 'none',
    effort: 'minutes',
    messages: {
      missing: 'App "{app}" has no health-check endpoint (looked for routes named /health, /healthz, /ready, /livez, /ping, /status, and django-health-check, @nestjs/terminus, lightship).',
      shallow: 'Health endpoint {path} answers without checking the database: it stays green while the app cannot serve a request.',
    },
    docs: {
      why:
        'Load balancers, Kubernetes and container platforms decide whether to send traffic to an instance, and whether to restart it, by probing a health endpoint. Without one they probe a real page (slow, with side effects) or nothing at all, so a hung or half-started instance keeps receiving requests. A health check that never touches the database reports healthy while every real request fails.',
      fix:
        'Add a cheap GET route (`/health` for liveness, `/ready` for readiness) that runs `SELECT 1` (or pings the cache) with a short timeout and returns 200 or 503: `@app.get("/health")` in Flask/FastAPI, django-health-check, `app.get("/health", ...)` in Express, @nestjs/terminus in Nest. Point the platform\'s probe and the Dockerfile HEALTHCHECK at it.',
      whenNotTo: 'When the platform probes another way, set `context.platformHealthChecks` in .prodaudit.yml with the reason.',
      references: ['https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/', 'https://docs.nestjs.com/recipes/terminus', 'https://github.com/revsys/django-health-check'],
    },
  },
  check: {
    project(ctx) {
      const { project } = ctx;
      for (const app of backendApps(project)) {
        if (dependsOn(app, HEALTH_PACKAGES)) continue;
        const usesDb = !!dependsOn(app, DB_PACKAGES);
        let found = false;
        for (const f of appSources(project, app)) {
          const routes = perFile(f.endsWith('.py') ? PY_HEALTH_IN : JS_HEALTH_IN, project, f);
          for (const r of routes ?? []) {
            found = true;
            if (usesDb && r.checksNothing) ctx.report({ messageId: 'shallow', data: { path: r.label }, file: f, at: r.at, severity: 'low' });
          }
        }
        if (!found && app.frameworks.has('nextjs') && project.files.some((f) => /(^|\/)(pages\/api|app\/api)\/(health|healthz|status|ping)(\/route)?\.[jt]s$/.test(f))) found = true;
        if (found) continue;
        const file = anchorFile(app);
        if (file) ctx.report({ messageId: 'missing', data: { app: app.name }, file });
      }
    },
  },
});

/** A health route of one module: where, its path (or handler name), and whether its handler touches no database. */
interface HealthRoute { readonly at: TextRange; readonly label: string; readonly checksNothing: boolean }

const label = (r: PyRoute | JsRoute) => r.path ?? r.handlerName ?? 'route';

/** One Python module's health routes (cached per file). */
const PY_HEALTH_IN = pyFileMemo('health-endpoint-missing.pyHealthIn', (text) => ROUTE_HINT_PY.test(text) && healthRoutePy(text), (py, f): HealthRoute[] =>
  pythonRoutes(py, f)
    .filter(isHealth)
    .map((r) => ({
      at: r.at,
      label: label(r),
      checksNothing: r.handler !== undefined && !callsIn(py, r.handler).some((c) => DB_CALL.test(c.callee.split('.').at(-1) ?? '') || /SELECT\s+1/i.test(c.args.map((a) => a.value.text).join(' '))),
    })),
);

/** One JS/TS module's health routes (cached per file); Next.js takes the word from the file's path. */
const JS_HEALTH_IN = scriptFileMemo('health-endpoint-missing.jsHealthIn', (text, f) => ROUTE_HINT_JS.test(text) && (HEALTH_WORD.test(text) || HEALTH_WORD.test(f)), (js, f): HealthRoute[] =>
  scriptRoutes(js, f)
    .filter(isHealth)
    .map((r) => ({ at: r.at, label: label(r), checksNothing: r.handler !== undefined && !jsHandlerTouchesDb(r) })),
);

/** A path parameter (`<int:id>`, `:id`, `{id}`, `[id]`): a probe URL has none, so `/leads/<id>/status` is a resource. */
const PATH_PARAM = /<[^>]*>|(^|\/):\w+|\{[^}]*\}|\[[^\]]*\]/;

function isHealth(r: PyRoute | JsRoute): boolean {
  // Probes are GET (or HEAD) requests to a fixed URL; a POST-only route or one with a path parameter is not one.
  if (r.path !== undefined && PATH_PARAM.test(r.path)) return false;
  if (!r.methods.some((m) => m === 'GET' || m === 'HEAD' || m === 'ANY')) return false;
  return (r.path !== undefined && HEALTH_PATH.test(r.path)) || (r.path === undefined && HEALTH_HANDLER.test(r.handlerName?.split('.').at(-1) ?? ''));
}

function jsHandlerTouchesDb(r: JsRoute): boolean {
  let touches = false;
  walk(r.handler!, (n) => {
    if (touches) return false;
    if (ts.isCallExpression(n) && DB_CALL.test(dotted(n.expression).split('.').at(-1) ?? '')) touches = true;
    if (ts.isPropertyAccessExpression(n) && /^(readyState|isInitialized)$/.test(n.name.text)) touches = true;
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && /SELECT\s+1/i.test(n.text)) touches = true;
    return undefined;
  });
  return touches;
}
