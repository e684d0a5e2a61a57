import { defineRule } from '../src/engine/rule.js';
import type { PyCall, PyFunction, PyModule } from '../src/parsers/python.js';
import { dotted, ts, unwrap, walk, type ScriptModule } from '../src/parsers/script.js';
import type { ProjectFacts } from '../src/engine/facts.js';
import { importedModuleFile } from './_shared/python.js';
import { djangoClassViews, pythonRoutes, scriptRoutes, within } from './_shared/routes.js';
import { jsHasEscape, JS_GAP, jsMemberRegex, someMatch } from './_shared/triggers.js';

type Work = 'mail' | 'http';
const WHAT: Record<Work, string> = { mail: 'sends email', http: 'calls an external HTTP API' };

// ---------------------------------------------------------------- Python

const PY_HTTP = /^(requests|httpx)\.(get|post|put|patch|delete|head|options|request)$|^urllib\.request\.urlopen$|^urllib3\.request$/;
const PY_HTTP_CLIENTS = /^(requests\.Session|requests\.sessions\.Session|httpx\.Client|httpx\.AsyncClient|aiohttp\.ClientSession|urllib3\.PoolManager)$/;
const PY_HTTP_METHODS = /^(get|post|put|patch|delete|head|request|urlopen)$/;
const PY_MAIL_FUNCS = /^django\.core\.mail\.(send_mail|send_mass_mail|mail_admins|mail_managers)$|^(yagmail|emails)\..*send$/;
const PY_MAIL_CLIENTS = /^(smtplib\.(SMTP|SMTP_SSL|LMTP)|flask_mail\.Mail|flask_mailman\.Mail|sendgrid\.(SendGridAPIClient|sendgrid\.SendGridAPIClient)|django\.core\.mail\.(EmailMessage|EmailMultiAlternatives)|yagmail\.SMTP|mailjet_rest\.Client|postmarker\.core\.PostmarkClient|boto3\.client)$/;
const PY_MAIL_METHODS = /^(send|sendmail|send_message|send_email|send_raw_email|send_messages)$/;

/** What a call does, if it is mail or an outbound HTTP request (resolving `server = smtplib.SMTP(...)`, `s = requests.Session()`). */
function pyWork(call: PyCall, py: PyModule): Work | undefined {
  const q = call.qualified;
  if (PY_HTTP.test(q)) return 'http';
  if (PY_MAIL_FUNCS.test(q)) return 'mail';
  const parts = call.callee.split('.');
  const method = parts.at(-1) ?? '';
  const receiver = parts.slice(0, -1).join('.');
  if (!receiver) return undefined;
  const bound = py.instanceOf(receiver, call.scope) ?? py.instanceOf(receiver);
  if (bound && PY_HTTP_CLIENTS.test(bound) && PY_HTTP_METHODS.test(method)) return 'http';
  if (bound && PY_MAIL_CLIENTS.test(bound) && PY_MAIL_METHODS.test(method)) return bound.startsWith('boto3') ? (/email/.test(method) ? 'mail' : undefined) : 'mail';
  // `with smtplib.SMTP(host) as server: server.sendmail(...)` and `mail = Mail(app)` in another module
  if (!bound && /^(sendmail|send_message)$/.test(method) && py.importsModule('smtplib')) return 'mail';
  if (!bound && method === 'send' && /(^|\.)(mail|mailer)$/.test(receiver) && (py.importsModule('flask_mail') || py.importsModule('flask_mailman'))) return 'mail';
  return undefined;
}

/** Request handlers of a Python module: routed functions, Django class-view methods, and Django function views in views modules. */
function pyHandlers(py: PyModule, path: string): PyFunction[] {
  const out = new Set<PyFunction>();
  for (const r of pythonRoutes(py, path)) if (r.handler) out.add(r.handler);
  for (const v of djangoClassViews(py)) for (const m of v.methods) out.add(m);
  if (/(^|\/)views(\/[^/]+)?\.py$/.test(path) && py.importsModule('django')) {
    for (const f of py.functions) if (f.scope.functions.length === 0 && f.scope.classes.length === 0 && f.params[0] === 'request') out.add(f);
  }
  return [...out];
}

