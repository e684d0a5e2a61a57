import { defineRule } from '../src/engine/rule.js';
import type { App, ProjectFacts } from '../src/engine/facts.js';
import { ts, walk } from '../src/parsers/script.js';
import { appMemo, appPython, appScripts, perApp, some } from './_shared/project.js';
import { configItems, inDevOnlyClass } from './_shared/python.js';
import { mayCallExpress, pyTextHasJoined } from './_shared/triggers.js';

/** Does the app (or its platform config) redirect HTTP to HTTPS, per framework? */
const FLASK_REDIRECT = appMemo('https-not-enforced.flaskRedirect', (project, app) => flaskRedirects(project, app) || platformRedirects(project, app));
const DJANGO_REDIRECT = appMemo('https-not-enforced.djangoRedirect', (project, app) => djangoRedirects(project, app) || platformRedirects(project, app));
const EXPRESS_REDIRECT = appMemo('https-not-enforced.expressRedirect', (project, app) => expressRedirects(project, app) || platformRedirects(project, app));
/** Node packages that redirect HTTP to HTTPS. */
const JS_HTTPS = /^(express-sslify|express-enforces-ssl|heroku-ssl-redirect|express-force-https|koa-sslify|@fastify\/https-redirect|fastify-https-redirect)\b/;

export default defineRule({
  meta: {
    id: 'https-not-enforced',
    title: 'HTTPS not enforced',
    category: 'security',
    severity: 'medium',
    confidence: 'low',
    frameworks: ['flask', 'django', 'express'],
    fixable: 'none',
    effort: 'minutes',
    cwe: ['CWE-319', 'CWE-311'],
    mootWhen: ['tlsTerminatedAtProxy'],
    // Reports land only on the file that holds the problem: Python, the `Flask(...)` call (the name
    // Flask is in the call or its import), Talisman's force_https= keyword, the SECURE_SSL_REDIRECT
    // config item (`app.secure_ssl_redirect` too, hence /i; pyTextHasJoined: the key may be an escaped
    // string, the other three are identifiers) or a top-level MIDDLEWARE list; script, the `const app = express()` call
    // (mayCallExpress: route modules that only use express.Router() fail it). The app-wide
    // evidence (redirects elsewhere, vercel.json) is read from other files and needs no trigger.
    triggers: [(text, _o, kind) => (kind === 'python' ? /\bFlask\b|force_https|MIDDLEWARE/.test(text) || pyTextHasJoined(text, /SECURE_SSL_REDIRECT/i) : mayCallExpress(text))],
    messages: {
      djangoUnset: 'SECURE_SSL_REDIRECT is never set: Django serves plain HTTP requests instead of redirecting them to HTTPS.',
      djangoOff: 'SECURE_SSL_REDIRECT is False{where}: plain HTTP requests are served.',
      talismanOff: 'Talisman is created with force_https=False.',
      flaskNone: 'Nothing in the Flask app redirects HTTP to HTTPS (no Talisman force_https, no request.is_secure check).',
      expressNone: 'Nothing in the Express app redirects HTTP to HTTPS (no x-forwarded-proto check, no express-sslify).',
    },
    docs: {
      why:
        'If the app answers plain HTTP, a login form, a session cookie or an API token can travel unencrypted: on public Wi-Fi or any hop in between they can be read and changed. Behind a load balancer the app must also trust X-Forwarded-Proto, or it cannot tell that a request came in over HTTP.',
      fix:
        'Django: `SECURE_SSL_REDIRECT = True` and `SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")` behind a proxy. Flask: `Talisman(app, force_https=True)` with `ProxyFix(app.wsgi_app, x_proto=1)`. Express: `app.set("trust proxy", 1)` and a middleware that redirects when `!req.secure` (or express-sslify). Pair it with HSTS (see security-headers-missing).',
      whenNotTo: 'When TLS is terminated and HTTP is redirected by the platform (a load balancer listener rule, Cloudflare "Always use HTTPS", Heroku ACM with redirects), the app does not need to do it; Vercel deployments (a vercel.json) are recognised, for other platforms suppress with a comment naming the platform.',
      references: [
        'https://docs.djangoproject.com/en/stable/ref/settings/#secure-ssl-redirect',
        'https://github.com/GoogleCloudPlatform/flask-talisman#options',
        'https://expressjs.com/en/guide/behind-proxies.html',
        'https://cwe.mitre.org/data/definitions/319.html',
      ],
      examples: [
        { file: 'settings.py', bad: 'SECURE_SSL_REDIRECT = False', good: 'SECURE_SSL_REDIRECT = True\nSECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")' },
        { file: 'server.js', bad: 'const app = express();', good: "const app = express();\napp.set('trust proxy', 1);\napp.use((req, res, next) => (req.secure ? next() : res.redirect(301, `https://${req.headers.host}${req.url}`)));" },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py, project } = ctx;
      const app = project.appOf(ctx.path);
      for (const call of py.calls) {
        if (/^flask_talisman(\.talisman)?\.Talisman$/.test(call.qualified)) {
          const f = call.keyword('force_https');
          if (f?.kind === 'bool' && !f.value) ctx.report({ messageId: 'talismanOff', at: f.range });
        }
        if (call.qualified === 'flask.Flask' && !perApp(FLASK_REDIRECT, project, app)) {
          ctx.report({ messageId: 'flaskNone', at: call.range });
        }
      }
      for (const item of configItems(py)) {
        if (item.key !== 'SECURE_SSL_REDIRECT' || inDevOnlyClass(item)) continue;
        if (item.value.kind === 'bool' && !item.value.value) ctx.report({ messageId: 'djangoOff', data: { where: item.className ? ` in ${item.className}` : '' }, at: item.range });
      }
      for (const a of py.assignments) {
        if (!a.topLevel || a.target !== 'MIDDLEWARE' || (a.value.kind !== 'list' && a.value.kind !== 'tuple')) continue;
        if (!a.value.elements.some((e) => e.kind === 'str' && /SecurityMiddleware$/.test(e.value))) continue;
        if (perApp(DJANGO_REDIRECT, project, app)) continue;
        ctx.report({ messageId: 'djangoUnset', at: { start: a.range.start, end: a.range.start + a.target.length } });
      }
    },

    script(ctx) {
      const { js, project } = ctx;
      const app = project.appOf(ctx.path);
      for (const call of js.calls()) {
        if (call.isNew || call.qualified !== 'express' || !ts.isVariableDeclaration(call.node.parent)) continue;
        if (perApp(EXPRESS_REDIRECT, project, app)) continue;
        ctx.report({ messageId: 'expressNone', at: call.range });
      }
    },
  },
});

