/**
 * HTTP routes and their handlers, from parse trees, for every framework we audit:
 *   Flask     @app.route('/x', methods=[...]), @bp.post('/x'), app.add_url_rule('/x', view_func=f)
 *   FastAPI   @app.post('/x'), @router.api_route('/x', methods=[...])
 *   Django    urlpatterns: path('x/', views.f), re_path(...), url(...); views by decorator
 *   Express   app.post('/x', mw, handler), router.route('/x').post(handler), app.all(...)
 *   Fastify   fastify.post('/x', { preHandler }, handler), fastify.route({ method, url, handler })
 *   Koa       router.post('/x', handler) (koa-router / @koa/router)
 *   NestJS    @Controller('auth') class { @Post('login') m() {} }
 *   Next.js   pages/api/**  (default export), app/**\/route.ts (exported GET/POST/...)
 * Rules use this to find login routes, state-changing routes and handler bodies.
 * The API is stable: add fields, never change or remove them (other rules depend on it).
 */
import type { TextRange } from '../../src/engine/types.js';
import { dottedName, type PyCall, type PyExpr, type PyFunction, type PyModule } from '../../src/parsers/python.js';
import { dotted, literalValue, objectProps, ts, unwrap, type JsCall, type ScriptModule } from '../../src/parsers/script.js';

export type RouteFramework = 'flask' | 'fastapi' | 'django' | 'express' | 'fastify' | 'koa' | 'nestjs' | 'nextjs';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const METHOD_NAMES = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all']);
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'ANY']);

export interface RouteBase {
  readonly framework: RouteFramework;
  /** The URL path as written (Nest: controller prefix joined), or undefined when not a literal. */
  readonly path: string | undefined;
  /** Upper-case methods. `ANY` when every method is accepted (app.all, Django views without a method decorator). */
  readonly methods: readonly string[];
  /** Handler function name when known ("login", "AuthController.login"). */
  readonly handlerName: string | undefined;
  /** Where a finding about the route goes: the route decorator or the registering call. */
  readonly at: TextRange;
  readonly line: number;
  /** Object the route is registered on ("app", "bp", "router"), when there is one. */
  readonly receiver: string | undefined;
}

export interface PyRoute extends RouteBase {
  readonly framework: 'flask' | 'fastapi' | 'django';
  /** The view function, when defined in this module. */
  readonly handler: PyFunction | undefined;
  /** All decorators of the handler (empty when the handler is not in this module). */
  readonly decorators: readonly PyExpr[];
  /** Django urlpatterns / add_url_rule: the view as written ("views.login", "LoginView.as_view()"). */
  readonly viewRef: string | undefined;
}

export interface JsRoute extends RouteBase {
  /** Route-level middleware: Express/Koa arguments between the path and the handler; Fastify preHandler/onRequest; Nest guards in @UseGuards. */
  readonly middleware: readonly ts.Expression[];
  /** The handler function: inline, or declared in this file and referenced by name. */
  readonly handler: ts.FunctionLikeDeclaration | undefined;
  /** Nest: decorators on the method and on its controller class. */
  readonly decorators: readonly ts.Decorator[];
  /** The registering call (Express/Fastify/Koa), the method (Nest) or the exported function (Next.js). */
  readonly node: ts.Node;
  /** Fastify: the route options object (`{ config: { rateLimit } }`), when given. */
  readonly options: ts.ObjectLiteralExpression | undefined;
}

// ---------------------------------------------------------------- Python

const pyCache = new WeakMap<PyModule, PyRoute[]>();

