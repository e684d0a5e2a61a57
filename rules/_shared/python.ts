/**
 * Python helpers shared by rules: environment lookups (with fallbacks), config items in every
 * shape Flask/Django/FastAPI code sets them, app detection, dev-only config classes.
 */
import { DEV_CONFIG_NAME } from '../../src/engine/context.js';
import { insertAt } from '../../src/engine/edits.js';
import type { TextEdit, TextRange } from '../../src/engine/types.js';
import { dottedName, type PyCall, type PyExpr, type PyModule } from '../../src/parsers/python.js';

/** Qualified callees that read one environment variable: name is arg 0, default is arg 1 or `default=`. */
const ENV_GETTERS = new Set([
  'os.environ.get',
  'os.getenv',
  'os.environ.setdefault',
  'os.environ.pop',
  'decouple.config', // python-decouple
  'starlette.config.Config', // not a getter itself; instances are (see below)
]);
/** Method names on env/config helper instances (django-environ `env.str(...)`, decouple `config(...)`, pydantic not included). */
const ENV_INSTANCE_METHODS = new Set(['str', 'bool', 'int', 'float', 'list', 'json', 'url', 'db', 'db_url', 'cache', 'get_value', 'get']);

export interface EnvLookup {
  /** Variable name when it is a literal. */
  readonly name: string | undefined;
  /** The literal default used when the variable is unset, if any. */
  readonly fallback: PyExpr | undefined;
  readonly range: TextRange;
}

/** Is this call `os.environ.get('X', d)`, `os.getenv`, `config('X', default=d)`, `env('X')`, `env.str('X', default=d)`? */
export function envCall(call: PyCall, py: PyModule): EnvLookup | undefined {
  const q = call.qualified;
  const isGetter =
    ENV_GETTERS.has(q) ||
    /(^|\.)environ\.get$/.test(q) ||
    q === 'environ.get' ||
    isEnvInstanceCall(call, py);
  if (!isGetter) return undefined;
  const nameExpr = call.positional[0];
  const name = nameExpr?.kind === 'str' ? nameExpr.value : undefined;
  const fallback = call.keyword('default') ?? call.positional[1];
  return { name, fallback, range: call.range };
}

function isEnvInstanceCall(call: PyCall, py: PyModule): boolean {
  const callee = call.callee;
  if (!callee) return false;
  const parts = callee.split('.');
  const head = parts[0]!;
  const bound = py.instanceOf(head);
  const envish = bound !== undefined && /(^|\.)(environ\.Env|Env|Config|AutoConfig|starlette\.config\.Config|decouple\.AutoConfig|decouple\.Config)$/.test(bound);
  if (parts.length === 1) return envish || (bound === undefined && /^(env|config)$/.test(head) && (py.importsModule('environ') || py.importsModule('decouple') || py.importsModule('starlette.config')));
  return (envish || /^env$/.test(head)) && parts.length === 2 && ENV_INSTANCE_METHODS.has(parts[1]!);
}

/** `os.environ['X']` / `environ['X']`: a required lookup (raises when unset). */
export function envSubscript(e: PyExpr, py: PyModule): EnvLookup | undefined {
  if (e.kind !== 'subscript') return undefined;
  const obj = dottedName(e.object);
  if (!obj) return undefined;
  const q = py.qualify(obj);
  if (q !== 'os.environ' && !(obj === 'environ' && py.importsModule('os'))) return undefined;
  return { name: e.index?.kind === 'str' ? e.index.value : undefined, fallback: undefined, range: e.range };
}

/**
 * Resolve an expression that reads the environment, with any fallback:
 *   os.environ.get('X', 'd') | os.getenv('X') or 'd' | config('X', default='d') | os.environ['X']
 * Returns undefined when the expression is not (just) an env lookup.
 */
export function envLookup(e: PyExpr | undefined, py: PyModule): EnvLookup | undefined {
  if (!e) return undefined;
  if (e.kind === 'call') {
    const direct = envCall(e.call, py);
    if (direct) return direct;
    // Wrappers that keep the value: str(...), int(...), bool(...)
    if (/^(str|int|bool|float)$/.test(e.call.callee) && e.call.positional.length === 1) return envLookup(e.call.positional[0], py);
  }
  const sub = envSubscript(e, py);
  if (sub) return sub;
  if (e.kind === 'boolop' && e.op === 'or') {
    const left = envLookup(e.left, py);
    if (left) return { name: left.name, fallback: left.fallback ?? e.right, range: e.range };
  }
  return undefined;
}

