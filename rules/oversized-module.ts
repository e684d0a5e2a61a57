import { z } from 'zod';
import { defineRule } from '../src/engine/rule.js';
import type { TextRange } from '../src/engine/types.js';
import { isBackendApp } from './_shared/project.js';
import { pythonRoutes, scriptRoutes } from './_shared/routes.js';
import { linesExceed, matchesExceed, pyMayRouteUnnamed } from './_shared/triggers.js';

/** Defaults: a module past 1,000 lines, or one holding more than 30 route handlers, is worth splitting. */
export const MAX_LINES = 1000;
export const MAX_ROUTES = 30;

/** Server-side modules: those importing a web framework, an ORM or a server runtime API. */
const PY_SERVER = /^(flask|django|fastapi|starlette|quart|sqlalchemy|flask_sqlalchemy|sqlmodel|celery|werkzeug|aiohttp|tornado|sanic|pydantic|peewee|tortoise|mongoengine|pymongo|psycopg2?|redis)(\.|$)/;
/** A PY_SERVER module name anywhere in the text (module names are written in import statements). */
const PY_SERVER_WORD = /flask|django|fastapi|starlette|quart|sqlalchemy|sqlmodel|celery|werkzeug|aiohttp|tornado|sanic|pydantic|peewee|tortoise|mongoengine|pymongo|psycopg|redis/;
const JS_SERVER = /^(express|fastify|koa|@koa\/|@nestjs\/|next\/server|@hapi\/|hapi|sequelize|typeorm|@prisma\/client|mongoose|pg|mysql2?|knex|ioredis|redis|socket\.io|node:http|http|node:fs|fs|nodemailer)(\/|$)/;
/** Generated code nobody splits by hand: migrations, generated clients. */
const GENERATED = /(^|\/)(migrations|alembic\/versions|versions|generated|__generated__|\.next|prisma\/client)\//;

const PY_ROUTE_SITE = /@|\b(?:add_url_rule|path|re_path|url)\s*\(/g;
const JS_ROUTE_SITE = /@|\.\s*(?:get|post|put|patch|delete|head|options|all|route)\s*\(/g;

function lineCount(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

/** The first line of the file (the finding is about the whole module). */
function firstLine(text: string): TextRange {
  const head = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const nl = text.indexOf('\n', head);
  return { start: head, end: nl === -1 ? text.length : nl };
}

const fmt = (n: number) => n.toLocaleString('en-US');

export default defineRule({
  meta: {
    id: 'oversized-module',
    title: 'Oversized server module',
    category: 'performance',
    severity: 'info',
    confidence: 'high',
    fixable: 'none',
    effort: 'days',
    // A report needs more than maxLines lines, or more than maxRoutes route registrations, each of
    // which is a decorator (`@`) or a call: Python add_url_rule / Django path, re_path, url (a file
    // naming `urls` may reach them under an alias: always checked); JS `.get(` ... `.route(`, or a
    // Next.js route file (at most seven exported handlers).
    // A long Python module is reported only as a server module: its app is a backend by its
    // manifests (app.frameworks before the pass; the file's own flask/django/fastapi imports are
    // PY_SERVER modules), a PY_SERVER module is imported (its name is in the text: PY_SERVER_WORD),
    // or pythonRoutes finds a route (through a module PY_SERVER_WORD names, or pyMayRouteUnnamed).
    triggers: [
      (text, options, kind, app) => {
        const { maxLines, maxRoutes } = options as { maxLines: number; maxRoutes: number };
        if (linesExceed(text, maxLines)) return kind !== 'python' || isBackendApp(app) || PY_SERVER_WORD.test(text) || pyMayRouteUnnamed(text);
        if (kind === 'python') return /\burls\b/.test(text) || matchesExceed(text, PY_ROUTE_SITE, maxRoutes);
        return maxRoutes < 7 || matchesExceed(text, JS_ROUTE_SITE, maxRoutes);
      },
    ],
    messages: {
      lines: 'This module has {lines} lines (more than {maxLines}){routesNote}.',
      routes: 'This module registers {routes} route handlers (more than {maxRoutes}) in {lines} lines.',
    },
    docs: {
      why:
        'A server module of thousands of lines, or one file that registers every route of the app, is where merge conflicts, circular imports and untested corners collect: every change touches it, reviews of it are skimmed, and one syntax or import error in it takes every endpoint down at once. It also slows editor tooling and cold starts (the whole file is imported and compiled before the first request). The seed checklists split such files (models.py of 1,417 lines into four modules).',
      fix:
        'Split by domain: one Blueprint / APIRouter / Django app / Express Router / Nest module per area (auth, billing, admin), models into a package (`models/user.py`, `models/billing.py`) re-exported from `models/__init__.py`, and shared helpers into their own modules. Register the routers in the app factory. The thresholds are options: `rules: { oversized-module: { options: { maxLines: 1500, maxRoutes: 40 } } }` in .prodaudit.yml.',
      whenNotTo: 'Generated code (migrations, generated clients) is skipped; tests and examples are not production code.',
      references: [
        'https://flask.palletsprojects.com/en/latest/patterns/packages/',
        'https://flask.palletsprojects.com/en/latest/blueprints/',
        'https://fastapi.tiangolo.com/tutorial/bigger-applications/',
        'https://expressjs.com/en/guide/routing.html#express-router',
        'https://docs.nestjs.com/modules',
      ],
    },
  },
  options: z.object({
    maxLines: z.number().int().positive().default(MAX_LINES),
    maxRoutes: z.number().int().positive().default(MAX_ROUTES),
  }),
  check: {
    python(ctx) {
      if (GENERATED.test(ctx.path)) return;
      const { maxLines, maxRoutes } = ctx.options;
      const lines = lineCount(ctx.text);
      const routes = pythonRoutes(ctx.py, ctx.path).length;
      if (lines <= maxLines && routes <= maxRoutes) return;
      const server = routes > 0 || [...ctx.py.modules].some((m) => PY_SERVER.test(m)) || isBackendApp(ctx.project.appOf(ctx.path));
      if (!server) return;
      report(ctx, lines, routes, maxLines, maxRoutes);
    },
    script(ctx) {
      if (GENERATED.test(ctx.path) || ctx.path.endsWith('.d.ts')) return;
      const { maxLines, maxRoutes } = ctx.options;
      const lines = lineCount(ctx.text);
      if (lines <= maxLines && ctx.text.length < maxRoutes * 20) return;
      const routes = scriptRoutes(ctx.js, ctx.path).length;
      if (lines <= maxLines && routes <= maxRoutes) return;
      // React components and browser code are not server modules.
      const server = routes > 0 || [...ctx.js.modules].some((m) => JS_SERVER.test(m));
      if (!server) return;
      report(ctx, lines, routes, maxLines, maxRoutes);
    },
  },
});

function report(
  ctx: { text: string; report(d: { messageId: 'lines' | 'routes'; data: Record<string, string | number>; at: TextRange }): void },
  lines: number,
  routes: number,
  maxLines: number,
  maxRoutes: number,
): void {
  const at = firstLine(ctx.text);
  if (lines > maxLines) {
    const routesNote = routes > maxRoutes ? ` and ${fmt(routes)} route handlers (more than ${fmt(maxRoutes)})` : routes > 0 ? ` and ${fmt(routes)} route handlers` : '';
    ctx.report({ messageId: 'lines', data: { lines: fmt(lines), maxLines: fmt(maxLines), routesNote }, at });
  } else {
    ctx.report({ messageId: 'routes', data: { routes: fmt(routes), maxRoutes: fmt(maxRoutes), lines: fmt(lines) }, at });
  }
}