/** Every route declared in a Python module. `path` (the file's path) enables Django urls.py detection. */
export function pythonRoutes(py: PyModule, filePath = ''): readonly PyRoute[] {
  const hit = pyCache.get(py);
  if (hit) return hit;
  const out: PyRoute[] = [];
  const fns = new Map(py.functions.filter((f) => f.scope.functions.length === 0).map((f) => [f.name, f]));
  for (const fn of py.functions) {
    for (const d of fn.decorators) {
      const r = decoratorRoute(d, fn, py);
      if (r) out.push(r);
    }
  }
  for (const call of py.calls) {
    const method = call.callee.split('.').at(-1);
    const receiver = call.callee.split('.').slice(0, -1).join('.');
    // app.add_url_rule('/login', 'login', login, methods=['POST']) / view_func=login
    if (method === 'add_url_rule' && receiver) {
      const view = call.keyword('view_func') ?? call.positional[2];
      const viewName = view ? dottedName(view) : undefined;
      const handler = viewName ? fns.get(viewName) : undefined;
      out.push({
        framework: 'flask',
        path: strOf(call.positional[0] ?? call.keyword('rule')),
        methods: methodsOf(call.keyword('methods')) ?? ['GET'],
        handlerName: viewName,
        at: call.range,
        line: call.line,
        receiver,
        handler,
        decorators: handler?.decorators ?? [],
        viewRef: view?.text,
      });
    }
    // Django urlpatterns: path('login/', views.login_view), re_path(r'^login/$', ...), url(...)
    if (isDjangoUrlCall(call, py, filePath)) {
      const view = call.positional[1] ?? call.keyword('view');
      if (!view || (view.kind === 'call' && /(^|\.)include$/.test(view.call.qualified))) continue;
      const ref = view.kind === 'call' ? dottedName(view.call.func) : dottedName(view);
      const local = ref ? fns.get(ref) : undefined;
      out.push({
        framework: 'django',
        path: strOf(call.positional[0] ?? call.keyword('route')),
        methods: local ? djangoMethods(local, py) : ['ANY'],
        handlerName: ref?.replace(/\.as_view$/, ''),
        at: call.range,
        line: call.line,
        receiver: undefined,
        handler: local,
        decorators: local?.decorators ?? [],
        viewRef: view.text,
      });
    }
  }
  pyCache.set(py, out);
  return out;
}

function decoratorRoute(d: PyExpr, fn: PyFunction, py: PyModule): PyRoute | undefined {
  if (d.kind !== 'call') return undefined;
  const call = d.call;
  const parts = call.callee.split('.');
  if (parts.length < 2) return undefined;
  const method = parts.at(-1)!;
  const receiver = parts.slice(0, -1).join('.');
  const framework = pyFrameworkOf(receiver, py, fn.scope);
  if (!framework) return undefined;
  let methods: string[] | undefined;
  if (method === 'route' || method === 'api_route') methods = methodsOf(call.keyword('methods')) ?? (framework === 'flask' ? ['GET'] : ['GET']);
  else if (METHOD_NAMES.has(method) && method !== 'all') methods = [method.toUpperCase()];
  else if (method === 'websocket' || method === 'websocket_route') return undefined;
  if (!methods) return undefined;
  return {
    framework,
    path: strOf(call.positional[0] ?? call.keyword('path') ?? call.keyword('rule')),
    methods,
    handlerName: fn.name,
    at: d.range,
    line: call.line,
    receiver,
    handler: fn,
    decorators: fn.decorators,
    viewRef: undefined,
  };
}

/** Is `receiver` a Flask app/blueprint or a FastAPI app/router? */
function pyFrameworkOf(receiver: string, py: PyModule, scope?: PyFunction['scope']): 'flask' | 'fastapi' | undefined {
  const bound = py.instanceOf(receiver, scope) ?? py.instanceOf(receiver);
  if (bound) {
    if (/^(flask\.(Flask|Blueprint)|quart\.(Quart|Blueprint)|apiflask\.(APIFlask|APIBlueprint)|flask_smorest\.Blueprint)$/.test(bound)) return 'flask';
    if (/^(fastapi\.(FastAPI|APIRouter)|fastapi\.routing\.APIRouter|starlette\.applications\.Starlette)$/.test(bound)) return 'fastapi';
    return undefined; // bound to something else (a limiter, a cache, a client)
  }
  const flask = py.importsModule('flask') || py.importsModule('quart') || py.importsModule('apiflask');
  const fastapi = py.importsModule('fastapi');
  if (flask && !fastapi) return 'flask';
  if (fastapi && !flask) return 'fastapi';
  if (flask && fastapi) return /router/i.test(receiver) ? 'fastapi' : 'flask';
  // A blueprint or router defined in another module of a Flask/FastAPI project: `from . import bp`.
  if (/(^|_)(bp|blueprint|router|routes|api|app)$/i.test(receiver)) return /router/i.test(receiver) ? 'fastapi' : 'flask';
  return undefined;
}

