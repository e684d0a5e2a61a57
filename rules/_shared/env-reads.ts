/**
 * The environment variables an app's production code reads, each read with its file, line and
 * the fallback it gives when the variable is unset: the inventory behind `prodaudit env` and
 * env-config-missing's ".env.example is missing" check (one collector, so both see the same reads).
 *
 * Python: `os.environ.get('X', d)`, `os.getenv('X')`, `os.environ['X']`, `environ.get`, python-decouple
 * `config('X', default=d)`, django-environ `env('X')` / `env.str('X', default=d)`, `... or d` fallbacks.
 * JS/TS: `process.env.X`, `process.env['X']`, `import.meta.env.X`, `const { A, B = d } = process.env`,
 * `?? d` / `|| d` / ternary fallbacks (also through `Number()` / `parseInt()`), `configService.get('X', d)`,
 * and the variables a zod / envalid schema declares (`z.object({ PORT: z.number().default(3000) }).parse(process.env)`).
 * Writes (`os.environ['X'] = v`, `process.env.X = v`, `os.environ.setdefault`) are not reads.
 */
import type { App, ProjectFacts } from '../../src/engine/facts.js';
import { LineIndex } from '../../src/engine/lines.js';
import type { TextRange } from '../../src/engine/types.js';
import type { PyExpr, PyModule } from '../../src/parsers/python.js';
import { dotted, literalValue, objectProps, ts, unwrap, walk, type ScriptModule } from '../../src/parsers/script.js';
import { envRead } from './js.js';
import { appPyParts, appScriptParts, pyExprsIn, pyFileMemo, scriptFileMemo, walkPy } from './project.js';
import { envCall, envLookup, envSubscript } from './python.js';

/** Files that document an app's environment variables (templates: never real values). */
export const ENV_EXAMPLE_FILES = ['.env.example', '.env.sample', '.env.template', '.env.dist', '.env.defaults', 'env.example', 'example.env', '.env.local.example', '.env.production.example', 'sample.env'];

/** First line of a .env.example prodaudit writes. */
export const ENV_EXAMPLE_HEADER = '# Environment variables read by the app. Copy to .env and fill in; never commit .env.';

/** What a read falls back to when the variable is unset. */
export interface EnvFallback {
  /** The literal's value (`8000`, `info`, `""`), or the expression's source text when it is not a literal. */
  readonly value: string;
  /** A plain string, number or boolean literal (`None`, `null` and expressions are not). */
  readonly literal: boolean;
}

export interface EnvRead {
  /** Undefined when the name is computed (`process.env[key]`, `os.environ[name]`). */
  readonly name: string | undefined;
  readonly file: string;
  readonly at: TextRange;
  /** 1-based. */
  readonly line: number;
  readonly fallback: EnvFallback | undefined;
}

