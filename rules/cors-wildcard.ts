import { insertAt, replace } from '../src/engine/edits.js';
import { perProject, projectMemo } from './_shared/project.js';
import type { ProjectFacts } from '../src/engine/facts.js';
import { defineRule } from '../src/engine/rule.js';
import type { Fix, Severity, TextEdit, TextRange } from '../src/engine/types.js';
import { dottedName, type PyCall, type PyExpr, type PyModule } from '../src/parsers/python.js';
import { dotted, enclosingFunction, isStringLike, literalValue, objectProps, propertyName, ts, unwrap, walk, type ScriptModule } from '../src/parsers/script.js';
import { envRead, envWithFallback, preferredJsQuote, readsEnv as jsReadsEnv, resolveConst } from './_shared/js.js';
import {
  configItems,
  envLookup,
  importedModuleFile,
  importOsEdits,
  inDevOnlyClass,
  isSettingsModule,
  isTruthyConst,
  overriddenInProductionSubclasses,
  preferredQuote,
  resolvePyName,
  stripStringMethods,
  type ConfigItem,
} from './_shared/python.js';

const ACAO = /^access-control-allow-origin$/i;
const ACAC = /^access-control-allow-credentials$/i;
/** Origins an attacker controls: a pattern that accepts any of these accepts every site. */
const PROBE_ORIGINS = ['https://attacker.invalid', 'http://evil.example', 'null'];
const ENV_VAR = { name: 'CORS_ORIGINS', description: 'Comma-separated origins allowed to make cross-site requests (https://app.example.com). Unset: no cross-origin access.' };
const CREDENTIALS = ' with credentials allowed: any website can send authenticated requests as the logged-in user and read the answers';

/** How an origin setting lets every site in. */
type Exposure = 'wildcard' | 'reflect' | 'envDefault' | 'envUnset';

interface Hit {
  readonly how: Exposure;
  readonly at: TextRange;
  /** The expression to replace with the allowlist (the literal, or the fallback of an env lookup). */
  readonly replaceRange?: TextRange;
  /** For envDefault: replace the fallback with an empty string instead of the whole value. */
  readonly emptyFallback?: boolean;
}