function isDjangoUrlCall(call: PyCall, py: PyModule, filePath: string): boolean {
  const q = call.qualified;
  if (/^django\.(urls\.(path|re_path)|conf\.urls\.url)$/.test(q)) return true;
  return /(^|\/)urls\.py$/.test(filePath) && /^(path|re_path|url)$/.test(call.callee) && py.importsModule('django');
}

/** Django view methods from @require_POST / @require_http_methods([...]) / @require_GET; ANY otherwise. */
function djangoMethods(fn: PyFunction, py: PyModule): string[] {
  for (const d of fn.decorators) {
    const name = d.kind === 'call' ? d.call.qualified : py.qualify(dottedName(d) ?? '');
    if (/require_POST$/.test(name)) return ['POST'];
    if (/require_GET$|require_safe$/.test(name)) return ['GET'];
    if (d.kind === 'call' && /require_http_methods$/.test(name)) return methodsOf(d.call.positional[0]) ?? ['ANY'];
    if (d.kind === 'call' && /(^|\.)api_view$/.test(name)) return methodsOf(d.call.positional[0]) ?? ['GET'];
  }
  return ['ANY'];
}

function methodsOf(e: PyExpr | undefined): string[] | undefined {
  if (!e || (e.kind !== 'list' && e.kind !== 'tuple' && e.kind !== 'set')) return undefined;
  const out = e.elements.filter((x): x is PyExpr & { kind: 'str' } => x.kind === 'str').map((x) => x.value.toUpperCase());
  return out.length ? out : undefined;
}

function strOf(e: PyExpr | undefined): string | undefined {
  return e?.kind === 'str' ? e.value : undefined;
}

/** Django class-based views in a module: classes deriving from View / APIView / a generic view, with their method handlers. */
export function djangoClassViews(py: PyModule): { name: string; range: TextRange; methods: PyFunction[]; bases: readonly string[] }[] {
  const out: { name: string; range: TextRange; methods: PyFunction[]; bases: readonly string[] }[] = [];
  for (const c of py.classes) {
    if (!c.bases.some((b) => /(^django\.|^rest_framework\.|(^|\.)(View|APIView|GenericAPIView|FormView|LoginView|ViewSet|ModelViewSet)$)/.test(b))) continue;
    const methods = py.functions.filter((f) => f.scope.classes.at(-1) === c.name && f.scope.functions.length === 0 && /^(get|post|put|patch|delete|form_valid|create|update)$/.test(f.name));
    out.push({ name: c.name, range: c.range, methods, bases: c.bases });
  }
  return out;
}

// ---------------------------------------------------------------- Python handler bodies

/** Is `inner` inside `outer`? */
export function within(inner: TextRange, outer: TextRange): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

/** Calls made inside a function body (nested functions included). */
export function callsIn(py: PyModule, fn: PyFunction): PyCall[] {
  return py.calls.filter((c) => within(c.range, fn.bodyRange));
}

/** Assignments inside a function body. */
export function assignmentsIn(py: PyModule, fn: PyFunction): PyModule['assignments'][number][] {
  return py.assignments.filter((a) => within(a.range, fn.bodyRange));
}

/** The innermost function whose body contains `range`. */
export function enclosingPyFunction(py: PyModule, range: TextRange): PyFunction | undefined {
  let best: PyFunction | undefined;
  for (const f of py.functions) {
    if (within(range, f.bodyRange) && (!best || f.bodyRange.start >= best.bodyRange.start)) best = f;
  }
  return best;
}

// ---------------------------------------------------------------- JS / TS

const jsCache = new WeakMap<ScriptModule, JsRoute[]>();

