import { insertAt, replace } from '../src/engine/edits.js';
import { defineRule } from '../src/engine/rule.js';
import type { TextEdit } from '../src/engine/types.js';
import type { PyExpr, PyModule } from '../src/parsers/python.js';
import { dotted, ts, walk } from '../src/parsers/script.js';
import { composeEnv, dockerEnv, kubernetesEnv, TRUTHY, type ConfigEnvVar } from './_shared/config-files.js';
import { indentAt, jsQuote, pyEnvFlag, pyImport, pyQuote } from './_shared/fix-helpers.js';
import { gatedByEnvironment, isErrorMiddleware } from './_shared/js.js';
import { jsHasEscape, pyTextHas } from './_shared/triggers.js';
import { configItems, envLookup, inDevOnlyClass, isAppName, isSettingsModule, isTruthyConst, overriddenInProductionSubclasses, readsEnv } from './_shared/python.js';

/** Env vars that switch a framework's debug mode on, with the values that do it. */
const DEBUG_VARS: Record<string, (v: string) => boolean> = {
  FLASK_DEBUG: (v) => TRUTHY.test(v),
  FLASK_ENV: (v) => /^development$/i.test(v),
  DJANGO_DEBUG: (v) => TRUTHY.test(v),
  DEBUG: (v) => TRUTHY.test(v),
  APP_DEBUG: (v) => TRUTHY.test(v),
  QUART_DEBUG: (v) => TRUTHY.test(v),
  NODE_ENV: (v) => /^(development|dev)$/i.test(v),
};

/** The triggers of the config-file kinds (.env, YAML, Dockerfile): unchanged. */
const CONFIG_TRIGGER = ['debug', 'DEBUG', 'reload', 'stack', 'FLASK_ENV', 'NODE_ENV', 'errorhandler', 'use_debugger'];
/**
 * Python: each report is a `debug=` / `reload=` / `use_debugger=` / `use_reloader=` keyword, or a
 * DEBUG / ENV / FLASK_ENV config item (configItems: `DEBUG = ...`, `DEBUG: bool = ...`,
 * `app.debug = ...`, `app.config['DEBUG'] = ...`, `{'DEBUG': ...}`, `update(DEBUG=...)`,
 * `setdefault('DEBUG', ...)`), so the name is followed (after quotes, brackets, parentheses and
 * whitespace) by `=`, `:` or `,`; an ENV item reports only the value 'development'. Keys in strings
 * may use escapes (pyTextHas).
 */