export default defineRule({
  meta: {
    id: 'cors-wildcard',
    title: 'CORS allows any origin',
    category: 'security',
    severity: 'high',
    confidence: 'high',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs', 'nextjs', 'fastify', 'koa'],
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-942', 'CWE-346'],
    triggers: ['CORS', 'cors', 'cross_origin', 'enableCors', /access-control-allow-origin/i],
    messages: {
      flaskDefault: '{callee} is applied without origins: flask-cors then allows every origin ("*"){credentials}.',
      originsWildcard: 'CORS origins are set to {value}{credentials}.',
      originsEnvDefault: 'CORS origins fall back to {value} when {name} is unset{credentials}.',
      originsEnvUnset: 'CORS origin is {value}: when {name} is unset or empty the cors middleware answers every origin with "*"{credentials}.',
      originsRegex: 'CORS origin pattern {value} matches any origin{credentials}.',
      djangoAllowAll: '{key} = True lets every origin make cross-site requests{credentials}.',
      djangoEnvDefault: '{key} defaults to True when {name} is unset{credentials}.',
      expressDefault: '{callee}() without an origin option answers every origin with "*"{credentials}.',
      reflectOrigin: 'CORS origin {value} echoes back whatever Origin the request sends{credentials}.',
      nestDefault: '{what} turns on CORS for every origin{credentials}.',
      manualHeader: 'Access-Control-Allow-Origin is set to "*" by hand{credentials}.',
      manualReflect: 'Access-Control-Allow-Origin echoes the request Origin header without checking it{credentials}.',
    },
    docs: {
      why:
        'Access-Control-Allow-Origin "*" (or an origin echoed back unchecked) lets any website read your API responses from a visitor\'s browser. With credentials allowed, every site the user visits can call the API with the user\'s cookies or session and read the results: account data, CSRF tokens, anything the user can see. Libraries that refuse "*" with credentials (browsers do too) are usually "fixed" by reflecting the request origin, which is the same hole.',
      fix:
        'List the origins that may call the API, read from configuration: `CORS(app, origins=os.environ["CORS_ORIGINS"].split(","))`, `allow_origins=settings.cors_origins`, `cors({ origin: process.env.CORS_ORIGINS.split(",") })`, `CORS_ALLOWED_ORIGINS = [...]` in Django. Allow credentials only for those listed origins. Public, unauthenticated APIs (no cookies, no Authorization) may use "*" on purpose: suppress the finding with a reason. The fix reads the allowlist from CORS_ORIGINS and is unsafe: until CORS_ORIGINS is set in each environment, browsers on other origins (including your own front end on another host) are refused.',
      whenNotTo: 'A public read-only API with no cookies or tokens, meant to be called from any site.',
      references: [
        'https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS',
        'https://portswigger.net/web-security/cors',
        'https://flask-cors.readthedocs.io/en/latest/configuration.html',
        'https://www.starlette.io/middleware/#corsmiddleware',
        'https://github.com/adamchainz/django-cors-headers#configuration',
        'https://github.com/expressjs/cors#configuration-options',
        'https://cwe.mitre.org/data/definitions/942.html',
      ],
      examples: [
        {
          file: 'app.py',
          bad: 'from flask_cors import CORS\n\nCORS(app, supports_credentials=True)\n',
          good: 'import os\n\nfrom flask_cors import CORS\n\nCORS(app, origins=os.environ["CORS_ORIGINS"].split(","), supports_credentials=True)\n',
        },
        {
          file: 'main.py',
          bad: 'from fastapi.middleware.cors import CORSMiddleware\n\napp.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n',
          good: 'from fastapi.middleware.cors import CORSMiddleware\n\napp.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True)\n',
        },
        {
          file: 'server.js',
          bad: "const cors = require('cors');\n\napp.use(cors({ origin: true, credentials: true }));\n",
          good: "const cors = require('cors');\n\napp.use(cors({ origin: process.env.CORS_ORIGINS.split(','), credentials: true }));\n",
        },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      const q = preferredQuote(py);
      const allowlist = `[origin for origin in os.environ.get(${q}CORS_ORIGINS${q}, ${q}${q}).split(${q},${q}) if origin]`;
      const importOs = importOsEdits(py);
      const project = corsConfig(ctx.project);
      const report = (messageId: Parameters<typeof ctx.report>[0]['messageId'], at: TextRange, credentials: boolean, data: Record<string, string>, fix?: Fix) =>
        ctx.report({ messageId, at, data: { ...data, credentials: credentials ? CREDENTIALS : '' }, severity: severityOf(credentials), ...(fix ? { fix } : {}) });
      const fixFor = (edits: TextEdit[], envName?: string): Fix => ({
        title: envName ? `Allow no origins when ${envName} is unset` : 'Read the allowed origins from CORS_ORIGINS',
        applicability: 'unsafe',
        edits: envName ? edits : [...importOs, ...edits],
        envVars: [envName ? { ...ENV_VAR, name: envName } : ENV_VAR],
      });
      const hitEdits = (hit: Hit): TextEdit[] | undefined => {
        if (hit.emptyFallback && hit.replaceRange) return [replace(hit.replaceRange, `${q}${q}`)];
        return hit.replaceRange ? [replace(hit.replaceRange, allowlist)] : undefined;
      };
      const reportHit = (hit: Hit, credentials: boolean, name: string | undefined) => {
        const edits = hitEdits(hit);
        const value = py.text.slice(hit.at.start, hit.at.end);
        const messageId = hit.how === 'envDefault' ? 'originsEnvDefault' : hit.how === 'reflect' ? 'originsRegex' : 'originsWildcard';
        report(messageId, hit.at, credentials, { value, name: name ?? 'the variable' }, edits ? fixFor(edits, hit.emptyFallback ? (name ?? 'the variable') : undefined) : undefined);
      };

      // flask-cors: CORS(app, ...), CORS().init_app(app, ...), @cross_origin(...)
      for (const call of py.calls) {
        const options = flaskCorsOptions(call, py, ctx.path, ctx.project);
        if (!options) continue;
        const scope = call.scope.functions;
        const credentials = isTruthyConst(resolvePyName(py, options.get('supports_credentials'), scope)) || project.flaskCredentials;
        const seen = new Set<number>();
        const origins = options.get('origins');
        let needsDefault = false;
        const resources = options.has('resources') ? resolvePyName(py, options.get('resources'), scope) : undefined;
        if (resources?.kind === 'dict') {
          for (const entry of resources.entries) {
            const r = resolvePyName(py, entry.value, scope);
            if (r?.kind !== 'dict') {
              needsDefault = true;
              continue;
            }
            const o = dictGet(r, 'origins');
            const resourceCreds = credentials || isTruthyConst(dictGet(r, 'supports_credentials'));
            if (!o) {
              needsDefault = true; // the call-level (or default) origins apply to this resource
              continue;
            }
            const hit = pyOriginHit(o, py, scope);
            if (hit && !seen.has(hit.at.start)) {
              seen.add(hit.at.start);
              reportHit(hit, resourceCreds, envNameOf(o, py));
            }
          }
        } else if (resources === undefined || resources.kind === 'str' || resources.kind === 'list' || resources.kind === 'tuple') {
          needsDefault = true;
        }
        if (!needsDefault) continue;
        if (origins) {
          const hit = pyOriginHit(origins, py, scope);
          if (hit && !seen.has(hit.at.start)) reportHit(hit, credentials, envNameOf(origins, py));
          continue;
        }
        if (project.flaskOrigins) continue; // app.config['CORS_ORIGINS'] decides (and is checked where it is set)
        report('flaskDefault', call.calleeRange, credentials, { callee: call.callee }, fixFor([insertKeyword(py.text, call, `origins=${allowlist}`)]));
      }
      // Bare @cross_origin decorator: default options.
      for (const fn of py.functions) {
        for (const d of fn.decorators) {
          const name = dottedName(d);
          if (!name || py.qualify(name) !== 'flask_cors.cross_origin') continue;
          if (project.flaskOrigins) continue;
          report('flaskDefault', d.range, project.flaskCredentials, { callee: `@${name}` }, fixFor([insertAt(d.range.end, `(origins=${allowlist})`)]));
        }
      }

      // Starlette / FastAPI CORSMiddleware
      for (const call of py.calls) {
        if (!isCorsMiddleware(call, py)) continue;
        const scope = call.scope.functions;
        const credentials = isTruthyConst(resolvePyName(py, call.keyword('allow_credentials'), scope));
        const origins = call.keyword('allow_origins');
        if (origins) {
          const hit = pyOriginHit(origins, py, scope);
          if (hit) reportHit(hit, credentials, envNameOf(origins, py));
        }
        const regexArg = call.args.find((a) => a.name === 'allow_origin_regex');
        const regex = resolvePyName(py, regexArg?.value, scope);
        if (regexArg && regex?.kind === 'str' && matchesAnyOrigin(regex.value)) {
          const edits = origins ? undefined : [replace(regexArg.range, `allow_origins=${allowlist}`)];
          report('originsRegex', regex.range, credentials, { value: regex.text }, edits ? fixFor(edits) : undefined);
        }
      }

      // Config keys: django-cors-headers settings, flask-cors app.config keys.
      const settings = isSettingsModule(ctx.path);
      const keys = configItems(py).filter((i) => i.key.startsWith('CORS_') && reachesProduction(i, py, settings));
      const keySet = new Set(keys.map((k) => k.key));
      for (const item of keys) {
        if (item.key === 'CORS_ALLOW_ALL_ORIGINS' || item.key === 'CORS_ORIGIN_ALLOW_ALL') {
          const credentials = project.djangoCredentials;
          if (isTruthyConst(item.value)) {
            const assignment = py.assignments.find((a) => a.topLevel && a.value.range.start === item.value.range.start);
            const hasList = keySet.has('CORS_ALLOWED_ORIGINS') || keySet.has('CORS_ORIGIN_WHITELIST');
            const edits =
              item.value.kind !== 'bool'
                ? undefined
                : hasList || !assignment || item.shape !== 'module'
                  ? [replace(item.value.range, 'False')]
                  : [replace(assignment.range, `CORS_ALLOWED_ORIGINS = ${allowlist}`)];
            report('djangoAllowAll', item.range, credentials, { key: item.key }, edits ? fixFor(edits) : undefined);
            continue;
          }
          const look = envLookup(stripStringMethods(item.value), py);
          if (look?.fallback && isTruthyConst(look.fallback)) {
            const edits = look.fallback.kind === 'bool' ? [replace(look.fallback.range, 'False')] : undefined;
            const fix = edits ? { title: `Default ${item.key} to False`, applicability: 'unsafe' as const, edits } : undefined;
            report('djangoEnvDefault', look.fallback.range, credentials, { key: item.key, name: look.name ?? 'the variable' }, fix);
          }
          continue;
        }
        if (item.key === 'CORS_ALLOWED_ORIGIN_REGEXES' || item.key === 'CORS_ORIGIN_REGEX_WHITELIST') {
          const v = resolvePyName(py, item.value);
          const elements = v?.kind === 'list' || v?.kind === 'tuple' ? v.elements : v ? [v] : [];
          for (const el of elements) {
            if (el.kind === 'str' && matchesAnyOrigin(el.value)) report('originsRegex', el.range, project.djangoCredentials, { value: el.text });
          }
          continue;
        }
        if (item.key === 'CORS_ORIGINS') {
          const hit = pyOriginHit(item.value, py, []);
          if (hit) reportHit(hit, project.flaskCredentials, envNameOf(item.value, py));
          continue;
        }
        if (item.key === 'CORS_RESOURCES') {
          const r = resolvePyName(py, item.value);
          if (r?.kind !== 'dict') continue;
          for (const entry of r.entries) {
            const o = entry.value.kind === 'dict' ? dictGet(entry.value, 'origins') : undefined;
            const hit = o ? pyOriginHit(o, py, []) : undefined;
            if (hit && o) reportHit(hit, project.flaskCredentials, envNameOf(o, py));
          }
        }
      }

      // Hand-written headers: response.headers['Access-Control-Allow-Origin'] = '*', headers={...}
      for (const m of pyManualHeaders(py)) report('manualHeader', m.at, m.credentials, {});
    },

    script(ctx) {
      const { js, ast } = ctx;
      const q = preferredJsQuote(js);
      const allowlist = `(process.env.CORS_ORIGINS ?? ${q}${q}).split(${q},${q}).filter(Boolean)`;
      const fixFor = (edits: TextEdit[], envName?: string): Fix => ({
        title: envName ? `Allow no origins when ${envName} is unset` : 'Read the allowed origins from CORS_ORIGINS',
        applicability: 'unsafe',
        edits,
        envVars: [envName ? { ...ENV_VAR, name: envName } : ENV_VAR],
      });
      const report = (messageId: Parameters<typeof ctx.report>[0]['messageId'], at: TextRange, credentials: boolean, data: Record<string, string>, fix?: Fix, confidence?: 'medium') =>
        ctx.report({ messageId, at, data: { ...data, credentials: credentials ? CREDENTIALS : '' }, severity: severityOf(credentials), ...(fix ? { fix } : {}), ...(confidence ? { confidence } : {}) });

      /** Evaluate a cors options object (cors, @fastify/cors, @koa/cors, enableCors, NestFactory `cors`). */
      const checkOptions = (optionsArg: ts.Expression | undefined, defaultHow: 'wildcard' | 'reflect' | undefined, what: { callee: string; at: TextRange; nest?: string }) => {
        const resolved = resolveConst(js, optionsArg);
        if (resolved && !ts.isObjectLiteralExpression(resolved)) {
          if (literalValue(resolved) === true && what.nest && optionsArg) {
            // NestFactory.create(AppModule, { cors: true })
            report('nestDefault', js.range(optionsArg), false, { what: what.nest }, fixFor([replace(js.range(optionsArg), `{ origin: ${allowlist} }`)]));
          }
          return; // a function (dynamic options) or something we cannot see
        }
        const props = objectProps(resolved);
        const credentials = literalValue(props.get('credentials')?.value) === true;
        const origin = props.get('origin');
        const members: readonly ts.ObjectLiteralElementLike[] = resolved && ts.isObjectLiteralExpression(resolved) ? resolved.properties : [];
        const originMethod = members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && propertyName(m.name) === 'origin');
        if (originMethod) {
          if (alwaysAllows(originMethod)) report('reflectOrigin', js.range(originMethod.name), credentials, { value: 'origin()' });
          return;
        }
        if (!origin && members.some((m) => ts.isSpreadAssignment(m) || ts.isGetAccessorDeclaration(m))) return; // origin may come from the spread
        if (!origin) {
          if (!defaultHow) return;
          const inserted = resolved ? insertProperty(js, resolved, `origin: ${allowlist}`) : undefined;
          const edits = inserted ? [inserted] : resolved ? undefined : callWithOptions(js, what, allowlist);
          if (what.nest) report('nestDefault', what.at, credentials, { what: what.nest }, edits ? fixFor(edits) : undefined);
          else if (defaultHow === 'reflect') report('reflectOrigin', what.at, credentials, { value: `(the ${what.callee} default)` }, edits ? fixFor(edits) : undefined);
          else report('expressDefault', what.at, credentials, { callee: what.callee }, edits ? fixFor(edits) : undefined);
          return;
        }
        if (ts.isShorthandPropertyAssignment(origin.node) && !resolveConst(js, origin.value)) return;
        const hit = jsOriginHit(js, origin.value);
        if (!hit) return;
        // Fallbacks become an empty allowlist (`|| []`): the cors package reads '' and undefined as "*".
        const edits =
          hit.emptyFallback && hit.replaceRange
            ? [replace(hit.replaceRange, hit.how === 'envUnset' ? ' || []' : '[]')]
            : hit.replaceRange && ts.isPropertyAssignment(origin.node)
              ? [replace(hit.replaceRange, allowlist)]
              : undefined;
        const value = js.text.slice(hit.at.start, hit.at.end);
        const messageId = hit.how === 'wildcard' ? 'originsWildcard' : hit.how === 'reflect' ? 'reflectOrigin' : hit.how === 'envUnset' ? 'originsEnvUnset' : 'originsEnvDefault';
        const envName = envNameJs(origin.value) ?? 'the variable';
        const fix = edits ? fixFor(edits, hit.emptyFallback ? envName : undefined) : undefined;
        report(messageId, hit.at, credentials, { value: value.length > 60 ? `${value.slice(0, 57)}...` : value, name: envName }, fix, hit.how === 'envUnset' ? 'medium' : undefined);
      };

      const nest = js.importsModule('@nestjs/core') || js.importsModule('@nestjs/common');
      for (const call of js.calls()) {
        const pkg = corsPackage(call.qualified);
        if (pkg && !call.isNew) {
          checkOptions(call.args[0], pkg.default, { callee: call.callee, at: js.range(call.node) });
          continue;
        }
        // fastify.register(cors, { origin: '*' })
        if (/\.register$/.test(call.callee) && call.args[0] && ts.isIdentifier(unwrap(call.args[0]))) {
          const registered = corsPackage(js.qualify(dotted(call.args[0])));
          if (registered) checkOptions(call.args[1], registered.default, { callee: dotted(call.args[0]), at: js.range(call.node) });
          continue;
        }
        if (nest && /(^|\.)enableCors$/.test(call.callee)) {
          checkOptions(call.args[0], 'wildcard', { callee: call.callee, at: js.range(call.node), nest: `${call.callee}()` });
          continue;
        }
        if (call.qualified === '@nestjs/core.NestFactory.create') {
          for (const arg of call.args.slice(1)) {
            const cors = objectProps(resolveConst(js, arg)).get('cors');
            if (cors && ts.isPropertyAssignment(cors.node)) {
              const v = unwrap(cors.value);
              if (literalValue(v) === true) checkOptions(v, 'wildcard', { callee: 'NestFactory.create', at: js.range(v), nest: 'NestFactory.create(..., { cors: true })' });
              else if (ts.isObjectLiteralExpression(resolveConst(js, v) ?? v)) checkOptions(v, 'wildcard', { callee: 'NestFactory.create', at: js.range(cors.node), nest: 'NestFactory.create(..., { cors: {} })' });
            }
          }
        }
      }

      // Hand-written headers.
      for (const m of jsManualHeaders(js, ast)) report(m.how === 'reflect' ? 'manualReflect' : 'manualHeader', m.at, m.credentials, {});
    },
  },
});