/** Does any part of the expression read the environment (so the value is deploy-time configurable)? */
export function readsEnv(e: PyExpr | undefined, py: PyModule, depth = 0): boolean {
  if (!e || depth > 20) return false;
  if (envLookup(e, py)) return true;
  switch (e.kind) {
    case 'call':
      return e.call.args.some((a) => readsEnv(a.value, py, depth + 1)) || (e.call.callee === '' ? false : /(^|\.)(getenv|environ)/.test(e.call.qualified));
    case 'compare':
      return e.operands.some((o) => readsEnv(o, py, depth + 1));
    case 'boolop':
    case 'binop':
      return readsEnv(e.left, py, depth + 1) || readsEnv(e.right, py, depth + 1);
    case 'not':
      return readsEnv(e.operand, py, depth + 1);
    case 'ifexp':
      return readsEnv(e.test, py, depth + 1) || readsEnv(e.body, py, depth + 1) || readsEnv(e.orelse, py, depth + 1);
    case 'subscript':
      return readsEnv(e.object, py, depth + 1);
    case 'attr':
      return readsEnv(e.object, py, depth + 1);
    default:
      return false;
  }
}

export type ConfigShape = 'flask-config' | 'attribute' | 'class' | 'module' | 'dict' | 'call-kwarg';

/** One configuration key set somewhere in Python code. */
export interface ConfigItem {
  readonly key: string;
  readonly value: PyExpr;
  readonly shape: ConfigShape;
  /** Enclosing class for `class ProductionConfig: DEBUG = True`. */
  readonly className: string | undefined;
  /** Range to report at (the value). */
  readonly range: TextRange;
  readonly keyRange: TextRange | undefined;
  readonly line: number;
}

/**
 * Every configuration key the module sets:
 *   app.config['KEY'] = v            app.config.update(KEY=v) / update({'KEY': v})
 *   app.config.from_mapping(KEY=v)   app.KEY_lower = v  (app.debug, app.secret_key)
 *   class XConfig: KEY = v           KEY = v  (module level: Django settings, config.py)
 *   CONFIG = {'KEY': v} (dict literals with upper-case keys)
 */
export function configItems(py: PyModule): ConfigItem[] {
  const out: ConfigItem[] = [];
  for (const a of py.assignments) {
    if (a.op !== '=') continue;
    const t = a.targetExpr;
    if (t.kind === 'subscript' && t.index?.kind === 'str' && isConfigObject(t.object)) {
      out.push(item(t.index.value, a.value, 'flask-config', undefined, t.index.range, a.line));
    } else if (t.kind === 'attr' && t.object.kind === 'attr' && t.object.attr === 'config') {
      out.push(item(t.attr, a.value, 'flask-config', undefined, undefined, a.line));
    } else if (t.kind === 'attr' && t.object.kind === 'name' && /^[a-z_]+$/.test(t.attr) && isAppName(t.object.id, py)) {
      out.push(item(t.attr.toUpperCase(), a.value, 'attribute', undefined, undefined, a.line));
    } else if (t.kind === 'name' && /^[A-Z][A-Z0-9_]*$/.test(t.id)) {
      const cls = a.scope.classes.at(-1);
      if (a.scope.functions.length === 0) out.push(item(t.id, a.value, cls ? 'class' : 'module', cls, t.range, a.line));
    }
    if (a.value.kind === 'dict') dictItems(a.value, out, a.line);
  }
  for (const c of py.calls) {
    const parts = c.callee.split('.');
    const method = parts.at(-1);
    if ((method === 'update' || method === 'from_mapping' || method === 'setdefault') && parts.length >= 2 && parts.at(-2) === 'config') {
      for (const arg of c.args) {
        if (arg.name && arg.name !== '*' && arg.name !== '**') out.push(item(arg.name, arg.value, 'flask-config', undefined, undefined, c.line));
        else if (arg.value.kind === 'dict') dictItems(arg.value, out, c.line);
      }
      if (method === 'setdefault' && c.positional[0]?.kind === 'str' && c.positional[1]) out.push(item(c.positional[0].value, c.positional[1], 'flask-config', undefined, c.positional[0].range, c.line));
    }
  }
  return out;
}