/** Every route declared in a JS/TS module. `filePath` enables Next.js file-system routes. */
export function scriptRoutes(js: ScriptModule, filePath = ''): readonly JsRoute[] {
  const hit = jsCache.get(js);
  if (hit) return hit;
  const out: JsRoute[] = [];
  // The module's named functions, walked for only when a route's handler is an identifier: most
  // modules have no route call, and the walk was a quarter of scriptRoutes' time.
  let decls: Map<string, ts.FunctionLikeDeclaration> | undefined;
  const fnDecls = () => (decls ??= localFunctions(js.sf));
  const resolve = (e: ts.Expression | undefined): ts.FunctionLikeDeclaration | undefined => {
    if (!e) return undefined;
    const u = unwrap(e);
    if (ts.isArrowFunction(u) || ts.isFunctionExpression(u)) return u;
    if (ts.isIdentifier(u)) return fnDecls().get(u.text);
    // asyncHandler(async (req, res) => ...), catchAsync(fn)
    if (ts.isCallExpression(u) && u.arguments.length === 1) return resolve(u.arguments[0]);
    return undefined;
  };
  for (const call of js.calls()) {
    const r = callRoute(call, js, resolve);
    if (r) out.push(r);
  }
  out.push(...nestRoutes(js));
  out.push(...nextRoutes(js, filePath, fnDecls));
  out.sort((a, b) => a.at.start - b.at.start || a.at.end - b.at.end);
  jsCache.set(js, out);
  return out;
}

function callRoute(call: JsCall, js: ScriptModule, resolve: (e: ts.Expression | undefined) => ts.FunctionLikeDeclaration | undefined): JsRoute | undefined {
  if (call.isNew || !ts.isPropertyAccessExpression(call.node.expression)) return undefined;
  const method = call.node.expression.name.text;
  const target = call.node.expression.expression;
  // router.route('/x').post(handler), router.route('/x').get(a).delete(b)
  let routeCall: ts.Expression = target;
  while (ts.isCallExpression(routeCall) && ts.isPropertyAccessExpression(routeCall.expression) && METHOD_NAMES.has(routeCall.expression.name.text)) routeCall = routeCall.expression.expression;
  if (ts.isCallExpression(routeCall) && ts.isPropertyAccessExpression(routeCall.expression) && routeCall.expression.name.text === 'route' && METHOD_NAMES.has(method)) {
    const route = routeCall as ts.CallExpression & { expression: ts.PropertyAccessExpression };
    const recv = dotted(route.expression.expression);
    const fw = jsFrameworkOf(recv, js);
    if (fw !== 'express') return undefined;
    const args = call.args;
    const handlerExpr = args.at(-1);
    return {
      framework: 'express',
      path: strLit(route.arguments[0]),
      methods: method === 'all' ? ['ANY'] : [method.toUpperCase()],
      handlerName: handlerExpr && ts.isIdentifier(unwrap(handlerExpr)) ? (unwrap(handlerExpr) as ts.Identifier).text : undefined,
      at: call.range,
      line: call.line,
      receiver: recv,
      middleware: args.slice(0, -1),
      handler: resolve(handlerExpr),
      decorators: [],
      node: call.node,
      options: undefined,
    };
  }
  const recv = dotted(target);
  if (!recv) return undefined;
  const fw = jsFrameworkOf(recv, js);
  if (!fw) return undefined;
  // fastify.route({ method: 'POST', url: '/login', handler })
  if (method === 'route' && fw === 'fastify') {
    const opts = call.args[0] && ts.isObjectLiteralExpression(unwrap(call.args[0])) ? (unwrap(call.args[0]) as ts.ObjectLiteralExpression) : undefined;
    if (!opts) return undefined;
    const p = objectProps(opts);
    const m = p.get('method')?.value;
    const methods = m ? (ts.isArrayLiteralExpression(unwrap(m)) ? (unwrap(m) as ts.ArrayLiteralExpression).elements.map((x) => String(literalValue(x) ?? '').toUpperCase()) : [String(literalValue(m) ?? 'ANY').toUpperCase()]) : ['ANY'];
    return {
      framework: 'fastify',
      path: strLit(p.get('url')?.value ?? p.get('path')?.value),
      methods,
      handlerName: undefined,
      at: call.range,
      line: call.line,
      receiver: recv,
      middleware: fastifyHooks(opts),
      handler: resolve(p.get('handler')?.value),
      decorators: [],
      node: call.node,
      options: opts,
    };
  }
  if (!METHOD_NAMES.has(method)) return undefined;
  const args = call.args;
  const path = strLit(args[0]);
  // `app.get('env')`, `app.get('trust proxy')` are settings, not routes: a route has a handler after the path.
  if (args.length < 2) return undefined;
  if (path === undefined && !(args[0] && (ts.isRegularExpressionLiteral(args[0]) || ts.isArrayLiteralExpression(args[0]) || ts.isTemplateExpression(args[0]) || ts.isIdentifier(args[0]) || ts.isPropertyAccessExpression(args[0])))) return undefined;
  const handlerExpr = args.at(-1);
  let options: ts.ObjectLiteralExpression | undefined;
  let middleware = args.slice(1, -1);
  if (fw === 'fastify') {
    const o = args[1] && args.length >= 3 ? unwrap(args[1]) : undefined;
    options = o && ts.isObjectLiteralExpression(o) ? o : undefined;
    middleware = options ? fastifyHooks(options) : [];
  }
  const h = handlerExpr ? unwrap(handlerExpr) : undefined;
  return {
    framework: fw,
    path,
    methods: method === 'all' ? ['ANY'] : [method.toUpperCase()],
    handlerName: h && ts.isIdentifier(h) ? h.text : h && ts.isPropertyAccessExpression(h) ? dotted(h) : undefined,
    at: call.range,
    line: call.line,
    receiver: recv,
    middleware,
    handler: resolve(handlerExpr),
    decorators: [],
    node: call.node,
    options,
  };
}