function severityOf(credentials: boolean): Severity | undefined {
  return credentials ? 'critical' : undefined;
}

// ---------------------------------------------------------------------------------------------
// Python

/**
 * Options of a flask-cors call, or undefined when the call is not one. `CORS()` without an app defers
 * to `init_app`, whose options extend the constructor's; the extension object may live in another
 * module (`from .extensions import cors`).
 */
function flaskCorsOptions(call: PyCall, py: PyModule, path: string, project: ProjectFacts): Map<string, PyExpr> | undefined {
  const kwargs = (c: PyCall) => new Map(c.args.filter((a) => a.name && a.name !== '*' && a.name !== '**').map((a) => [a.name!, a.value] as const));
  if (call.qualified === 'flask_cors.cross_origin') return kwargs(call);
  if (call.qualified === 'flask_cors.CORS') {
    const hasApp = call.positional.length > 0 || call.keyword('app') !== undefined;
    return hasApp ? kwargs(call) : undefined;
  }
  const parts = call.callee.split('.');
  if (parts.length !== 2 || parts[1] !== 'init_app') return undefined;
  const ctorIn = (m: PyModule, name: string) =>
    m.assignments.find((a) => a.topLevel && a.target === name && a.value.kind === 'call' && a.value.call.qualified === 'flask_cors.CORS');
  let ctor = py.instanceOf(parts[0]!) === 'flask_cors.CORS' ? ctorIn(py, parts[0]!) : undefined;
  if (!ctor) {
    const source = importedModuleFile(path, py.qualify(parts[0]!), project.fileSet);
    const other = source && project.readText(source.path)?.includes('CORS') ? project.python(source.path) : undefined;
    ctor = other && source ? ctorIn(other, source.member) : undefined;
  }
  if (ctor?.value.kind !== 'call') return undefined;
  // Constructor options are defaults for init_app's.
  const merged = kwargs(ctor.value.call);
  for (const [k, v] of kwargs(call)) merged.set(k, v);
  return merged;
}