/**
 * Does a function the handler calls (defined in this module, or imported from a project module:
 * `from app.services.notifier import send_ntfy`) send mail or call an HTTP API itself?
 */
function pyHelperWork(py: PyModule, path: string, callee: string, project: ProjectFacts): Work | undefined {
  if (callee.includes('.') && !/^[a-z_]\w*\.[a-z_]\w*$/.test(callee)) return undefined;
  const local = !callee.includes('.') ? py.functions.find((f) => f.name === callee && f.scope.functions.length === 0 && f.scope.classes.length === 0) : undefined;
  if (local) return workIn(py, local);
  const source = importedModuleFile(path, py.qualify(callee), project.fileSet);
  if (!source) return undefined;
  const other = project.python(source.path);
  const fn = other?.functions.find((f) => f.name === source.member && f.scope.functions.length === 0 && f.scope.classes.length === 0);
  return other && fn ? workIn(other, fn) : undefined;
}

function workIn(py: PyModule, fn: PyFunction): Work | undefined {
  for (const c of py.calls) {
    if (!within(c.range, fn.bodyRange)) continue;
    const w = pyWork(c, py);
    if (w) return w;
  }
  return undefined;
}

// ---------------------------------------------------------------- JS / TS

const JS_HTTP_MODULES = /^(axios|got|node-fetch|undici|superagent|ky|needle|request|cross-fetch)$/;
const JS_MAIL_MODULES = /^(nodemailer|@sendgrid\/mail|resend|mailgun\.js|mailgun-js|postmark|@aws-sdk\/client-ses|@aws-sdk\/client-sesv2|@mailchimp\/mailchimp_transactional|@react-email\/.*)$/;

function jsWork(call: ts.CallExpression, js: ScriptModule): Work | undefined {
  const callee = dotted(unwrap(call.expression));
  if (!callee) return undefined;
  const parts = callee.split('.');
  const method = parts.at(-1)!;
  const head = parts[0]!;
  const q = js.qualify(callee);
  const module = js.imports.find((i) => i.local === head)?.module ?? (js.instanceOf(head) ? js.instanceOf(head)!.split('.')[0] : undefined);
  if (callee === 'fetch' || callee === 'globalThis.fetch') return 'http';
  if (module && JS_HTTP_MODULES.test(module)) return 'http';
  if (/^(https?|node:https?)\.(request|get)$/.test(q)) return 'http';
  if (/^this\.httpService\.(get|post|put|patch|delete|request|axiosRef\.\w+)$/.test(callee)) return 'http';
  if (method === 'sendMail' || method === 'sendMultiple') return 'mail';
  const sends = /^send\w*$/.test(method) || (method === 'create' && parts.includes('messages'));
  if (module && JS_MAIL_MODULES.test(module) && sends) return 'mail';
  // const transporter = nodemailer.createTransport(...), const resend = new Resend(...), const ses = new SESClient(...)
  const bound = js.instanceOf(head);
  if (bound && JS_MAIL_MODULES.test(moduleOf(bound, js)) && sends) return 'mail';
  if (bound && JS_HTTP_MODULES.test(moduleOf(bound, js)) && /^(get|post|put|patch|delete|head|request)$/.test(method)) return 'http';
  return undefined;
}

/** The package a qualified name comes from: "@aws-sdk/client-ses.SESClient" -> "@aws-sdk/client-ses". */
function moduleOf(qualified: string, js: ScriptModule): string {
  for (const m of js.modules) if (qualified === m || qualified.startsWith(`${m}.`)) return m;
  return qualified.split('.')[0]!;
}