/**
 * The app is deployed on a platform that always redirects HTTP to HTTPS itself: Vercel (a
 * vercel.json in the app folder or a folder above it).
 */
function platformRedirects(project: ProjectFacts, app: App): boolean {
  const parts = app.root ? app.root.split('/') : [];
  for (let i = parts.length; i >= 0; i--) {
    const dir = parts.slice(0, i).join('/');
    const at = (name: string) => (dir ? `${dir}/${name}` : name);
    if (project.files.includes(at('vercel.json'))) return true;
  }
  return false;
}

function flaskRedirects(project: ProjectFacts, app: App): boolean {
  return some(appPython(project, app, /Talisman|is_secure|SSLify|https/), ({ py }) =>
    py.calls.some((c) => {
      if (/^flask_talisman(\.talisman)?\.Talisman$/.test(c.qualified)) {
        const f = c.keyword('force_https');
        return !f || !(f.kind === 'bool' && !f.value);
      }
      return /^flask_sslify\.SSLify$/.test(c.qualified);
    }) || py.functions.some((f) => f.decorators.some((d) => /before_request$/.test(d.text)) && py.calls.some((c) => c.range.start >= f.bodyRange.start && c.range.end <= f.bodyRange.end && /redirect$/.test(c.callee) && /https/.test(c.args.map((a) => a.value.text).join(' ')))),
  );
}

function djangoRedirects(project: ProjectFacts, app: App): boolean {
  return some(appPython(project, app, 'SECURE_SSL_REDIRECT'), ({ py }) => configItems(py).some((i) => i.key === 'SECURE_SSL_REDIRECT' && !inDevOnlyClass(i)));
}

function expressRedirects(project: ProjectFacts, app: App): boolean {
  for (const { js } of appScripts(project, app, /sslify|enforces-ssl|https-redirect|force-https|x-forwarded-proto|req\.secure|req\.protocol/)) {
    if ([...js.modules].some((m) => JS_HTTPS.test(m))) return true;
    let found = false;
    walk(js.sf, (n) => {
      if (found) return false;
      // if (!req.secure) / req.protocol !== 'https' / req.headers['x-forwarded-proto'] !== 'https' followed by a redirect
      if (ts.isCallExpression(n) && /\.redirect$/.test(n.expression.getText()) && /https/.test(n.getText())) found = true;
      return undefined;
    });
    if (found) return true;
  }
  return false;
}