function isCorsMiddleware(call: PyCall, py: PyModule): boolean {
  const isClass = (q: string) => /(^|\.)CORSMiddleware$/.test(q) && /^(starlette|fastapi)\./.test(q);
  if (isClass(call.qualified)) return true;
  const first = call.positional[0];
  const name = first ? dottedName(first) : undefined;
  return !!name && isClass(py.qualify(name)) && /(^|\.)(add_middleware|Middleware)$/.test(call.qualified);
}

function dictGet(d: PyExpr & { kind: 'dict' }, key: string): PyExpr | undefined {
  return d.entries.find((e) => e.key?.kind === 'str' && e.key.value === key)?.value;
}

/** Does an origin setting let every origin in: "*", ["*"], r".*", or an env lookup defaulting to one of those? */
function pyOriginHit(e: PyExpr, py: PyModule, scope: readonly string[]): Hit | undefined {
  const v = resolvePyName(py, e, scope);
  if (!v) return undefined;
  // Through a name (`origins=PUBLIC_ORIGINS`): report the use; the binding may serve other code, so no fix.
  if (v !== e) {
    const hit = pyOriginHit(v, py, scope);
    return hit ? { how: hit.how, at: e.range } : undefined;
  }
  if (v.kind === 'str') {
    if (v.value.trim() === '*') return { how: 'wildcard', at: v.range, replaceRange: v.range };
    if (isRegexish(v.value) && matchesAnyOrigin(v.value)) return { how: 'reflect', at: v.range, replaceRange: v.range };
    return undefined;
  }
  if (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'set') {
    const star = v.elements.find((el) => el.kind === 'str' && (el.value.trim() === '*' || (isRegexish(el.value) && matchesAnyOrigin(el.value))));
    if (!star) return undefined;
    const how = star.kind === 'str' && star.value.trim() === '*' ? 'wildcard' : 'reflect';
    return { how, at: star.range, ...(v.elements.length === 1 ? { replaceRange: v.range } : {}) };
  }
  const look = envLookup(stripStringMethods(v), py);
  if (look?.fallback) {
    const fb = stripStringMethods(look.fallback);
    const inner = fb.kind === 'str' || fb.kind === 'list' || fb.kind === 'tuple' ? pyOriginHit(fb, py, scope) : undefined;
    if (inner) return { how: 'envDefault', at: fb.range, ...(fb.kind === 'str' ? { replaceRange: fb.range, emptyFallback: true } : {}) };
  }
  return undefined;
}