interface JsLoopBody {
  readonly loop: ts.Node;
  readonly body: ts.Node;
}

const ARRAY_LOOPS = new Set(['forEach', 'map', 'flatMap', 'reduce', 'filter', 'some', 'every']);

function jsLoopsIn(root: ts.Node): JsLoopBody[] {
  const out: JsLoopBody[] = [];
  walk(root, (n) => {
    if (ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isForStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n)) out.push({ loop: n, body: n.statement });
    else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ARRAY_LOOPS.has(n.expression.name.text)) {
      const cb = n.arguments[0];
      if (cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) out.push({ loop: n, body: cb.body });
    }
  });
  return out;
}

/** Top-level function declarations and `const f = (...) => {}` of a module, by name. */
function jsLocalFunctions(sf: ts.SourceFile): Map<string, ts.FunctionLikeDeclaration> {
  const out = new Map<string, ts.FunctionLikeDeclaration>();
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name) out.set(st.name.text, st);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer && unwrap(d.initializer);
        if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) out.set(d.name.text, init);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- triggers

/**
 * Python handler shapes (pyHandlers; each handler is a `def` of this module): a route decorator
 * `@<receiver>.<route|api_route|get|post|...>(` (decoratorRoute: a call on a dotted callee, so on
 * the decorator's line, or continued with `\`), `add_url_rule`, Django urlpatterns (`path`/`re_path`/`url`
 * resolved through django), a class view method `def get|post|...|form_valid|create|update` in a
 * class deriving from django / rest_framework / a *View* base (djangoClassViews), a function view
 * `def f(request` in a module importing django.
 */
