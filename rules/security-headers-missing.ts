import { defineRule } from '../src/engine/rule.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import type { TextRange } from '../src/engine/types.js';
import type { PyModule } from '../src/parsers/python.js';
import { dotted, literalValue, objectProps, propertyName, ts, walk, type ScriptModule } from '../src/parsers/script.js';
import { appMemo, appPython, appScripts, perApp } from './_shared/project.js';
import { configItems, inDevOnlyClass } from './_shared/python.js';
import { mayCallExpress, pyTextHasJoined } from './_shared/triggers.js';

/** Response headers that harden a browser-facing app. */
const HEADERS = ['content-security-policy', 'strict-transport-security', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'permissions-policy', 'content-security-policy-report-only'];
const CSP = /^content-security-policy(-report-only)?$/;
/** Property names that mark the next.config object (nextConfig below). */
const NEXT_CONFIG_KEYS = 'reactStrictMode|images|experimental|output|headers|rewrites|redirects|env|webpack|poweredByHeader|swcMinify|basePath|transpilePackages';
const NEXT_CONFIG_NAME = new RegExp(`^(${NEXT_CONFIG_KEYS})$`);
/**
 * One of them where an object literal can name a property (`env:`, `headers() {`, `'images':`,
 * `{ env }`): never right after a `.` nor before a `.` or `[`, so `process.env.X` and
 * `req.headers['host']` do not count.
 */
const NEXT_CONFIG_KEY = new RegExp(`(?<![.\\w$])(?:${NEXT_CONFIG_KEYS})\\b(?!\\s*[.[])`);

interface HeaderEvidence {
  /** Middleware that sets the standard set (Talisman, helmet, secure, django SecurityMiddleware). */
  readonly middleware: string | undefined;
  /** Middleware was told not to send a CSP (helmet({ contentSecurityPolicy: false }), Talisman(content_security_policy=None)). */
  readonly cspOff: boolean;
  /** Header names set by hand anywhere in the app (lower case). */
  readonly byHand: ReadonlySet<string>;
}

const PY_EVIDENCE = appMemo('security-headers-missing.pythonEvidence', (project, app) => pythonEvidence(project, app));
const JS_EVIDENCE = appMemo('security-headers-missing.scriptEvidence', (project, app) => scriptEvidence(project, app));
const DJANGO_SETTINGS = appMemo('security-headers-missing.djangoSettings', (project, app) => djangoSettings(project, app));

