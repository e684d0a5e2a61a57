import { defineRule } from '../src/engine/rule.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import { dottedName, type PyExpr, type PyModule } from '../src/parsers/python.js';
import { dotted, objectProps, ts, unwrap, type ScriptModule } from '../src/parsers/script.js';
import { appMemo, appPyParts, appScripts, perApp, pyFileMemo } from './_shared/project.js';
import { configItems } from './_shared/python.js';
import { appUses, authRouteKind, decoratorName, isStateChanging, pythonRoutes, scriptRoutes, type JsRoute, type PyRoute, type RouteBase } from './_shared/routes.js';
import { pyMaySubmitRoute, pyTextHas } from './_shared/triggers.js';

const JS_LIMITERS = /^(express-rate-limit|express-slow-down|rate-limiter-flexible|express-brute|@fastify\/rate-limit|koa-ratelimit|koa2-ratelimit|@upstash\/ratelimit|next-rate-limit|limiter|express-limiter)\b/;
/** Names people give limiters and throttling middleware (often imported from another module). */
const LIMITER_NAME = /limit|throttl|brute|slowDown/i;

/** The script trigger: words of auth route paths and handler names. */
const JS_AUTH_WORD = /login|signin|sign_in|sign-in|register|signup|sign_up|sign-up|reset|forgot|token|otp|2fa|mfa|auth/i;
/** Every word an AUTH_PATTERNS kind needs in a route path or handler name (routes.ts). */
const PY_AUTH_WORD = /forgot|reset|recover|register|signup|sign[-_]?up|create[-_]account|join|token|otp|2fa|mfa|two[-_]factor|verify|log[-_]?in|sign[-_]?in|auth|session/i;
/** An app-wide rate limiter (its name), per language. */
const PY_GLOBAL = appMemo('login-rate-limit-missing.pyGlobalLimit', (project, app) => pyGlobalLimit(project, app));
const JS_GLOBAL = appMemo('login-rate-limit-missing.jsGlobalLimit', (project, app) => jsGlobalLimit(project, app));

export default defineRule({
  meta: {
    id: 'login-rate-limit-missing',
    title: 'Authentication endpoint without rate limiting',
    category: 'security',
    severity: 'high',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs', 'nextjs', 'fastify', 'koa'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-307', 'CWE-770'],
    // Python: an auth word in a route path (a string: escapes decoded) or handler name, and a route
    // that accepts POST, PUT, PATCH or any method (attackable): pyMaySubmitRoute. Script: the auth words.
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMaySubmitRoute(text) && pyTextHas(text, PY_AUTH_WORD) : JS_AUTH_WORD.test(text))],
    messages: {
      noLimit: '{kind} endpoint {method} {path} has no rate limit.',
    },
    docs: {
      why:
        'Login, registration, password-reset and token endpoints are what attackers hammer: credential stuffing tries leaked passwords at thousands of requests a minute, reset endpoints are used to flood mailboxes and enumerate accounts, and registration is abused by bots. Without a limit per client (and per account) nothing slows them down, and each attempt costs a password hash on your CPU.',
      fix:
        'Flask: Flask-Limiter, `@limiter.limit("5 per minute")` on the view (or `default_limits`). FastAPI: slowapi `@limiter.limit("5/minute")` or fastapi-limiter `dependencies=[Depends(RateLimiter(times=5, seconds=60))]`. Django: django-ratelimit `@ratelimit(key="ip", rate="5/m", block=True)`, DRF `throttle_classes`/`DEFAULT_THROTTLE_RATES`, or django-axes. Express: express-rate-limit (`app.post("/login", rateLimit({ windowMs: 15*60*1000, limit: 10 }), login)`) or rate-limiter-flexible with a Redis store. Nest: @nestjs/throttler with `@Throttle()` or a global ThrottlerGuard. Keep limiter state in Redis when there is more than one process.',
      whenNotTo: 'A limit enforced in front of the app (API gateway, Cloudflare, nginx limit_req) does the same job; suppress the finding with a comment naming it.',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks',
        'https://flask-limiter.readthedocs.io/',
        'https://slowapi.readthedocs.io/',
        'https://django-ratelimit.readthedocs.io/',
        'https://express-rate-limit.mintlify.app/',
        'https://docs.nestjs.com/security/rate-limiting',
        'https://cwe.mitre.org/data/definitions/307.html',
      ],
      examples: [
        { file: 'auth.py', bad: '@bp.route("/login", methods=["POST"])\ndef login(): ...', good: '@bp.route("/login", methods=["POST"])\n@limiter.limit("5 per minute")\ndef login(): ...' },
        { file: 'server.js', bad: "app.post('/login', login)", good: "app.post('/login', rateLimit({ windowMs: 15 * 60 * 1000, limit: 10 }), login)" },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py, project } = ctx;
      const routes = pythonRoutes(py, ctx.path);
      if (routes.length === 0) return;
      const app = project.appOf(ctx.path);
      for (const r of routes) {
        const kind = authRouteKind(r);
        if (!kind || !attackable(r)) continue;
        if (pyRouteLimited(r, py)) continue;
        if (perApp(PY_GLOBAL, project, app)) continue;
        report(ctx, r, kind);
      }
    },

    script(ctx) {
      const { js, project } = ctx;
      const routes = scriptRoutes(js, ctx.path);
      if (routes.length === 0) return;
      const app = project.appOf(ctx.path);
      for (const r of routes) {
        const kind = authRouteKind(r);
        if (!kind || !attackable(r)) continue;
        if (jsRouteLimited(r, js)) continue;
        if (perApp(JS_GLOBAL, project, app)) continue;
        report(ctx, r, kind);
      }
    },
  },
});