const PY_ROUTE_DECORATOR = /^[ \t]*@(?:[^\n]|\\\r?\n)*?\.(?:[ \t]|\\\r?\n)*(?:route|api_route|get|post|put|patch|delete|head|options)(?:[ \t]|\\\r?\n)*\(/m;
const PY_VIEW_METHOD = /\bdef[ \t]+(?:get|post|put|patch|delete|form_valid|create|update)[ \t]*\(/;
const PY_REQUEST_VIEW = /\bdef[ \t]+[^\s(]+[ \t]*\((?:\s|\\|#[^\n]*)*request\b/;
function pyHandlerShape(text: string): boolean {
  if (!/\bdef\b/.test(text)) return false;
  if (PY_ROUTE_DECORATOR.test(text) || text.includes('add_url_rule')) return true;
  const django = text.includes('django');
  if (django && (/\b(?:path|re_path|url)\b/.test(text) || PY_REQUEST_VIEW.test(text))) return true;
  return (django || text.includes('rest_framework') || text.includes('View')) && PY_VIEW_METHOD.test(text);
}
/**
 * The work: a direct call, whose module is named (imported, or spelled in the callee): requests,
 * httpx, urllib, django.core.mail, yagmail, emails, smtplib, flask_mail(man), sendgrid, aiohttp,
 * mailjet_rest, postmarker, boto3; or a helper: one defined here makes such a call itself (its words
 * are in this text), one from another module is found by importedModuleFile from the callee as
 * py.qualify spells it: a name bound by an `import`, or a two-part `a.b(...)` whose head is any
 * name (qualify leaves it as is, and `a.py` of the project may still define `b`).
 */
const PY_WORK = /\bimport\b|[a-z_]\w*[ \t]*\.[ \t]*[a-z_]\w*[ \t]*\(|requests|httpx|urllib|django|yagmail|emails|smtplib|flask_mail|sendgrid|aiohttp|mailjet_rest|postmarker|boto3/;

/**
 * JS handler shapes (scriptRoutes): `.get/.post/.../.all/.route(` on an Express/Fastify/Koa app or
 * router (jsFrameworkOf needs express, fastify, koa(-router) or Router named), a Nest controller
 * (`@nestjs/common`), a Next.js pages/api default export (`export default`, `export =`) or an
 * app/**\/route.ts exported GET/POST/... function.
 */
const JS_ROUTE_MEMBER = jsMemberRegex(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all', 'route']);
const JS_EXPORT_DEFAULT = new RegExp(String.raw`\bexport${JS_GAP}(?:default\b|=)`);
function jsHandlerShape(text: string): boolean {
  if (/express|fastify|koa|Router/.test(text) && someMatch(text, JS_ROUTE_MEMBER, () => true)) return true;
  return text.includes('@nestjs/common') || JS_EXPORT_DEFAULT.test(text) || /\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/.test(text);
}
/** jsLoopsIn: a for/for-in/for-of/while/do-while statement or an ARRAY_LOOPS member call. */
const JS_ARRAY_LOOP = jsMemberRegex(ARRAY_LOOPS);
/**
 * The work (jsWork; helpers are this file's functions, so their calls are in this text): `fetch`,
 * http(s) / httpService, sendMail / sendMultiple, a module of JS_HTTP_MODULES or JS_MAIL_MODULES
 * (imported by name, or the unimported callee itself: `got(...)`, `ky(...)`; `request` only as a
 * module name or as a callee bound by a declaration, `const r = request.defaults()`).
 */
const JS_WORK = /fetch|http|sendMail|sendMultiple|axios|\bgot\b|undici|superagent|\bky\b|needle|['"`]request['"`]|nodemailer|sendgrid|resend|mailgun|postmark|client-ses|mailchimp|react-email/;
const JS_REQUEST_BINDING = /(?:=|\bnew\b)(?:\s|\/\*[\s\S]*?\*\/|[(!]|<[^<>]*>)*request\b/;

export default defineRule({
  meta: {
    id: 'background-work-in-request',
    title: 'Slow work in a loop inside a request handler',
    category: 'operations',
    severity: 'medium',
    confidence: 'medium',
    fixable: 'none',
    effort: 'hours',
    // Python: a report needs a handler (pyHandlerShape), a for/while loop in it, and work
    // (PY_WORK): a direct call's module named here, or a helper another module may define.
    // JS: a handler (jsHandlerShape), a loop (`for`/`while` or an array method) and work (JS_WORK);
    // an escape can spell any name, so a file with one is always parsed.
    triggers: [
      (text, _o, kind) =>
        kind === 'python'
          ? /\b(for|while)\b/.test(text) && pyHandlerShape(text) && PY_WORK.test(text)
          : jsHasEscape(text) ||
            (jsHandlerShape(text) &&
              (/\b(for|while)\b/.test(text) || someMatch(text, JS_ARRAY_LOOP, () => true)) &&
              (JS_WORK.test(text) || JS_REQUEST_BINDING.test(text))),
    ],
    messages: {
      direct: 'This loop in the request handler {handler} runs {call} (line {line}), which {what}, once per iteration.',
      viaHelper: 'This loop in the request handler {handler} calls {call} (line {line}), which {what}, once per iteration.',
    },
    docs: {
      why:
        'A handler that sends one email or makes one API call per recipient, item or row holds the request (and a worker process or thread) for the sum of all those network round trips: 200 recipients at 300 ms each is a minute, far past the proxy and load-balancer timeouts, so the user sees an error while half the mails went out, retries send them twice, and the blocked workers stop serving everyone else. The seed checklists call it "bulk sends block the request thread".',
      fix:
        'Hand the work to a queue and return at once: Celery `task.delay(...)` / `apply_async`, RQ `queue.enqueue(...)`, Dramatiq, FastAPI `BackgroundTasks.add_task` for small jobs, Django-Q/Huey; in Node BullMQ `queue.add(...)`, Agenda or a managed queue (SQS, Cloud Tasks). Send one task per batch or per recipient from the handler, let the worker retry failures, and report progress through a job status endpoint. For APIs, prefer a bulk endpoint (one call with all items).',
      references: [
        'https://docs.celeryq.dev/en/stable/getting-started/first-steps-with-celery.html',
        'https://fastapi.tiangolo.com/tutorial/background-tasks/',
        'https://python-rq.org/',
        'https://docs.bullmq.io/',
        'https://flask.palletsprojects.com/en/latest/patterns/celery/',
      ],
      examples: [
        {
          file: 'routes.py',
          bad: '@app.post("/campaigns/<int:cid>/send")\ndef send(cid):\n    for lead in Lead.query.all():\n        mail.send(build_message(lead))\n    return "", 204',
          good: '@app.post("/campaigns/<int:cid>/send")\ndef send(cid):\n    send_campaign.delay(cid)  # Celery task loops over the leads\n    return "", 202',
        },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      const handlers = pyHandlers(py, ctx.path);
      if (handlers.length === 0) return;
      const helperWork = (callee: string): Work | undefined => pyHelperWork(py, ctx.path, callee, ctx.project);
      for (const fn of handlers) {
        // The outermost loops of the handler: a nested loop is reported once, at the loop the work should leave.
        const loops = py.loops.filter((l) => within(l.range, fn.bodyRange));
        const outer = loops.filter((l) => !loops.some((o) => o !== l && within(l.range, o.range)));
        for (const loop of outer) {
          for (const call of py.calls) {
            if (!within(call.range, loop.bodyRange) || (loop.iter && within(call.range, loop.iter.range))) continue;
            const direct = pyWork(call, py);
            const work = direct ?? (call.callee ? helperWork(call.callee) : undefined);
            if (!work) continue;
            ctx.report({
              messageId: direct ? 'direct' : 'viaHelper',
              data: { call: `${call.callee}()`, line: call.line, what: WHAT[work], handler: [...fn.scope.classes, fn.name].join('.') },
              at: { start: loop.range.start, end: Math.max(loop.range.start, loop.bodyRange.start) },
            });
            break;
          }
        }
      }
    },
    script(ctx) {
      const { js } = ctx;
      const routes = scriptRoutes(js, ctx.path).filter((r) => r.handler);
      if (routes.length === 0) return;
      const helpers = jsLocalFunctions(js.sf);
      const helperWork = (name: string): Work | undefined => {
        const fn = helpers.get(name);
        if (!fn?.body) return undefined;
        let found: Work | undefined;
        walk(fn.body, (n) => {
          if (found) return false;
          if (ts.isCallExpression(n)) found = jsWork(n, js);
          return undefined;
        });
        return found;
      };
      for (const route of routes) {
        const body = route.handler!.body;
        if (!body) continue;
        const loops = jsLoopsIn(body);
        const outer = loops.filter((l) => !loops.some((o) => o !== l && o.loop.pos <= l.loop.pos && l.loop.end <= o.loop.end));
        for (const { loop, body: loopBody } of outer) {
          let hit: { call: string; line: number; work: Work; direct: boolean } | undefined;
          walk(loopBody, (n) => {
            if (hit) return false;
            if (!ts.isCallExpression(n)) return undefined;
            const callee = dotted(unwrap(n.expression));
            const direct = jsWork(n, js);
            const work = direct ?? (callee && !callee.includes('.') ? helperWork(callee) : undefined);
            if (work) hit = { call: callee || 'call', line: js.line(n.getStart(js.sf)), work, direct: !!direct };
            return undefined;
          });
          if (!hit) continue;
          const handler = route.handlerName ?? `${route.methods.join('/')} ${route.path ?? ''}`.trim();
          const start = loop.getStart(js.sf);
          ctx.report({
            messageId: hit.direct ? 'direct' : 'viaHelper',
            data: { call: `${hit.call}()`, line: hit.line, what: WHAT[hit.work], handler },
            at: { start, end: Math.min(loop.end, loopBody.getStart(js.sf)) },
          });
        }
      }
    },
  },
});