function fastifyHooks(opts: ts.ObjectLiteralExpression): ts.Expression[] {
  const p = objectProps(opts);
  const out: ts.Expression[] = [];
  for (const k of ['preHandler', 'onRequest', 'preValidation']) {
    const v = p.get(k)?.value;
    if (!v) continue;
    const u = unwrap(v);
    if (ts.isArrayLiteralExpression(u)) out.push(...u.elements);
    else out.push(u);
  }
  return out;
}

/** Which server framework `recv` is an instance of in this module (Express app/Router, Fastify instance, koa-router). */
export function jsFrameworkOf(recv: string, js: ScriptModule): 'express' | 'fastify' | 'koa' | undefined {
  const head = recv.split('.').at(-1)!;
  const bound = js.instanceOf(recv) ?? js.instanceOf(head);
  if (bound) {
    if (/^express(\.Router|\.default)?$|^express\.application$/.test(bound)) return 'express';
    if (/^fastify(\.default|\.fastify)?$/.test(bound)) return 'fastify';
    if (/^(koa-router|@koa\/router)(\.default)?$/.test(bound)) return 'koa';
    if (bound === 'Router' || bound === 'express.Router') return 'express';
  }
  const express = js.importsModule('express');
  const fastify = js.importsModule('fastify');
  const koa = js.importsModule('koa-router') || js.importsModule('@koa/router');
  if (/^(app|server|router|api|\w+Router|\w+Routes|routes)$/.test(head)) {
    if (express) return 'express';
    if (koa) return 'koa';
    if (fastify) return 'fastify';
  }
  if (/^(fastify|server|app|instance)$/.test(head) && fastify) return 'fastify';
  return undefined;
}

function strLit(e: ts.Expression | undefined): string | undefined {
  const v = literalValue(e);
  return typeof v === 'string' ? v : undefined;
}

/** Function declarations and `const f = (...) => ...` / `function` expressions at any depth, by name. */
function localFunctions(sf: ts.SourceFile): Map<string, ts.FunctionLikeDeclaration> {
  const out = new Map<string, ts.FunctionLikeDeclaration>();
  const visit = (n: ts.Node, depth: number): void => {
    if (depth > 200) return;
    if (ts.isFunctionDeclaration(n) && n.name && n.body) out.set(n.name.text, n);
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      const init = unwrap(n.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) out.set(n.name.text, init);
    }
    ts.forEachChild(n, (c) => visit(c, depth + 1));
  };
  visit(sf, 0);
  return out;
}

/** Decorators of a node (TS 5+ keeps them in modifiers). */
export function decoratorsOf(node: ts.Node): ts.Decorator[] {
  return ts.canHaveDecorators(node) ? [...(ts.getDecorators(node) ?? [])] : [];
}

/** Name of a decorator's callee (`Post` for `@Post('login')`), qualified through imports ("@nestjs/common.Post"). */
export function decoratorName(d: ts.Decorator, js: ScriptModule): string {
  const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
  return js.qualify(dotted(e));
}