function report(ctx: { report: (d: { messageId: 'noLimit'; data: Record<string, string>; at: RouteBase['at'] }) => void }, r: RouteBase, kind: string): void {
  const label = { login: 'Login', register: 'Registration', reset: 'Password reset', token: 'Token', verify: 'One-time code' }[kind] ?? 'Authentication';
  const method = r.methods.filter((m) => m !== 'GET' && m !== 'HEAD').join('/') || r.methods.join('/');
  ctx.report({ messageId: 'noLimit', data: { kind: label, method: method === 'ANY' ? '' : method, path: r.path ?? r.handlerName ?? '' }, at: r.at });
}

/**
 * Routes an attacker can hammer: those that accept a submission (POST, PUT, PATCH, or any method).
 * A DELETE-only route (logging out, revoking a token) takes no credential to guess.
 */
function attackable(r: RouteBase): boolean {
  return isStateChanging(r) && r.methods.some((m) => m !== 'DELETE' && m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS');
}

// ---------------------------------------------------------------- Python

function limiterDecorator(d: PyExpr, py: PyModule): boolean {
  const callee = d.kind === 'call' ? d.call.callee : dottedName(d) ?? '';
  const q = py.qualify(callee);
  if (/^(django_ratelimit|ratelimit)\b|^flask_limiter\b|^slowapi\b|(^|\.)(throttle_classes|ratelimit|rate_limit|limit|shared_limit|throttle)$/.test(q)) return true;
  if (LIMITER_NAME.test(callee.split('.').at(-1) ?? '')) return true;
  // FastAPI: @router.post("/token", dependencies=[Depends(RateLimiter(times=5, seconds=60))])
  if (d.kind === 'call') {
    const deps = d.call.keyword('dependencies');
    if (deps && /RateLimiter|limit/i.test(deps.text)) return true;
  }
  return false;
}

function pyRouteLimited(r: PyRoute, py: PyModule): boolean {
  if (r.decorators.some((d) => limiterDecorator(d, py))) return true;
  // FastAPI dependency in a parameter default: async def login(..., _=Depends(RateLimiter(...)))
  if (r.handler && py.calls.some((c) => c.range.start >= r.handler!.range.start && c.range.end <= r.handler!.bodyRange.start && /RateLimiter|limiter/i.test(c.callee))) return true;
  // Django class-based view with throttle_classes
  return false;
}

/** A limit that covers every route: Limiter(default_limits=...), slowapi middleware, DRF default throttles, django-axes. */
/** The first production module of the app that sets up a global limit, and how. */
function pyGlobalLimit(project: ProjectFacts, app: App): string | undefined {
  for (const { part } of appPyParts(project, app, PY_LIMIT_IN)) return part;
  return undefined;
}

/** How one module sets up a global limit, if it does (the part of PY_GLOBAL the cache keeps per file). */
const PY_LIMIT_IN = pyFileMemo('login-rate-limit-missing.pyLimitIn', /Limiter|THROTTLE|axes|ratelimit|RATELIMIT/, (py): string | undefined => {
  for (const c of py.calls) {
    if (/^(flask_limiter|slowapi)(\.\w+)*\.Limiter$/.test(c.qualified) && c.keyword('default_limits')) return 'default_limits';
    if (/SlowAPIMiddleware$/.test(c.positional[0]?.text ?? '') && c.callee.endsWith('add_middleware')) return 'slowapi middleware';
  }
  for (const item of configItems(py)) {
    if (item.key === 'REST_FRAMEWORK' && item.value.kind === 'dict' && item.value.entries.some((e) => e.key?.kind === 'str' && e.key.value === 'DEFAULT_THROTTLE_CLASSES')) return 'DRF throttles';
    if (item.key === 'DEFAULT_THROTTLE_CLASSES') return 'DRF throttles';
    if ((item.key === 'INSTALLED_APPS' || item.key === 'MIDDLEWARE') && (item.value.kind === 'list' || item.value.kind === 'tuple') && item.value.elements.some((e) => e.kind === 'str' && /^axes(\.|$)/.test(e.value))) return 'django-axes';
    if (item.key === 'RATELIMIT_DEFAULT' || item.key === 'RATELIMIT_APPLICATION') return item.key;
  }
  return undefined;
});

// ---------------------------------------------------------------- JS / TS

function isLimiterExpr(e: ts.Expression, js: ScriptModule): boolean {
  const u = unwrap(e);
  if (ts.isCallExpression(u)) {
    const q = js.qualify(dotted(u.expression));
    if (JS_LIMITERS.test(q) || LIMITER_NAME.test(dotted(u.expression))) return true;
    return false;
  }
  const name = dotted(u);
  if (!name) return false;
  const bound = js.instanceOf(name);
  if (bound && JS_LIMITERS.test(bound)) return true;
  return LIMITER_NAME.test(name);
}

function jsRouteLimited(r: JsRoute, js: ScriptModule): boolean {
  if (r.middleware.some((m) => isLimiterExpr(m, js))) return true;
  if (r.framework === 'nestjs' && r.decorators.some((d) => /(^|\.)(Throttle|UseGuards)$/.test(decoratorName(d, js)) && /Throttle|throttl|limit/i.test(d.getText(js.sf)))) return true;
  if (r.framework === 'fastify' && r.options) {
    const cfg = objectProps(objectProps(r.options).get('config')?.value);
    if (cfg.has('rateLimit')) return true;
  }
  // Next.js handlers calling a limiter themselves: await ratelimit.limit(ip) / limiter.check(...)
  if (r.handler?.body) {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(n) && LIMITER_NAME.test(dotted(n.expression))) found = true;
      else ts.forEachChild(n, visit);
    };
    visit(r.handler.body);
    if (found) return true;
  }
  return false;
}