const PY_DEBUG_ITEM = /\b(?:debug|DEBUG|reload|use_reloader|use_debugger)[\s'")\]]*(?:=(?!=)|:|,)/;
const PY_ENV_ITEM = /\b(?:ENV|FLASK_ENV|env)[\s'")\]]*(?:=(?!=)|:|,)/;
function pyMayReport(text: string): boolean {
  return pyTextHas(text, PY_DEBUG_ITEM) || (pyTextHas(text, /development/i) && pyTextHas(text, PY_ENV_ITEM));
}
/** Script: the errorhandler package (its import names it) or an `.stack` access (names decode \u escapes). */
const JS_TRIGGER = /errorhandler|\bstack\b/;

export default defineRule({
  meta: {
    id: 'debug-mode-enabled',
    title: 'Debug mode enabled',
    category: 'security',
    severity: 'critical',
    confidence: 'high',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs', 'nextjs', 'fastify', 'koa'],
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-489', 'CWE-215'],
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayReport(text) : kind === 'script' ? JS_TRIGGER.test(text) || jsHasEscape(text) : CONFIG_TRIGGER.some((w) => text.includes(w)))],
    messages: {
      flaskRun: 'The app is started with debug=True{exposure}.',
      appDebug: '{target} is set to True.',
      configDebug: '{key} is hard-coded to {value}{where}.',
      envDefaultOn: '{key} defaults to on when the {name} environment variable is unset.',
      fastapiDebug: 'FastAPI app is created with debug=True.',
      reload: '{callee} runs with {option}=True: the auto-reloading development server.',
      envFlag: '{key}={value} turns debug mode on in {file}.',
      stackToClient: 'Error handler sends err.stack to the client without checking NODE_ENV.',
      errorhandlerPackage: 'The errorhandler middleware (development only) is installed without a NODE_ENV check.',
    },
    docs: {
      why:
        'Debug mode serves stack traces, source lines, settings and environment values to anyone who triggers an error. Werkzeug\'s debugger goes further: its interactive console runs arbitrary Python on the server. Django with DEBUG=True also keeps every SQL query in memory and serves static files itself.',
      fix:
        'Read the flag from the environment and default it to off: `app.run(debug=os.environ.get("FLASK_DEBUG") == "1")`, `DEBUG = os.environ.get("DJANGO_DEBUG") == "1"`, and send stacks to clients only when `process.env.NODE_ENV !== "production"`. Production env files, compose files and Dockerfiles should not set FLASK_DEBUG, FLASK_ENV=development, DEBUG=True or NODE_ENV=development. The code fixes are unsafe: they turn debug off on developer machines that relied on it until FLASK_DEBUG=1 (DJANGO_DEBUG, APP_DEBUG, DEV_RELOAD, NODE_ENV=development) is set there; the variables are added to .env.example. Gating err.stack on NODE_ENV !== "production" is safe: development keeps its stacks.',
      references: [
        'https://flask.palletsprojects.com/en/latest/debugging/',
        'https://docs.djangoproject.com/en/stable/ref/settings/#debug',
        'https://expressjs.com/en/advanced/best-practice-security.html',
        'https://cwe.mitre.org/data/definitions/489.html',
      ],
      examples: [
        { file: 'app.py', bad: 'app.run(debug=True)', good: 'app.run(debug=os.environ.get("FLASK_DEBUG") == "1")' },
        { file: 'settings.py', bad: 'DEBUG = True', good: 'DEBUG = os.environ.get("DJANGO_DEBUG") == "1"' },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      // Every code fix reads an env var with `os`: the import is added once (identical edits merge).
      const importOs: TextEdit[] = pyImport(py, 'os');
      const envFlag = (name: string) => pyEnvFlag(py, name);
      const q = pyQuote(py);
      const django = py.importsModule('django') || ctx.project.appOf(ctx.path).frameworks.has('django');
      const debugVar = django ? 'DJANGO_DEBUG' : 'FLASK_DEBUG';

      for (const call of py.calls) {
        const receiver = call.callee.split('.').slice(0, -1).join('.');
        const method = call.callee.split('.').at(-1);
        // app.run(debug=True), socketio.run(app, debug=True)
        if (method === 'run' && receiver && (isAppName(receiver, py) || /(^|\.)SocketIO$/.test(py.instanceOf(receiver) ?? '') || receiver === 'socketio')) {
          const debug = call.keyword('debug');
          if (debug && isTruthyConst(debug)) {
            const host = call.keyword('host');
            const allInterfaces = host?.kind === 'str' && (host.value === '0.0.0.0' || host.value === '::');
            ctx.report({
              messageId: 'flaskRun',
              data: { exposure: allInterfaces ? ' on all interfaces (host 0.0.0.0): the debugger console is reachable from the network' : '' },
              at: debug.range,
              fix: {
                title: 'Read FLASK_DEBUG from the environment (off unless set)',
                applicability: 'unsafe',
                edits: [...importOs, replace(debug.range, envFlag('FLASK_DEBUG'))],
                envVars: [{ name: 'FLASK_DEBUG', description: 'Set to 1 only on development machines: enables the Werkzeug debugger.' }],
              },
            });
          }
        }
        // FastAPI(debug=True)
        if (/^(fastapi\.FastAPI|starlette\.applications\.Starlette)$/.test(call.qualified)) {
          const debug = call.keyword('debug');
          if (debug && isTruthyConst(debug)) {
            ctx.report({
              messageId: 'fastapiDebug',
              at: debug.range,
              fix: {
                title: 'Read APP_DEBUG from the environment (off unless set)',
                applicability: 'unsafe',
                edits: [...importOs, replace(debug.range, envFlag('APP_DEBUG'))],
                envVars: [{ name: 'APP_DEBUG', description: 'Set to 1 only on development machines: FastAPI debug tracebacks.' }],
              },
            });
          }
        }
        // uvicorn.run(..., reload=True), werkzeug run_simple(..., use_debugger=True / use_reloader=True)
        if (call.qualified === 'uvicorn.run' || /(^|\.)run_simple$/.test(call.qualified)) {
          for (const option of ['reload', 'use_debugger', 'use_reloader']) {
            const v = call.keyword(option);
            if (v && isTruthyConst(v)) {
              ctx.report({
                messageId: 'reload',
                data: { callee: call.callee, option },
                at: v.range,
                severity: option === 'use_debugger' ? 'critical' : 'high',
                fix: {
                  title: `Turn ${option} on only when DEV_RELOAD is set`,
                  applicability: 'unsafe',
                  edits: [...importOs, replace(v.range, envFlag('DEV_RELOAD'))],
                  envVars: [{ name: 'DEV_RELOAD', description: 'Set to 1 only on development machines: auto-reloading development server.' }],
                },
              });
            }
          }
        }
      }

      const settings = isSettingsModule(ctx.path);
      for (const item of configItems(py)) {
        const isDebugKey = item.key === 'DEBUG' || item.key === 'TEMPLATES_AUTO_RELOAD' || item.key === 'PROPAGATE_EXCEPTIONS';
        const isEnvKey = item.key === 'ENV' || item.key === 'FLASK_ENV';
        if (!isDebugKey && !isEnvKey) continue;
        if (item.key !== 'DEBUG' && !isEnvKey) continue; // the other flags are not debug mode by themselves
        if (inDevOnlyClass(item)) continue;
        if (item.className && overriddenInProductionSubclasses(py, item.className, item.key)) continue;
        // Module-level names only count in settings/config modules (Django settings, Flask config.py).
        if (item.shape === 'module' && !settings) continue;
        if (item.shape === 'dict' && !settings && !py.importsModule('flask') && !py.importsModule('django')) continue;
        const value = item.value;
        if (isEnvKey) {
          if (value.kind === 'str' && /^development$/i.test(value.value)) {
            ctx.report({
              messageId: 'configDebug',
              data: { key: item.key, value: `"${value.value}"`, where: where(item.className) },
              at: item.range,
              fix: {
                title: 'Read FLASK_ENV from the environment (production unless set)',
                applicability: 'unsafe',
                edits: [...importOs, replace(item.range, `os.environ.get(${q}FLASK_ENV${q}, ${q}production${q})`)],
                envVars: [{ name: 'FLASK_ENV', description: 'Set to development only on development machines.' }],
              },
            });
          }
          continue;
        }
        if (isTruthyConst(value)) {
          ctx.report({
            messageId: item.shape === 'attribute' ? 'appDebug' : 'configDebug',
            data: { key: item.key, target: 'app.debug', value: value.text, where: where(item.className) },
            at: item.range,
            fix: {
              title: 'Read the debug flag from the environment (off unless set)',
              applicability: 'unsafe',
              edits: [...importOs, replace(item.range, envFlag(debugVar))],
              envVars: [{ name: debugVar, description: `Set to 1 only on development machines: enables ${django ? "Django's" : 'Flask'} debug mode.` }],
            },
          });
          continue;
        }
        const on = defaultsOn(value, py);
        if (on) {
          // Off unless set: the fallback becomes False (or an empty string that matches no "on" value).
          const off = on.fallback.kind === 'bool' ? 'False' : `${q}${q}`;
          ctx.report({
            messageId: 'envDefaultOn',
            data: { key: item.key, name: on.name },
            at: item.range,
            severity: 'high',
            fix: { title: `Default ${on.name} to off`, applicability: 'unsafe', edits: [replace(on.fallback.range, off)] },
          });
        }
      }
    },

    script(ctx) {
      const { js, ast } = ctx;
      const expressFile = js.importsModule('express') || js.importsModule('@nestjs/core') || js.importsModule('koa') || js.importsModule('fastify');
      if (!expressFile && !/err(or)?\.stack/.test(ctx.text)) return;
      // errorhandler() middleware installed unconditionally
      for (const call of js.calls()) {
        if (call.qualified === 'errorhandler' && !gatedByEnvironment(call.node, ast)) {
          // `app.use(errorhandler());` -> `if (process.env.NODE_ENV === 'development') app.use(errorhandler());`
          const statement = call.node.parent;
          const fixable = ts.isCallExpression(statement) && ts.isExpressionStatement(statement.parent) && /\.use$/.test(dotted(statement.expression));
          const q = fixable ? jsQuote(ast) : "'";
          ctx.report({
            messageId: 'errorhandlerPackage',
            at: call.range,
            fix: fixable
              ? {
                  title: 'Install errorhandler only when NODE_ENV is development',
                  applicability: 'unsafe',
                  edits: [insertAt(statement.parent.getStart(ast), `if (process.env.NODE_ENV === ${q}development${q}) `)],
                  envVars: [{ name: 'NODE_ENV', description: 'production in production; development only on development machines.' }],
                }
              : undefined,
          });
        }
      }
      // (err, req, res, next) => res.json({ stack: err.stack })
      walk(ast, (node) => {
        if (!isErrorMiddleware(node)) return;
        const errParam = node.parameters[0]!;
        if (!ts.isIdentifier(errParam.name)) return;
        const errName = errParam.name.text;
        const body = node.body;
        if (!body) return;
        walk(body, (inner) => {
          if (!ts.isPropertyAccessExpression(inner) || inner.name.text !== 'stack' || dotted(inner.expression) !== errName) return;
          if (!sentToClient(inner)) return;
          if (gatedByEnvironment(inner, ast, node)) return;
          const q = jsQuote(ast);
          ctx.report({
            messageId: 'stackToClient',
            at: js.range(inner),
            // Safe: development (NODE_ENV unset or not production) still gets the stack.
            fix: {
              title: 'Send the stack only when NODE_ENV is not production',
              applicability: 'safe',
              edits: [replace(js.range(inner), `(process.env.NODE_ENV === ${q}production${q} ? undefined : ${inner.getText(ast)})`)],
            },
          });
        });
      });
    },

    env(ctx) {
      for (const e of ctx.entries) {
        const bad = DEBUG_VARS[e.key];
        if (!bad || !bad(e.value)) continue;
        const production = /\.env\.(prod|production|live|staging)$/.test(ctx.path);
        ctx.report({
          messageId: 'envFlag',
          data: { key: e.key, value: e.value, file: ctx.path },
          at: e.valueRange,
          severity: e.key === 'NODE_ENV' ? 'high' : undefined,
          fix: {
            title: `Set ${e.key} to ${offValue(e.key)}`,
            // In a production-only env file nothing else depends on the value; a shared .env may serve development too.
            applicability: production ? 'safe' : 'unsafe',
            edits: [replace(e.valueRange, `${e.quote}${offValue(e.key)}${e.quote}`)],
          },
        });
      }
    },

    yaml(ctx) {
      const vars: ConfigEnvVar[] = ctx.docs.flatMap((d) => [...composeEnv(d), ...kubernetesEnv(d)]);
      for (const v of vars) {
        const bad = DEBUG_VARS[v.key];
        if (!bad || !bad(v.value)) continue;
        const raw = ctx.text.slice(v.valueRange.start, v.valueRange.end);
        const quote = /^["']/.test(raw) ? raw[0] : '';
        ctx.report({
          messageId: 'envFlag',
          data: { key: v.key, value: v.value, file: ctx.path },
          at: v.valueRange,
          severity: v.key === 'NODE_ENV' ? 'high' : undefined,
          fix: { title: `Set ${v.key} to ${offValue(v.key)}`, applicability: 'unsafe', edits: [replace(v.valueRange, `${quote}${offValue(v.key)}${quote}`)] },
        });
      }
    },

    dockerfile(ctx) {
      for (const v of dockerEnv(ctx.instructions, ctx.text)) {
        const bad = DEBUG_VARS[v.key];
        if (!bad || !bad(v.value) || !v.final) continue;
        const raw = ctx.text.slice(v.valueRange.start, v.valueRange.end);
        const quote = /^["']/.test(raw) ? raw[0] : '';
        ctx.report({
          messageId: 'envFlag',
          data: { key: v.key, value: v.value, file: ctx.path },
          at: v.valueRange,
          severity: v.key === 'NODE_ENV' ? 'high' : undefined,
          fix: { title: `Set ${v.key} to ${offValue(v.key)}`, applicability: 'unsafe', edits: [replace(v.valueRange, `${quote}${offValue(v.key)}${quote}`)] },
        });
      }
    },
  },
});

function where(className: string | undefined): string {
  return className ? ` in ${className}` : '';
}

function offValue(key: string): string {
  if (key === 'NODE_ENV') return 'production';
  if (key === 'FLASK_ENV') return 'production';
  return '0';
}

/**
 * `os.environ.get('DEBUG', 'True') == 'True'`, `env.bool('DEBUG', default=True)`,
 * `config('DEBUG', default=True, cast=bool)`: on unless the variable is set. Returns the variable name.
 */
function defaultsOn(e: PyExpr, py: PyModule): { name: string; fallback: PyExpr } | undefined {
  if (e.kind === 'compare' && e.operands.length === 2 && (e.ops[0] === '==' || e.ops[0] === 'in')) {
    const [l, r] = e.operands;
    const look = envLookup(stripCaseMethods(l!), py);
    if (look?.fallback && look.fallback.kind === 'str') {
      const fb = look.fallback.value.toLowerCase();
      const matches = r!.kind === 'str' ? r!.value.toLowerCase() === fb : (r!.kind === 'tuple' || r!.kind === 'list' || r!.kind === 'set') && r!.elements.some((x) => x.kind === 'str' && x.value.toLowerCase() === fb);
      if (matches) return { name: look.name ?? 'debug', fallback: look.fallback };
    }
    return undefined;
  }
  const look = envLookup(e, py);
  if (look?.fallback && isTruthyConst(look.fallback) && look.fallback.kind === 'bool') return { name: look.name ?? 'debug', fallback: look.fallback };
  if (e.kind === 'call' && readsEnv(e, py)) {
    const d = e.call.keyword('default');
    if (d?.kind === 'bool' && d.value) return { name: envLookup(e, py)?.name ?? 'debug', fallback: d };
  }
  return undefined;
}

/** `os.environ.get('X', 'd').lower()` -> `os.environ.get('X', 'd')`. */
function stripCaseMethods(e: PyExpr): PyExpr {
  let cur = e;
  while (cur.kind === 'call' && cur.call.positional.length === 0 && cur.call.func.kind === 'attr' && /^(lower|upper|strip|casefold)$/.test(cur.call.func.attr)) {
    cur = cur.call.func.object;
  }
  return cur;
}

/** Is this `err.stack` access part of what a response sends (res.send/json/render/end/write, or an object passed to them)? */
function sentToClient(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isCallExpression(p)) {
      const callee = dotted(p.expression);
      const method = callee.split('.').at(-1) ?? '';
      if (/^(send|json|jsonp|render|end|write|status)$/.test(method) || /\.(send|json|render|end|write)$/.test(p.expression.getText())) return true;
      if (/^(console|logger|log)\b/.test(callee)) return false;
    }
    if (ts.isFunctionLike(p)) return false;
  }
  return false;
}