function envNameOf(e: PyExpr, py: PyModule): string | undefined {
  const v = resolvePyName(py, e) ?? e;
  return envLookup(stripStringMethods(v), py)?.name;
}

/** `CORS(app)` -> `CORS(app, origins=...)`, keeping a trailing comma and the call's line layout. */
function insertKeyword(text: string, call: PyCall, keyword: string): TextEdit {
  const close = call.argsRange.end - 1;
  const inner = text.slice(call.argsRange.start + 1, close);
  if (inner.trim() === '') return insertAt(close, keyword);
  const trimmed = inner.replace(/\s+$/, '');
  const endOfLast = call.argsRange.start + 1 + trimmed.length;
  if (trimmed.endsWith(',')) {
    // Multi-line call with a trailing comma: add a line in the same style.
    const lastLineStart = text.lastIndexOf('\n', endOfLast - 1);
    const indent = /^[ \t]*/.exec(text.slice(lastLineStart + 1))?.[0] ?? '';
    return lastLineStart > call.argsRange.start ? insertAt(endOfLast, `\n${indent}${keyword},`) : insertAt(endOfLast, ` ${keyword},`);
  }
  return insertAt(endOfLast, `, ${keyword}`);
}

function reachesProduction(item: ConfigItem, py: PyModule, settings: boolean): boolean {
  if (inDevOnlyClass(item)) return false;
  if (item.className && overriddenInProductionSubclasses(py, item.className, item.key)) return false;
  if (item.shape === 'module' && !settings) return false;
  return true;
}