function dictItems(d: PyExpr & { kind: 'dict' }, out: ConfigItem[], line: number): void {
  for (const e of d.entries) {
    if (e.key?.kind === 'str' && /^[A-Z][A-Z0-9_]*$/.test(e.key.value)) out.push(item(e.key.value, e.value, 'dict', undefined, e.key.range, line));
  }
}

function item(key: string, value: PyExpr, shape: ConfigShape, className: string | undefined, keyRange: TextRange | undefined, line: number): ConfigItem {
  return { key, value, shape, className, range: value.range, keyRange, line };
}

function isConfigObject(e: PyExpr): boolean {
  // app.config[...], current_app.config[...], self.app.config[...], config[...] where config is app.config
  return (e.kind === 'attr' && e.attr === 'config') || (e.kind === 'name' && e.id === 'config');
}

const APP_CLASS = /^(flask\.Flask|quart\.Quart|fastapi\.FastAPI|starlette\.applications\.Starlette)$|(^|\.)(Flask|FastAPI)$/;

/**
 * `app = create_app()`: a function of this module that builds an app object, or an app factory
 * imported by its conventional name (`from myapp import create_app`).
 */
function isAppFactory(callee: string, py: PyModule): boolean {
  if (py.functions.some((f) => f.name === callee)) return py.calls.some((c) => c.scope.functions[0] === callee && APP_CLASS.test(c.qualified));
  return /(^|\.)(create_app|make_app|build_app|app_factory)$/.test(callee);
}

/** Is `name` a Flask/FastAPI/Quart app object in this module (bound by a call to the framework class or an app factory, or conventionally named)? */
export function isAppName(name: string, py: PyModule): boolean {
  const bound = py.instanceOf(name);
  if (bound) return APP_CLASS.test(bound) || isAppFactory(bound, py);
  return /^(app|application)$/.test(name) && (py.importsModule('flask') || py.importsModule('fastapi'));
}

/** Whether a config item sits in a class that only development or tests select. */
export function inDevOnlyClass(item: ConfigItem): boolean {
  return item.className !== undefined && DEV_CONFIG_NAME.test(item.className);
}

/**
 * A base config class whose every non-dev subclass in the same file overrides `key` does not
 * reach production with its own value: `class Config: DEBUG = True` + `class ProductionConfig(Config): DEBUG = False`.
 */
export function overriddenInProductionSubclasses(py: PyModule, className: string, key: string): boolean {
  const subclasses = py.classes.filter((c) => c.bases.some((b) => b === className || b.endsWith(`.${className}`)));
  const prod = subclasses.filter((c) => !DEV_CONFIG_NAME.test(c.name));
  if (prod.length === 0) return false;
  return prod.every((c) => py.assignments.some((a) => a.scope.classes.at(-1) === c.name && a.target === key));
}

/** True for Python truthy literals, and strings that config loaders treat as true. */
export function isTruthyConst(e: PyExpr | undefined): boolean {
  if (!e) return false;
  if (e.kind === 'bool') return e.value;
  if (e.kind === 'num') return e.value !== 0;
  if (e.kind === 'str') return /^(1|true|yes|on|t|y)$/i.test(e.value.trim());
  return false;
}

/** Settings/config module paths, where module-level upper-case names are framework configuration. */
export function isSettingsModule(path: string): boolean {
  return /(^|\/)(settings|config|configs?|conf|base_settings|production|prod|settings_prod|settings_production)\.py$/.test(path) || /(^|\/)settings\/[^/]+\.py$/.test(path) || /(^|\/)config\/[^/]+\.py$/.test(path) || /_config\.py$/.test(path);
}

/** The edit that adds `import os` when the module has no plain `import os` yet (empty when it does). */
export function importOsEdits(py: PyModule): TextEdit[] {
  return py.imports.some((i) => i.local === 'os' && i.qualified === 'os') ? [] : [insertAt(py.importInsertOffset, 'import os\n')];
}

/** The quote character most string literals in the module use (`"` when there are none or it is a tie). */
export function preferredQuote(py: PyModule): '"' | "'" {
  let single = 0;
  let double = 0;
  for (const s of py.strings) {
    const q = s.text.replace(/^[a-zA-Z]*/, '')[0];
    if (q === "'") single++;
    else if (q === '"') double++;
  }
  return single > double ? "'" : '"';
}