export default defineRule({
  meta: {
    id: 'security-headers-missing',
    title: 'Security headers missing',
    category: 'security',
    severity: 'medium',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'express', 'nestjs', 'nextjs', 'fastify', 'koa'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-693', 'CWE-1021'],
    // Reports land only on the file that creates the app or holds the setting: Python, the
    // `Flask(...)` call (Flask is in the call or its import), a top-level MIDDLEWARE list, or the
    // SECURE_HSTS_SECONDS / SECURE_CONTENT_TYPE_NOSNIFF / X_FRAME_OPTIONS config item (/i for
    // `app.x_frame_options`; pyTextHasJoined: the key may be an escaped string; Flask and MIDDLEWARE are
    // identifiers); script, the
    // `const app = express()` call (mayCallExpress), NestFactory.create, fastify() (the module
    // name or the callee), or a next.config whose config object has one of NEXT_CONFIG_KEYS as a
    // property name. Helmet and headers set by hand are read from other files.
    triggers: [(text, _o, kind) => (kind === 'python' ? /\bFlask\b|MIDDLEWARE/.test(text) || pyTextHasJoined(text, /SECURE_HSTS_SECONDS|SECURE_CONTENT_TYPE_NOSNIFF|X_FRAME_OPTIONS/i) : /\bNestFactory\b|\bfastify\b/.test(text) || NEXT_CONFIG_KEY.test(text) || mayCallExpress(text))],
    messages: {
      noHeaders: 'No security headers are set for this app: no {middleware} and no Content-Security-Policy, X-Frame-Options or X-Content-Type-Options set by hand.',
      noCsp: 'The app sets {have} but no Content-Security-Policy.',
      djangoSecurityMiddleware: 'MIDDLEWARE does not include django.middleware.security.SecurityMiddleware, so the SECURE_* headers are never sent.',
      djangoHsts: 'SECURE_HSTS_SECONDS is {state}: browsers are not told to use HTTPS only.',
      djangoSetting: '{key} = {value} turns off the {header} header.',
      nextNoHeaders: 'next.config has no headers() with security headers (Content-Security-Policy, X-Frame-Options, X-Content-Type-Options).',
      nextNoCsp: 'next.config headers() sets {have} but no Content-Security-Policy.',
    },
    docs: {
      why:
        'Browsers only apply the protections a response asks for. Without Content-Security-Policy an XSS bug can load any script and send data anywhere; without X-Frame-Options (or CSP frame-ancestors) the app can be framed for clickjacking; without X-Content-Type-Options: nosniff uploads can be sniffed into HTML; without Strict-Transport-Security the first request of a session can be downgraded to HTTP.',
      fix:
        'Express/Nest: `app.use(helmet())` (keep its CSP on and tune it). Flask: `Talisman(app, content_security_policy={...})`, or an `@app.after_request` that sets Content-Security-Policy, X-Frame-Options, X-Content-Type-Options and Referrer-Policy. Django: keep `SecurityMiddleware`, set `SECURE_HSTS_SECONDS` (start at 3600, then a year), leave `SECURE_CONTENT_TYPE_NOSNIFF` and `X_FRAME_OPTIONS = "DENY"` at their defaults, add django-csp. Next.js: return these headers from `headers()` in next.config.js (or set them in middleware).',
      whenNotTo: 'A reverse proxy or CDN that adds the headers (nginx add_header, Cloudflare, a load balancer) does the same job; suppress with a comment naming it. Pure JSON APIs need fewer headers, but nosniff and HSTS still apply.',
      references: [
        'https://owasp.org/www-project-secure-headers/',
        'https://helmetjs.github.io/',
        'https://github.com/GoogleCloudPlatform/flask-talisman',
        'https://docs.djangoproject.com/en/stable/ref/middleware/#module-django.middleware.security',
        'https://nextjs.org/docs/app/api-reference/next-config-js/headers',
        'https://cwe.mitre.org/data/definitions/693.html',
      ],
      examples: [
        { file: 'server.js', bad: 'const app = express();', good: "const app = express();\napp.use(helmet());" },
        { file: 'app.py', bad: 'app = Flask(__name__)', good: 'app = Flask(__name__)\nTalisman(app, content_security_policy={"default-src": "\'self\'"})' },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py, project } = ctx;
      const app = project.appOf(ctx.path);
      for (const call of py.calls) {
        if (call.qualified !== 'flask.Flask') continue;
        const ev = perApp(PY_EVIDENCE, project, app);
        reportMissing(ctx, ev, call.range, 'Flask-Talisman');
      }
      // Django settings
      for (const a of py.assignments) {
        if (!a.topLevel || a.target !== 'MIDDLEWARE' || (a.value.kind !== 'list' && a.value.kind !== 'tuple')) continue;
        const names = a.value.elements.map((e) => (e.kind === 'str' ? e.value : ''));
        if (!names.some((n) => n.startsWith('django.'))) continue;
        const at = { start: a.range.start, end: a.range.start + a.target.length };
        if (!names.some((n) => /SecurityMiddleware$/.test(n))) {
          ctx.report({ messageId: 'djangoSecurityMiddleware', at });
          continue;
        }
        const settings = perApp(DJANGO_SETTINGS, project, app);
        const hsts = settings.get('SECURE_HSTS_SECONDS');
        if (hsts === undefined) ctx.report({ messageId: 'djangoHsts', data: { state: 'not set' }, at });
      }
      for (const item of configItems(py)) {
        if (inDevOnlyClass(item)) continue;
        const v = item.value;
        if (item.key === 'SECURE_HSTS_SECONDS' && v.kind === 'num' && v.value === 0) ctx.report({ messageId: 'djangoHsts', data: { state: '0' }, at: item.range });
        else if (item.key === 'SECURE_CONTENT_TYPE_NOSNIFF' && v.kind === 'bool' && !v.value) ctx.report({ messageId: 'djangoSetting', data: { key: item.key, value: 'False', header: 'X-Content-Type-Options: nosniff' }, at: item.range });
        else if (item.key === 'X_FRAME_OPTIONS' && v.kind === 'str' && !/^(DENY|SAMEORIGIN)$/i.test(v.value)) ctx.report({ messageId: 'djangoSetting', data: { key: item.key, value: `"${v.value}"`, header: 'X-Frame-Options' }, at: item.range });
      }
    },

    script(ctx) {
      const { js, project } = ctx;
      const app = project.appOf(ctx.path);
      if (/(^|\/)next\.config\.[cm]?[jt]s$/.test(ctx.path)) {
        nextConfig(ctx.path, js, (messageId, at, have) => ctx.report({ messageId, at, data: { have } }));
        return;
      }
      for (const call of js.calls()) {
        const isExpress = !call.isNew && call.qualified === 'express' && ts.isVariableDeclaration(call.node.parent);
        const isNest = /^@nestjs\/core\.NestFactory\.create$/.test(call.qualified);
        const isFastify = !call.isNew && /^fastify(\.default)?$/.test(call.qualified) && ts.isVariableDeclaration(call.node.parent);
        if (!isExpress && !isNest && !isFastify) continue;
        const ev = perApp(JS_EVIDENCE, project, app);
        reportMissing(ctx, ev, call.range, isFastify ? '@fastify/helmet' : 'helmet');
      }
    },
  },
});