function nestRoutes(js: ScriptModule): JsRoute[] {
  if (!js.importsModule('@nestjs/common')) return [];
  const out: JsRoute[] = [];
  const visit = (n: ts.Node, depth: number): void => {
    if (depth > 50) return;
    if (ts.isClassDeclaration(n)) {
      const classDecorators = decoratorsOf(n);
      const ctrl = classDecorators.find((d) => /(^|\.)Controller$/.test(decoratorName(d, js)));
      if (ctrl) {
        const prefix = decoratorPath(ctrl);
        for (const m of n.members) {
          if (!ts.isMethodDeclaration(m)) continue;
          const decs = decoratorsOf(m);
          for (const d of decs) {
            const name = decoratorName(d, js).split('.').at(-1)!;
            if (!/^(Get|Post|Put|Patch|Delete|Head|Options|All)$/.test(name)) continue;
            const sub = decoratorPath(d);
            const path = prefix === undefined && sub === undefined ? undefined : joinPath(prefix ?? '', sub ?? '');
            const guards = [...decs, ...classDecorators]
              .filter((x) => /(^|\.)UseGuards$/.test(decoratorName(x, js)) && ts.isCallExpression(x.expression))
              .flatMap((x) => [...(x.expression as ts.CallExpression).arguments]);
            out.push({
              framework: 'nestjs',
              path,
              methods: name === 'All' ? ['ANY'] : [name.toUpperCase()],
              handlerName: `${n.name?.text ?? 'Controller'}.${m.name.getText(js.sf)}`,
              at: js.range(d),
              line: js.line(d.getStart(js.sf)),
              receiver: n.name?.text,
              middleware: guards,
              handler: m,
              decorators: [...decs, ...classDecorators],
              node: m,
              options: undefined,
            });
          }
        }
      }
    }
    ts.forEachChild(n, (c) => visit(c, depth + 1));
  };
  visit(js.sf, 0);
  return out;
}

function decoratorPath(d: ts.Decorator): string | undefined {
  if (!ts.isCallExpression(d.expression)) return undefined;
  const a = d.expression.arguments[0];
  if (!a) return '';
  const v = literalValue(a);
  if (typeof v === 'string') return v;
  const p = objectProps(a).get('path')?.value;
  const pv = literalValue(p);
  return typeof pv === 'string' ? pv : undefined;
}

function joinPath(a: string, b: string): string {
  const s = `/${a}/${b}`.replace(/\/+/g, '/');
  return s.length > 1 ? s.replace(/\/$/, '') : s;
}

function nextRoutes(js: ScriptModule, filePath: string, fnDecls: () => Map<string, ts.FunctionLikeDeclaration>): JsRoute[] {
  const pages = /(^|\/)pages\/(api\/.*?)(\/index)?\.[cm]?[jt]sx?$/.exec(filePath);
  const app = /(^|\/)app\/(.*?)\/?route\.[cm]?[jt]s$/.exec(filePath);
  if (!pages && !app) return [];
  const out: JsRoute[] = [];
  for (const st of js.sf.statements) {
    if (pages) {
      // export default function handler(req, res) {}  /  export default handler
      let fn: ts.FunctionLikeDeclaration | undefined;
      let node: ts.Node | undefined;
      if (ts.isFunctionDeclaration(st) && hasModifier(st, ts.SyntaxKind.DefaultKeyword) && st.body) {
        fn = st;
        node = st;
      } else if (ts.isExportAssignment(st)) {
        const e = unwrap(st.expression);
        fn = ts.isArrowFunction(e) || ts.isFunctionExpression(e) ? e : ts.isIdentifier(e) ? fnDecls().get(e.text) : ts.isCallExpression(e) && e.arguments[0] && ts.isIdentifier(e.arguments[0]) ? fnDecls().get(e.arguments[0].text) : undefined;
        node = st;
      }
      if (fn && node) out.push(nextRoute(js, `/${pages[2]}`, ['ANY'], fn, node));
    } else if (app) {
      const routePath = `/${app[2]}`.replace(/\/\([^/)]*\)/g, '') || '/';
      if (ts.isFunctionDeclaration(st) && st.name && hasModifier(st, ts.SyntaxKind.ExportKeyword) && /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(st.name.text)) {
        out.push(nextRoute(js, routePath, [st.name.text], st, st));
      } else if (ts.isVariableStatement(st) && hasModifier(st, ts.SyntaxKind.ExportKeyword)) {
        for (const d of st.declarationList.declarations) {
          if (!ts.isIdentifier(d.name) || !/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(d.name.text) || !d.initializer) continue;
          const init = unwrap(d.initializer);
          const fn = ts.isArrowFunction(init) || ts.isFunctionExpression(init) ? init : undefined;
          out.push(nextRoute(js, routePath, [d.name.text], fn, d));
        }
      }
    }
  }
  return out;
}