/** Hand-set Access-Control-Allow-Origin "*" (assignment, .add/.set calls, header dicts), each with whether its function also allows credentials. */
function pyManualHeaders(py: PyModule): { at: TextRange; credentials: boolean }[] {
  const wildcards: { at: TextRange; fn: string }[] = [];
  const credentialed = new Set<string>();
  const consider = (name: PyExpr | undefined, value: PyExpr | undefined, fn: string) => {
    if (name?.kind !== 'str' || !value) return;
    if (ACAO.test(name.value) && value.kind === 'str' && value.value.trim() === '*') wildcards.push({ at: value.range, fn });
    if (ACAC.test(name.value) && (isTruthyConst(value) || (value.kind === 'str' && /^true$/i.test(value.value)))) credentialed.add(fn);
  };
  const dict = (e: PyExpr | undefined, fn: string) => {
    if (e?.kind === 'dict') for (const entry of e.entries) consider(entry.key, entry.value, fn);
  };
  for (const a of py.assignments) {
    if (a.op !== '=') continue;
    const fn = a.scope.functions.join('.');
    if (a.targetExpr.kind === 'subscript') consider(a.targetExpr.index, a.value, fn);
    dict(a.value, fn);
  }
  for (const c of py.calls) {
    if (/^(requests|httpx|aiohttp|urllib3?)\./.test(c.qualified) || /(^|\.)(session|client)\.(get|post|put|patch|delete|request)$/.test(c.callee)) continue; // outgoing request headers
    const fn = c.scope.functions.join('.');
    const method = c.callee.split('.').at(-1) ?? '';
    if (/^(add|set|setdefault|add_header|append|__setitem__|append_header)$/.test(method) && c.callee.includes('.')) consider(c.positional[0], c.positional[1], fn);
    for (const arg of c.args) dict(arg.value, fn);
  }
  return wildcards
    .filter((w, i) => wildcards.findIndex((x) => x.at.start === w.at.start) === i)
    .map((w) => ({ at: w.at, credentials: credentialed.has(w.fn) }));
}

/** Per project: flask-cors settings made through app config, and django-cors-headers credentials. */
interface CorsProjectConfig {
  readonly flaskOrigins: boolean;
  readonly flaskCredentials: boolean;
  readonly djangoCredentials: boolean;
}

const PROJECT_CONFIG = projectMemo('cors-wildcard.projectConfig', (project) => scanCorsConfig(project));

function corsConfig(project: ProjectFacts): CorsProjectConfig {
  return perProject(PROJECT_CONFIG, project);
}

function scanCorsConfig(project: ProjectFacts): CorsProjectConfig {
  let flaskOrigins = false;
  let flaskCredentials = false;
  let djangoCredentials = false;
  for (const path of project.files) {
    if (!path.endsWith('.py') || project.contextOf(path) !== 'production') continue;
    const text = project.readText(path);
    if (!text || !text.includes('CORS_')) continue;
    const py = project.python(path);
    if (!py) continue;
    const settings = isSettingsModule(path);
    for (const item of configItems(py)) {
      if (!item.key.startsWith('CORS_') || !reachesProduction(item, py, settings || py.importsModule('flask'))) continue;
      if (item.key === 'CORS_ORIGINS' || item.key === 'CORS_RESOURCES') flaskOrigins = true;
      if (item.key === 'CORS_SUPPORTS_CREDENTIALS' && isTruthyConst(item.value)) flaskCredentials = true;
      if (item.key === 'CORS_ALLOW_CREDENTIALS' && isTruthyConst(item.value)) djangoCredentials = true;
    }
  }
  return { flaskOrigins, flaskCredentials, djangoCredentials };
}

// ---------------------------------------------------------------------------------------------
// JavaScript / TypeScript

/** CORS middleware packages and what they do when no origin is configured. */
function corsPackage(qualified: string): { default: 'wildcard' | 'reflect' } | undefined {
  if (qualified === 'cors' || qualified === 'cors.default' || qualified === '@fastify/cors' || qualified === 'fastify-cors' || qualified === '@fastify/cors.default') return { default: 'wildcard' };
  if (qualified === '@koa/cors' || qualified === 'kcors' || qualified === '@koa/cors.default') return { default: 'reflect' };
  return undefined;
}