/**
 * Follow a bare name to the one value it is bound to (`ORIGINS = ["*"]` then `origins=ORIGINS`): an
 * assignment in the same function, else at module level. Anything else (several bindings,
 * parameters, imports) is returned unchanged.
 */
export function resolvePyName(py: PyModule, e: PyExpr | undefined, functions: readonly string[] = []): PyExpr | undefined {
  let cur = e;
  for (let hops = 0; cur?.kind === 'name' && hops < 4; hops++) {
    const id = cur.id;
    const candidates = py.assignments.filter((a) => a.op === '=' && a.targetExpr.kind === 'name' && a.target === id);
    const local = candidates.filter((a) => a.scope.classes.length === 0 && a.scope.functions.join('.') === functions.join('.'));
    const pool = local.length ? local : candidates.filter((a) => a.topLevel);
    if (pool.length !== 1) return cur;
    cur = pool[0]!.value;
  }
  return cur;
}

/** `x.split(",")`, `x.strip()`, `x.lower()`: the receiver (the value the methods transform). */
export function stripStringMethods(e: PyExpr): PyExpr {
  let cur = e;
  while (cur.kind === 'call' && cur.call.func.kind === 'attr' && /^(split|strip|lower|upper|rstrip|lstrip|casefold|encode|decode)$/.test(cur.call.func.attr)) {
    cur = cur.call.func.object;
  }
  return cur;
}

/**
 * The project file a qualified import name comes from: `.extensions.cors` imported in `app/__init__.py`
 * gives `app/extensions.py` (or `app/extensions/__init__.py`) and the member `cors`; absolute
 * `app.extensions.cors` is looked up under the importing file's folders. Undefined when not a project file.
 */
export function importedModuleFile(fromPath: string, qualified: string, files: ReadonlySet<string>): { path: string; member: string } | undefined {
  const dots = /^\.*/.exec(qualified)![0].length;
  const parts = qualified.slice(dots).split('.').filter(Boolean);
  if (parts.length < 2) return undefined;
  const member = parts.pop()!;
  const dirs = fromPath.split('/').slice(0, -1);
  const bases: string[][] = [];
  if (dots > 0) bases.push(dirs.slice(0, Math.max(0, dirs.length - (dots - 1))));
  else for (let i = dirs.length; i >= 0; i--) bases.push(dirs.slice(0, i));
  for (const base of bases) {
    const stem = [...base, ...parts].join('/');
    for (const candidate of [`${stem}.py`, `${stem}/__init__.py`]) if (files.has(candidate)) return { path: candidate, member };
  }
  return undefined;
}

/**
 * Edit that appends `name=value` to a call's arguments, right after the last argument (so a
 * trailing comma or a multi-line argument list stays valid): `f(a,\n)` -> `f(a, name=value,\n)`.
 */
export function appendKeywordArg(call: PyCall, source: string): TextEdit {
  const last = call.args.at(-1);
  if (!last) return { start: call.argsRange.start + 1, end: call.argsRange.start + 1, text: source };
  return { start: last.range.end, end: last.range.end, text: `, ${source}` };
}

/**
 * The constant text a string-building expression starts with: `"sqlite:///" + os.path.join(d, "app.db")`,
 * `"sqlite:///%s" % path`, `f"sqlite:///{BASE}/app.db"`, `"sqlite:///{}".format(p)` all start with "sqlite:///".
 * Undefined when the expression does not start with literal text.
 */
export function leadingText(e: PyExpr | undefined, depth = 0): string | undefined {
  if (!e || depth > 20) return undefined;
  switch (e.kind) {
    case 'str':
      return e.value;
    case 'fstring':
      // The literal parts are joined; they lead only when the f-string does not open with a placeholder.
      return /^[a-zA-Z]*(?:'''|"""|'|")\{(?!\{)/.test(e.text) ? undefined : e.literal;
    case 'binop':
      return e.op === '+' || e.op === '%' ? leadingText(e.left, depth + 1) : undefined;
    case 'call':
      return e.call.func.kind === 'attr' && e.call.func.attr === 'format' ? leadingText(e.call.func.object, depth + 1) : undefined;
    default:
      return undefined;
  }
}