function nextRoute(js: ScriptModule, path: string, methods: string[], handler: ts.FunctionLikeDeclaration | undefined, node: ts.Node): JsRoute {
  const start = node.getStart(js.sf);
  return { framework: 'nextjs', path, methods, handlerName: undefined, at: { start, end: node.end }, line: js.line(start), receiver: undefined, middleware: [], handler, decorators: [], node, options: undefined };
}

function hasModifier(n: ts.Node, kind: ts.SyntaxKind): boolean {
  return !!(n as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers?.some((m) => m.kind === kind);
}

/** `app.use(...)` calls on Express/Koa/Fastify apps and routers, in source order (global middleware). */
export function appUses(js: ScriptModule): { call: JsCall; receiver: string; path: string | undefined; middleware: readonly ts.Expression[] }[] {
  const out: { call: JsCall; receiver: string; path: string | undefined; middleware: readonly ts.Expression[] }[] = [];
  for (const call of js.calls()) {
    if (call.isNew || !/\.(use|register)$/.test(call.callee)) continue;
    const receiver = call.callee.slice(0, call.callee.lastIndexOf('.'));
    if (!jsFrameworkOf(receiver, js)) continue;
    const path = strLit(call.args[0]);
    out.push({ call, receiver, path, middleware: path === undefined ? call.args : call.args.slice(1) });
  }
  return out;
}

// ---------------------------------------------------------------- classification

export type AuthRouteKind = 'login' | 'register' | 'reset' | 'token' | 'verify';

const AUTH_PATTERNS: readonly [AuthRouteKind, RegExp][] = [
  ['reset', /(^|[/_-])(forgot|reset|recover)[-_]?(password|pass|pw)?s?($|[/_-])|(^|[/_-])password[-_]?(reset|forgot|recover)/i],
  ['register', /(^|[/_-])(register|signup|sign[-_]up|create[-_]account|join)($|[/_-])/i],
  ['token', /(^|[/_-])(token|oauth\/token|refresh[-_]?token|api[-_]?token)($|[/_-])/i],
  ['verify', /(^|[/_-])(verify[-_]?(otp|2fa|mfa|totp|code)|otp|2fa|mfa|two[-_]factor)($|[/_-])/i],
  ['login', /(^|[/_-])(login|log[-_]in|signin|sign[-_]in|authenticate|auth|session|sessions)($|[/_-])/i],
];

/** Is the route an authentication endpoint an attacker would brute-force, and which kind? (by path, then handler name) */
export function authRouteKind(route: Pick<RouteBase, 'path' | 'handlerName'>): AuthRouteKind | undefined {
  for (const subject of [route.path, route.handlerName?.split('.').at(-1)]) {
    if (!subject) continue;
    const s = subject.replace(/<[^>]*>|\{[^}]*\}|:\w+/g, '');
    if (/logout|log[-_]out|signout|sign[-_]out/i.test(s)) return undefined;
    // Token refresh (/auth/refresh, /refresh-token, /token/refresh) takes a server-issued token, not a guessable credential.
    if (/(^|[/_-])refresh([-_]?token)?\/?$/i.test(s)) return undefined;
    for (const [kind, re] of AUTH_PATTERNS) if (re.test(s)) return kind;
  }
  return undefined;
}

/** Does the route accept a state-changing method (POST, PUT, PATCH, DELETE or any)? */
export function isStateChanging(route: Pick<RouteBase, 'methods'>): boolean {
  return route.methods.some((m) => STATE_CHANGING.has(m));
}