const PY_HINT = /environ|getenv|env\(|config\(/;
const JS_HINT = /process\.env|import\.meta\.env|Bun\.env|Deno\.env|configService|ConfigService/;

/** Every read in the app's production sources: Python modules, then JS/TS ones, each in discovery order and source order within. */
export function envReads(project: ProjectFacts, app: App): EnvRead[] {
  return [
    ...[...appPyParts(project, app, PY_READS_IN)].flatMap(({ part }) => part),
    ...[...appScriptParts(project, app, JS_READS_IN)].flatMap(({ part }) => part),
  ];
}

/** One Python module's reads (cached per file: a warm run re-reads only changed modules). */
const PY_READS_IN = pyFileMemo('env-reads.pyReadsIn', PY_HINT, (py, path) => pyReads(py, path));
/** One JS/TS module's reads, cached per file as PY_READS_IN. */
const JS_READS_IN = scriptFileMemo('env-reads.jsReadsIn', JS_HINT, (js, path) => jsReads(js, path));

// ---------------------------------------------------------------- Python

function pyFallback(e: PyExpr | undefined): EnvFallback | undefined {
  if (!e) return undefined;
  switch (e.kind) {
    case 'str':
      return { value: e.value, literal: true };
    case 'num':
      return { value: e.text, literal: true };
    case 'bool':
      return { value: e.value ? 'True' : 'False', literal: true };
    default:
      return { value: sourceText(e.text), literal: false };
  }
}

function pyReads(py: PyModule, file: string): EnvRead[] {
  const lines = new LineIndex(py.text);
  const exprs = pyExprsIn(py, { start: 0, end: py.text.length });
  // `os.getenv('X') or 'd'`: the fallback of the lookup that starts where the `or` does.
  const orFallback = new Map<number, PyExpr>();
  for (const x of exprs) {
    walkPy(x, (y) => {
      if (y.kind !== 'boolop' || y.op !== 'or') return;
      const left = envLookup(y.left, py);
      if (left && !orFallback.has(left.range.start)) orFallback.set(left.range.start, y.right);
    });
  }
  const out: EnvRead[] = [];
  const read = (name: string | undefined, at: TextRange, fallback: PyExpr | undefined) =>
    out.push({ name, file, at, line: lines.position(at.start).line, fallback: pyFallback(fallback ?? orFallback.get(at.start)) });
  for (const c of py.calls) {
    const e = envCall(c, py);
    if (e && !/\.setdefault$/.test(c.qualified)) read(e.name, c.range, e.fallback);
  }
  const writes = new Set(py.assignments.map((a) => a.targetExpr.range.start));
  const seen = new Set<number>();
  for (const x of exprs) {
    walkPy(x, (y) => {
      const e = envSubscript(y, py);
      if (!e || seen.has(e.range.start) || writes.has(e.range.start)) return;
      seen.add(e.range.start);
      read(e.name, e.range, undefined);
    });
  }
  return out;
}

// ---------------------------------------------------------------- JS / TS

const ENV_OBJECTS = new Set(['process.env', 'import.meta.env', 'Bun.env']);
/** Wrappers a fallback may sit outside of: `Number(process.env.PORT) || 3000`. */
const JS_WRAPPERS = /^(?:Number|parseInt|parseFloat|Number\.parseInt|Number\.parseFloat|String|Boolean)$/;

function jsFallback(e: ts.Expression | undefined, js: ScriptModule): EnvFallback | undefined {
  if (!e) return undefined;
  const v = literalValue(e);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { value: String(v), literal: true };
  const r = js.range(e);
  return { value: sourceText(js.text.slice(r.start, r.end)), literal: false };
}

/** The fallback of a read, from the expressions around it: `X || d`, `X ?? d`, `X ? X : d`, `cond ? X : d`, `A || B || d`. */
function fallbackAround(node: ts.Expression): ts.Expression | undefined {
  let fallback: ts.Expression | undefined;
  let cur: ts.Node = node;
  for (let p = cur.parent; p; cur = p, p = p.parent) {
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p)) continue;
    if (ts.isCallExpression(p) && p.arguments[0] === cur && JS_WRAPPERS.test(dotted(p.expression))) continue;
    if (ts.isBinaryExpression(p) && (p.operatorToken.kind === ts.SyntaxKind.BarBarToken || p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
      if (p.left === cur) fallback = p.right;
      continue;
    }
    if (ts.isConditionalExpression(p) && (p.condition === cur || p.whenTrue === cur)) return p.whenFalse;
    break;
  }
  return fallback;
}

function isWrite(node: ts.Node): boolean {
  const p = node.parent;
  return !!p && ts.isBinaryExpression(p) && p.left === node && p.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

function jsReads(js: ScriptModule, file: string): EnvRead[] {
  const out: EnvRead[] = [];
  const read = (name: string | undefined, node: ts.Node, fallback: ts.Expression | undefined) => {
    const at = js.range(node);
    out.push({ name, file, at, line: js.line(at.start), fallback: jsFallback(fallback, js) });
  };
  walk(js.sf, (n) => {
    // (process.env.X) and process.env.X! are read once, at the inner expression.
    if (ts.isExpression(n) && unwrap(n) !== n) return undefined;
    const r = envRead(n);
    if (r && ts.isExpression(n) && !isWrite(n)) {
      read(r.name, n, ts.isCallExpression(n) && n.arguments.length > 1 ? n.arguments[1] : fallbackAround(n));
    } else if (ts.isVariableDeclaration(n) && ts.isObjectBindingPattern(n.name) && n.initializer && ENV_OBJECTS.has(dotted(unwrap(n.initializer)))) {
      // const { PORT = '3000', DATABASE_URL: url } = process.env
      for (const el of n.name.elements) {
        const key = el.propertyName ?? el.name;
        const name = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
        if (!el.dotDotDotToken) read(name, el, el.initializer);
      }
    } else if (ts.isCallExpression(n)) {
      for (const s of schemaEnvVars(n, js)) read(s.name, s.node, s.fallback);
    }
    return undefined;
  });
  return out;
}

/**
 * Variables a validated env schema declares: `Env.parse(process.env)` with `const Env = z.object({ PORT: z.coerce.number().default(3000) })`,
 * and envalid's `cleanEnv(process.env, { PORT: port({ default: 3000 }) })`; the fallback is the schema's default.
 */
function schemaEnvVars(call: ts.CallExpression, js: ScriptModule): { name: string; node: ts.Node; fallback: ts.Expression | undefined }[] {
  const envArg = call.arguments.findIndex((a) => dotted(unwrap(a)) === 'process.env');
  if (envArg === -1) return [];
  const callee = unwrap(call.expression);
  let shape: ts.Expression | undefined;
  if (/(^|\.)cleanEnv$/.test(js.qualify(dotted(callee)))) shape = call.arguments[envArg + 1];
  else if (ts.isPropertyAccessExpression(callee) && /^(parse|safeParse|parseAsync|safeParseAsync)$/.test(callee.name.text)) {
    let schema: ts.Expression | undefined = unwrap(callee.expression);
    if (ts.isIdentifier(schema)) {
      const name = schema.text;
      schema = undefined;
      for (const st of js.sf.statements) {
        if (!ts.isVariableStatement(st)) continue;
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) schema = unwrap(d.initializer);
      }
    }
    // z.object({...}), z.object({...}).strict(), envSchema.extend(...) are read through their first object argument
    while (schema && ts.isCallExpression(schema) && !(ts.isPropertyAccessExpression(schema.expression) && schema.expression.name.text === 'object')) {
      schema = ts.isPropertyAccessExpression(schema.expression) ? unwrap(schema.expression.expression) : undefined;
    }
    shape = schema && ts.isCallExpression(schema) ? schema.arguments[0] : undefined;
  }
  return [...objectProps(shape)].filter(([k]) => /^[A-Z_][A-Z0-9_]*$/.test(k)).map(([name, { node, value }]) => ({ name, node, fallback: schemaDefault(value) }));
}

/** `z.string().default('x').optional()` -> 'x'; envalid `str({ default: 'x' })` -> 'x'. */
function schemaDefault(e: ts.Expression): ts.Expression | undefined {
  for (let cur = unwrap(e); ts.isCallExpression(cur); ) {
    const f = unwrap(cur.expression);
    if (ts.isPropertyAccessExpression(f) && f.name.text === 'default') return cur.arguments[0];
    const opts = objectProps(cur.arguments[0]).get('default');
    if (opts) return opts.value;
    if (!ts.isPropertyAccessExpression(f)) break;
    cur = unwrap(f.expression);
  }
  return undefined;
}

/** Source text of a fallback expression, on one line and at most 80 characters. */
function sourceText(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 79)}…` : one;
}