function jsOriginHit(js: ScriptModule, e: ts.Expression): Hit | undefined {
  const v = resolveConst(js, e);
  if (!v) return undefined;
  if (v !== unwrap(e)) {
    // Through a constant (`origin: ORIGIN`): report the use; the constant may serve other code, so no fix.
    const hit = jsOriginHit(js, v);
    return hit ? { how: hit.how, at: js.range(e) } : undefined;
  }
  const at = js.range(v);
  const own = { replaceRange: at };
  const lit = literalValue(v);
  if (lit === '*') return { how: 'wildcard', at, ...own };
  if (lit === true) return { how: 'reflect', at, ...own };
  if (ts.isRegularExpressionLiteral(v)) {
    const m = /^\/(.*)\/([a-z]*)$/s.exec(v.text);
    if (m && regexAcceptsAny(m[1]!, m[2]!.includes('i') ? 'i' : '', false)) return { how: 'reflect', at, ...own };
    return undefined;
  }
  if (ts.isArrayLiteralExpression(v)) {
    for (const el of v.elements) {
      const inner = ts.isRegularExpressionLiteral(el) ? jsOriginHit(js, el) : undefined;
      if (inner) return { how: inner.how, at: inner.at };
    }
    return undefined;
  }
  if (ts.isArrowFunction(v) || ts.isFunctionExpression(v)) return alwaysAllows(v) ? { how: 'reflect', at, ...own } : undefined;
  // process.env.CORS_ORIGIN || '*', process.env.X?.split(',') ?? true, process.env.X ? ... : '*'
  if (ts.isBinaryExpression(v) && (v.operatorToken.kind === ts.SyntaxKind.BarBarToken || v.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) && jsReadsEnv(v.left)) {
    const fb = jsOriginHit(js, v.right);
    if (fb) return { how: 'envDefault', at: js.range(v.right), replaceRange: js.range(v.right), emptyFallback: true };
  }
  if (ts.isConditionalExpression(v) && jsReadsEnv(v.condition)) {
    const fb = jsOriginHit(js, v.whenFalse);
    if (fb) return { how: 'envDefault', at: js.range(v.whenFalse), replaceRange: js.range(v.whenFalse), emptyFallback: true };
  }
  // origin: process.env.CORS_ORIGIN — the cors package treats an unset (undefined or '') origin as "*".
  const read = envRead(v);
  if (read?.name && !ts.isCallExpression(v)) return { how: 'envUnset', at, replaceRange: { start: at.end, end: at.end }, emptyFallback: true };
  return undefined;
}

function envNameJs(e: ts.Expression): string | undefined {
  const v = unwrap(e);
  if (ts.isBinaryExpression(v)) return envWithFallback(v)?.name ?? envNameJs(v.left);
  if (ts.isCallExpression(v) && ts.isPropertyAccessExpression(v.expression)) return envNameJs(v.expression.expression);
  if (ts.isPropertyAccessChain(v) || ts.isPropertyAccessExpression(v)) return envWithFallback(v)?.name;
  if (ts.isConditionalExpression(v)) return envWithFallback(v)?.name ?? envNameJs(v.condition);
  return envWithFallback(v)?.name;
}

/**
 * `(origin, cb) => cb(null, true)`: an origin callback that says yes to everything. True when every
 * call of the callback passes `true` (or the origin itself) and none passes an error or false.
 */
function alwaysAllows(fn: ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration): boolean {
  const [originParam, cbParam] = fn.parameters;
  if (!originParam || !cbParam || !ts.isIdentifier(cbParam.name)) {
    // (origin) => true style (some libraries accept a predicate)
    return fn.parameters.length === 1 && !!fn.body && !ts.isBlock(fn.body) && literalValue(fn.body) === true;
  }
  const cb = cbParam.name.text;
  const originName = ts.isIdentifier(originParam.name) ? originParam.name.text : undefined;
  let yes = 0;
  let other = 0;
  if (!fn.body) return false;
  walk(fn.body, (n) => {
    if (!ts.isCallExpression(n) || dotted(n.expression) !== cb) return;
    const err = n.arguments[0];
    const ok = n.arguments[1];
    const noError = !err || literalValue(err) === null || literalValue(err) === undefined && ts.isIdentifier(err) && err.text === 'undefined';
    const allow = literalValue(ok) === true || (!!ok && ts.isIdentifier(ok) && ok.text === originName);
    if (noError && allow) yes++;
    else other++;
  });
  return yes > 0 && other === 0;
}

/** Insert `origin: ...` as the first property of an object literal, matching its layout. */
function insertProperty(js: ScriptModule, obj: ts.Expression, prop: string): TextEdit | undefined {
  if (!ts.isObjectLiteralExpression(obj)) return undefined;
  const first = obj.properties[0];
  if (!first) return replace(js.range(obj), `{ ${prop} }`);
  const start = first.getStart(js.sf);
  const lineStart = js.text.lastIndexOf('\n', start - 1) + 1;
  const before = js.text.slice(lineStart, start);
  if (/^[ \t]*$/.test(before) && lineStart > obj.getStart(js.sf)) return insertAt(start, `${prop},\n${before}`);
  return insertAt(start, `${prop}, `);
}