function reportMissing(
  ctx: { report(d: { messageId: 'noHeaders' | 'noCsp'; at: TextRange; data: Record<string, string> }): void },
  ev: HeaderEvidence,
  at: TextRange,
  middleware: string,
): void {
  const csp = [...ev.byHand].some((h) => CSP.test(h));
  if (ev.middleware) {
    if (ev.cspOff && !csp) ctx.report({ messageId: 'noCsp', at, data: { have: `${ev.middleware} headers` } });
    return;
  }
  const hardening = [...ev.byHand].filter((h) => h === 'x-frame-options' || h === 'x-content-type-options' || CSP.test(h));
  if (hardening.length === 0) {
    ctx.report({ messageId: 'noHeaders', at, data: { middleware } });
    return;
  }
  if (!csp) ctx.report({ messageId: 'noCsp', at, data: { have: [...ev.byHand].map(canonical).join(', ') } });
}

function canonical(h: string): string {
  return h.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

function pythonEvidence(project: ProjectFacts, app: App): HeaderEvidence {
  let middleware: string | undefined;
  let cspOff = false;
  const byHand = new Set<string>();
  for (const { py } of appPython(project, app, /Talisman|secure|Security-Policy|X-Frame|X-Content-Type|Strict-Transport|Referrer-Policy/i)) {
    for (const c of py.calls) {
      if (/^flask_talisman(\.talisman)?\.Talisman$/.test(c.qualified)) {
        middleware = 'Talisman';
        const csp = c.keyword('content_security_policy');
        if (csp && (csp.kind === 'none' || (csp.kind === 'bool' && !csp.value))) cspOff = true;
      }
      if (/^secure\.(Secure|SecureHeaders)$/.test(c.qualified)) middleware = 'secure';
    }
    headerStrings(py, byHand);
  }
  return { middleware, cspOff, byHand };
}

function headerStrings(py: PyModule, out: Set<string>): void {
  for (const s of py.strings) {
    const h = s.value.toLowerCase().trim();
    if (HEADERS.includes(h)) out.add(h);
  }
}

function djangoSettings(project: ProjectFacts, app: App): Map<string, string> {
  const out = new Map<string, string>();
  for (const { py } of appPython(project, app, 'SECURE_')) {
    for (const item of configItems(py)) if (item.key.startsWith('SECURE_') && !inDevOnlyClass(item)) out.set(item.key, item.value.text);
  }
  return out;
}

function scriptEvidence(project: ProjectFacts, app: App): HeaderEvidence {
  let middleware: string | undefined;
  let cspOff = false;
  const byHand = new Set<string>();
  for (const { js } of appScripts(project, app, /helmet|Security-Policy|X-Frame|X-Content-Type|Strict-Transport|lusca/i)) {
    for (const c of js.calls()) {
      if (/^(helmet|@fastify\/helmet|koa-helmet|lusca)(\.default)?$/.test(c.qualified) || (/^(helmet|@fastify\/helmet)/.test(c.args[0] ? js.qualify(dotted(c.args[0])) : '') && /register$/.test(c.callee))) {
        middleware = 'helmet';
        const opts = objectProps(/register$/.test(c.callee) ? c.args[1] : c.args[0]);
        if (literalValue(opts.get('contentSecurityPolicy')?.value) === false) cspOff = true;
      }
    }
    jsHeaderStrings(js, byHand);
  }
  return { middleware, cspOff, byHand };
}

function jsHeaderStrings(js: ScriptModule, out: Set<string>): void {
  walk(js.sf, (n) => {
    let text: string | undefined;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) text = n.text;
    else if (ts.isPropertyAssignment(n)) text = propertyName(n.name);
    if (text !== undefined) {
      const h = text.toLowerCase().trim();
      if (HEADERS.includes(h)) out.add(h);
    }
  });
}

/** next.config.js: a `headers` function whose returned objects name security headers (`{ key: 'X-Frame-Options', value: 'DENY' }`). */
function nextConfig(path: string, js: ScriptModule, report: (id: 'nextNoHeaders' | 'nextNoCsp', at: TextRange, have: string) => void): void {
  let config: ts.ObjectLiteralExpression | undefined;
  let headersFn: ts.Node | undefined;
  walk(js.sf, (n) => {
    if (ts.isObjectLiteralExpression(n) && !config) {
      const names = n.properties.map((p) => (p.name ? propertyName(p.name as ts.PropertyName) : undefined));
      if (names.some((x) => x && NEXT_CONFIG_NAME.test(x))) config = n;
    }
    if ((ts.isMethodDeclaration(n) || ts.isPropertyAssignment(n)) && n.name && propertyName(n.name as ts.PropertyName) === 'headers') headersFn = n;
  });
  if (!config) return;
  const at = js.range(config);
  const header = { start: at.start, end: at.start + 1 };
  if (!headersFn) {
    report('nextNoHeaders', header, '');
    return;
  }
  // Header lists are often constants next to the config (`const securityHeaders = [...]`): count the whole file.
  const set = new Set<string>();
  walk(js.sf, (n) => {
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && HEADERS.includes(n.text.toLowerCase())) set.add(n.text.toLowerCase());
  });
  if (set.size === 0) report('nextNoHeaders', js.range(headersFn), '');
  else if (![...set].some((h) => CSP.test(h))) report('nextNoCsp', js.range(headersFn), [...set].map(canonical).join(', '));
  void path;
}