/** A limiter applied to every route: app.use(rateLimit(...)), fastify.register(rateLimit, { global }), a global ThrottlerGuard. */
function jsGlobalLimit(project: ProjectFacts, app: App): string | undefined {
  for (const { js } of appScripts(project, app, /limit|Limit|throttl|Throttl|brute/)) {
    for (const u of appUses(js)) {
      if (u.middleware.some((m) => isLimiterExpr(m, js))) return 'app.use';
    }
    // Nest: { provide: APP_GUARD, useClass: ThrottlerGuard } or app.useGlobalGuards(new ThrottlerGuard())
    if (js.importsModule('@nestjs/throttler')) {
      for (const c of js.calls()) {
        if (/useGlobalGuards$/.test(c.callee) && c.args.some((a) => /Throttler/.test(a.getText(js.sf)))) return 'global guard';
      }
      let guard = false;
      const visit = (n: ts.Node): void => {
        if (guard) return;
        if (ts.isObjectLiteralExpression(n)) {
          const p = objectProps(n);
          const provide = p.get('provide')?.value;
          const use = p.get('useClass')?.value;
          if (provide && use && dotted(provide) === 'APP_GUARD' && /Throttler/.test(dotted(use))) guard = true;
        }
        ts.forEachChild(n, visit);
      };
      visit(js.sf);
      if (guard) return 'APP_GUARD';
    }
  }
  return undefined;
}