/** `cors()` -> `cors({ origin: ... })`, `app.enableCors()` -> `app.enableCors({ origin: ... })`. */
function callWithOptions(js: ScriptModule, what: { at: TextRange }, allowlist: string): TextEdit[] | undefined {
  const text = js.text.slice(what.at.start, what.at.end);
  if (!/\(\s*\)$/.test(text)) return undefined;
  const open = what.at.start + text.lastIndexOf('(');
  return [replace({ start: open, end: what.at.end }, `({ origin: ${allowlist} })`)];
}

/** Hand-set Access-Control-Allow-Origin: "*" or the unchecked request origin, each with whether its function also allows credentials. */
function jsManualHeaders(js: ScriptModule, ast: ts.SourceFile): { how: 'wildcard' | 'reflect'; at: TextRange; credentials: boolean }[] {
  const hits: { how: 'wildcard' | 'reflect'; at: TextRange; fn: ts.Node }[] = [];
  const credentialed = new Set<ts.Node>();
  const consider = (name: string | undefined, value: ts.Expression | undefined) => {
    if (name === undefined || !value) return;
    const v = unwrap(value);
    if (inOutgoingRequest(v)) return; // a request header sent by a client does nothing for CORS
    const fn = enclosingFunction(v) ?? ast;
    if (ACAO.test(name)) {
      if (literalValue(v) === '*') hits.push({ how: 'wildcard', at: js.range(v), fn });
      else if (readsRequestOrigin(v) && !checkedBeforehand(v)) hits.push({ how: 'reflect', at: js.range(v), fn });
    }
    const lit = literalValue(v);
    if (ACAC.test(name) && (lit === true || (typeof lit === 'string' && /^true$/i.test(lit)))) credentialed.add(fn);
  };
  walk(ast, (n) => {
    if (ts.isCallExpression(n)) {
      const method = ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : '';
      const name = n.arguments[0];
      if (/^(setHeader|header|set|append|writeHead)$/.test(method) && isStringLike(name)) consider(name.text, n.arguments[1]);
    } else if (ts.isObjectLiteralExpression(n)) {
      const props = objectProps(n);
      for (const p of n.properties) if (ts.isPropertyAssignment(p)) consider(propertyName(p.name), p.initializer);
      // Next.js headers(): { key: 'Access-Control-Allow-Origin', value: '*' }
      const key = literalValue(props.get('key')?.value);
      if (typeof key === 'string') consider(key, props.get('value')?.value);
    }
  });
  return hits
    .filter((h, i) => hits.findIndex((x) => x.at.start === h.at.start) === i)
    .map((h) => ({ how: h.how, at: h.at, credentials: credentialed.has(h.fn) }));
}

/** HTTP clients: `fetch(url, { headers })`, `axios.post(url, data, { headers })`, `axios.create({ headers })`, `new Request(...)`. */
const CLIENT_CALL = /^(fetch|axios|ky|got|superagent|request|\$\.ajax|\$\.get|\$\.post)$|^(axios|http|https|got|ky|superagent|client|apiClient|httpClient|api|instance|this\.http|this\.httpService|httpService)\.(get|post|put|patch|delete|head|options|request|create|ajax)$/;

function inOutgoingRequest(node: ts.Node): boolean {
  let depth = 0;
  for (let p = node.parent; p && depth < 8 && !ts.isFunctionLike(p); p = p.parent, depth++) {
    if (ts.isCallExpression(p) && CLIENT_CALL.test(dotted(p.expression))) return true;
    if (ts.isNewExpression(p) && /^(Request|XMLHttpRequest)$/.test(dotted(p.expression))) return true;
  }
  return false;
}

/** `req.headers.origin`, `req.headers['origin']`, `req.get('origin')`, `req.header('Origin')`, `request.headers.get('origin')`. */
function readsRequestOrigin(v: ts.Expression): boolean {
  const d = dotted(v);
  if (/\.headers\.origin$/i.test(d)) return true;
  if (ts.isCallExpression(v)) {
    const callee = dotted(v.expression);
    const a = v.arguments[0];
    return /\.(get|header|headers\.get)$/.test(callee) && isStringLike(a) && /^origin$/i.test(a.text);
  }
  return false;
}

/** Is the value only used after a condition (an allowlist check) inside its function? */
function checkedBeforehand(node: ts.Node): boolean {
  for (let p = node.parent; p && !ts.isFunctionLike(p); p = p.parent) {
    if (ts.isIfStatement(p) || ts.isConditionalExpression(p)) return true;
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Patterns

function isRegexish(s: string): boolean {
  return /[.*+?^$()[\]{}|\\]/.test(s);
}

/** Python `re.match` / Starlette `re.fullmatch` semantics are approximated by a full match of the probes. */
function matchesAnyOrigin(pattern: string): boolean {
  return regexAcceptsAny(pattern, '', true);
}

function regexAcceptsAny(source: string, flags: string, anchored: boolean): boolean {
  let re: RegExp;
  try {
    re = new RegExp(anchored ? `^(?:${source})$` : source, flags);
  } catch {
    return false;
  }
  return PROBE_ORIGINS.slice(0, 2).some((o) => re.test(o));
}

function dedupe(ranges: TextRange[]): TextRange[] {
  return ranges.filter((r, i) => ranges.findIndex((x) => x.start === r.start) === i);
}
