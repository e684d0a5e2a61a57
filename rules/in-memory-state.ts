import { defineRule } from '../src/engine/rule.js';
import type { ProjectFacts } from '../src/engine/facts.js';
import { BACKEND_FRAMEWORKS, type TextRange } from '../src/engine/types.js';
import type { PyExpr, PyModule } from '../src/parsers/python.js';
import { dotted, enclosingFunction, objectProps, ts, unwrap, walk, type ScriptModule } from '../src/parsers/script.js';
import { appMemo, appPyParts, perApp, pyFileMemo } from './_shared/project.js';
import { pyMaybeTopLevel } from './_shared/triggers.js';

/** Container constructors containerKind counts (the trigger accepts any of them after `collections.`). */
const CONTAINER_CALLS = 'dict|list|set|defaultdict|OrderedDict|deque|Counter';
/** A declarator (after const/let/var or a comma) initialised to an empty object or array, or a new Map/Set. */
const JS_CONTAINER = /(?:\b(?:const|let|var)|,)\s*[A-Za-z_$][\w$]*\s*(?::[^;\n]*?)?=\s*(?:\(\s*)*(?:<[^>\n]*>\s*)?(?:\{(?:\s|\/\*[^]*?\*\/|\/\/[^\n]*\n)*\}|\[(?:\s|\/\*[^]*?\*\/|\/\/[^\n]*\n)*\]|new\s+(?:Map|Set)\b)/;
/**
 * The script check runs only in a module that imports a server framework (importsModule: a
 * require/import whose literal is express, fastify, koa, @nestjs/common, next or http, or a
 * subpath), so the text holds a quote followed by that name and a quote or `/`. A literal that
 * starts with an escape sequence within its first characters may spell one: those count too.
 * Without this, every module with an empty object or array at the top was parsed for this rule
 * (178 files of the bench JS corpus for this rule alone).
 */
const JS_SERVER_IMPORT = /['"`](?:express|fastify|koa|@nestjs\/common|next|http)['"`/]|['"`][^'"`\n\\]{0,20}\\/;
const jsMayImportServer = (text: string): boolean => JS_SERVER_IMPORT.test(text);
/** Names that are caches or registries by convention: losing them on restart is harmless. */
const CACHE_NAME = /cache|memo|registry|^_?(lock|logger|log)s?$|handlers$|^__all__$/i;
const PY_MUTATORS = new Set(['append', 'extend', 'insert', 'update', 'setdefault', 'add', 'pop', 'popitem', 'remove', 'discard', 'clear', '__setitem__']);

/**
 * `NAME = {` / `[` / `dict(` ... at the start of a line, chained (`a = b = {}`) and annotated: the
 * names bound are captured. The value may start on a later line (`x = (\n  {}`, a backslash, a
 * comment) and an annotation may span lines inside its brackets, as the facade reads them.
 */
const PY_GAP = String.raw`(?:[\s\\]|#[^\n]*)*`;
const PY_ANNOTATION = String.raw`(?::(?:[^=\n\[]|\[[^\]]*\])*)?`;
const PY_CHAIN = new RegExp(String.raw`^[ \t]*((?:[A-Za-z_]\w*[ \t]*${PY_ANNOTATION}=(?!=)(?:[\s\\(]|#[^\n]*)*)+)(?:[[{]|(?:collections\.)?(?:${CONTAINER_CALLS})${PY_GAP}\()`, 'gm');
/** `a, b = 1, {}` (a bracketed target list too): a container anywhere in a tuple assignment's value, the targets captured. */
const PY_TUPLE_TARGETS = new RegExp(String.raw`^[ \t]*(?:[(\[][ \t]*)?([A-Za-z_][\w.]*[ \t]*,[^\n=]*)=(?!=)[^\n]*(?:[[{]|\b(?:${CONTAINER_CALLS})[ \t]*\()`, 'gm');
/** The mutator names, longest first, for pyWriteAfter. */
const PY_MUTATOR_NAMES = [...PY_MUTATORS].sort((a, b) => b.length - a.length);

/** Past whitespace, backslashes and comments from `i`. */
function pySkipGap(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x5c /* backslash */) i++;
    else if (c === 0x23 /* # */) {
      const nl = text.indexOf('\n', i);
      if (nl === -1) return text.length;
      i = nl;
    } else return i;
  }
}

/** Does what follows offset `i` (a global's name) make a write the check counts: `[` (a subscript target) or `.append(` ... (PY_MUTATORS)? */
function pyWriteAfter(text: string, i: number): boolean {
  i = pySkipGap(text, i);
  const c = text.charCodeAt(i);
  if (c === 0x5b /* [ */) return true;
  if (c !== 0x2e /* . */) return false;
  i = pySkipGap(text, i + 1);
  const m = PY_MUTATOR_NAMES.find((n) => text.startsWith(n, i));
  return m !== undefined && text.charCodeAt(pySkipGap(text, i + m.length)) === 0x28 /* ( */;
}

/**
 * Could the check find a mutated global? It reports a module-level container only when a
 * function writes to it (`NAME[k] = v`, `NAME[k] += 1`, `NAME.append(x)`), so some name bound at
 * the start of a line to a container, not cache-named, must appear with `[` or `.append(` ...
 * after it and no identifier character or `.` before it. Subscript reads pass too (over-inclusive).
 * On the Python corpus this keeps 128 of the 540 files a container assignment alone kept.
 */
export function pyMayMutateGlobal(source: string): boolean {
  // Python identifiers may be non-ASCII (kept as written by the facade): read every other
  // non-ASCII character as a letter, and non-ASCII spaces (which tree-sitter skips) as a space.
  const text = /[^\x00-\x7f]/.test(source) ? source.replace(/[^\x00-\x7f]/g, (c) => (/[\s\u200b\u2060]/.test(c) ? ' ' : 'x')) : source;
  const names = new Set<string>();
  for (const re of [PY_CHAIN, PY_TUPLE_TARGETS]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!pyMaybeTopLevel(text, m.index)) continue;
      for (const n of m[1]!.replace(/:(?:[^=\n\[]|\[[^\]]*\])*=/g, '=').match(/[A-Za-z_]\w*/g) ?? []) if (!CACHE_NAME.test(n)) names.add(n);
    }
  }
  for (const name of names) {
    for (let i = text.indexOf(name); i !== -1; i = text.indexOf(name, i + 1)) {
      if (i > 0 && isNameChar(text.charCodeAt(i - 1), true)) continue;
      if (isNameChar(text.charCodeAt(i + name.length), false)) continue;
      if (pyWriteAfter(text, i + name.length)) return true;
    }
  }
  return false;
}

/** An ASCII identifier character, or with `dot`, a `.`. */
function isNameChar(c: number, dot: boolean): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || (dot && c === 0x2e);
}
const JS_MUTATORS = new Set(['push', 'unshift', 'splice', 'set', 'add', 'delete', 'clear']);
const WEB_MODULES = ['flask', 'fastapi', 'django', 'starlette', 'quart', 'sanic'];
/** A WEB_MODULES name as a word: the text an import of one must hold. */
const WEB_MODULE_WORD = new RegExp(`\\b(?:${WEB_MODULES.join('|')})\\b`);

export default defineRule({
  meta: {
    id: 'in-memory-state',
    title: 'Application state kept in process memory',
    category: 'data',
    severity: 'high',
    confidence: 'medium',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'none',
    mootWhen: ['singleWorker'],
    effort: 'days',
    cwe: ['CWE-1188'],
    // Every report names a module-level container (`NAME = {}` / `[]` / `dict()` ... in Python,
    // `const NAME = {}` / `[]` / `new Map()` in JS) or an express-session without a store. In
    // Python the container must also be written to somewhere (pyMayMutateGlobal).
    triggers: [(text, _options, kind) => (kind === 'python' ? pyMayMutateGlobal(text) : (JS_CONTAINER.test(text) || text.includes('express-session')) && jsMayImportServer(text))],
    messages: {
      pyGlobal: 'Module-level {kind} "{name}" is mutated at runtime ({where}): its contents are lost on restart and not shared between workers.',
      jsGlobal: 'Module-level {kind} "{name}" is mutated inside a function ({where}): its contents are lost on restart and not shared between instances.',
      memoryStore: 'express-session is configured without a store, so sessions live in MemoryStore.',
    },
    docs: {
      why:
        'A dict, list or Map at module level lives in one process. Every restart or deploy empties it, each gunicorn/uvicorn worker or Node instance has its own copy (so a user sees different data depending on which worker answers), and it grows without bound. express-session\'s default MemoryStore says so itself: it leaks memory and is not meant for production.',
      fix:
        'Keep state that must survive a request in a database or a shared store (PostgreSQL, Redis): a table for file metadata, a Redis-backed session store (`connect-redis`, Flask-Session with Redis), a key-management service for secrets. Module-level dicts are fine for constants and caches that can be rebuilt.',
      whenNotTo: 'Caches that can be rebuilt at any time (name them *cache*), registries filled at import time, and constants are not reported.',
      references: ['https://12factor.net/processes', 'https://github.com/expressjs/session#sessionoptions', 'https://docs.gunicorn.org/en/stable/design.html'],
      examples: [{ file: 'app.py', bad: 'file_metadata = {}\n\n@app.post("/upload")\ndef upload():\n    file_metadata[fid] = meta', good: 'db.session.add(FileMetadata(id=fid, **meta))' }],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      const webCode = isWebModule(py) || importsLocalWebModule(py);
      if (!webCode && !py.assignments.some((a) => a.topLevel && a.op === '=' && containerKind(a.value))) return;
      const globals = new Map<string, { kind: string; range: TextRange }>();
      for (const a of py.assignments) {
        if (!a.topLevel || a.op !== '=' || a.targetExpr.kind !== 'name') continue;
        const kind = containerKind(a.value);
        if (!kind || CACHE_NAME.test(a.targetExpr.id)) continue;
        globals.set(a.targetExpr.id, { kind, range: a.targetExpr.range });
      }
      if (globals.size === 0) return;
      const mutated = new Map<string, string>();
      const importTimeOnly = importTimeFunctions(py);
      const note = (name: string, fn: string) => {
        if (importTimeOnly.has(fn)) return; // registration helpers called only while the module loads
        if (globals.has(name) && !mutated.has(name)) mutated.set(name, `in ${fn}()`);
      };
      for (const a of py.assignments) {
        const fn = a.scope.functions.at(-1);
        if (!fn) continue;
        if (a.targetExpr.kind === 'subscript' && a.targetExpr.object.kind === 'name') note(a.targetExpr.object.id, fn);
        // counters[user] += 1
        if (a.op !== '=' && a.targetExpr.kind === 'subscript' && a.targetExpr.object.kind === 'name') note(a.targetExpr.object.id, fn);
      }
      for (const c of py.calls) {
        const fn = c.scope.functions.at(-1);
        if (!fn) continue;
        const parts = c.callee.split('.');
        if (parts.length === 2 && PY_MUTATORS.has(parts[1]!)) note(parts[0]!, fn);
      }
      // A helper module without web imports (encryption.py, store.py) holds request state when the app's web code imports it.
      if (mutated.size === 0 || (!webCode && !importedByWebModule(ctx.project, ctx.path))) return;
      for (const [name, where] of mutated) {
        const g = globals.get(name)!;
        ctx.report({ messageId: 'pyGlobal', data: { kind: g.kind, name, where }, at: g.range });
      }
    },
    script(ctx) {
      const { js, ast } = ctx;
      const server = js.importsModule('express') || js.importsModule('fastify') || js.importsModule('koa') || js.importsModule('@nestjs/common') || js.importsModule('next') || js.importsModule('http');
      if (!server) return;
      memoryStore(ctx.js, (at) => ctx.report({ messageId: 'memoryStore', at }));
      const globals = new Map<string, { kind: string; node: ts.Identifier }>();
      for (const st of ast.statements) {
        const list = ts.isVariableStatement(st) ? st.declarationList.declarations : [];
        for (const d of list) {
          if (!ts.isIdentifier(d.name) || !d.initializer || CACHE_NAME.test(d.name.text)) continue;
          const kind = jsContainerKind(d.initializer);
          if (kind) globals.set(d.name.text, { kind, node: d.name });
        }
      }
      if (globals.size === 0) return;
      const mutated = new Map<string, string>();
      walk(ast, (node) => {
        let name: string | undefined;
        // store[id] = x, store.count += 1
        if (ts.isBinaryExpression(node) && isAssignment(node.operatorToken.kind)) {
          const left = unwrap(node.left);
          if (ts.isElementAccessExpression(left) || ts.isPropertyAccessExpression(left)) name = dotted(left.expression) || undefined;
        } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && JS_MUTATORS.has(node.expression.name.text)) {
          name = dotted(node.expression.expression) || undefined;
        } else if (ts.isDeleteExpression(node)) {
          const target = unwrap(node.expression);
          if (ts.isElementAccessExpression(target) || ts.isPropertyAccessExpression(target)) name = dotted(target.expression) || undefined;
        }
        if (!name || !globals.has(name) || mutated.has(name)) return;
        const fn = enclosingFunction(node);
        if (!fn) return; // mutation at module level (initialisation) is fine
        mutated.set(name, fn.name && ts.isIdentifier(fn.name) ? `in ${fn.name.text}()` : `in a handler at line ${js.line(fn.getStart(ast))}`);
      });
      for (const [name, where] of mutated) {
        const g = globals.get(name)!;
        ctx.report({ messageId: 'jsGlobal', data: { kind: g.kind, name, where }, at: js.range(g.node) });
      }
    },
  },
});

/**
 * Functions called only at module level (and never from inside another function): they run once
 * while the module is imported, so what they put in a global is rebuilt on every start.
 */
function importTimeFunctions(py: PyModule): Set<string> {
  const atTop = new Set<string>();
  const inside = new Set<string>();
  for (const c of py.calls) {
    if (!/^[A-Za-z_]\w*$/.test(c.callee)) continue;
    (c.scope.functions.length ? inside : atTop).add(c.callee);
  }
  const decoratorsUsed = new Set(py.functions.flatMap((f) => f.decorators.map((d) => (d.kind === 'call' ? d.call.callee : d.text))));
  return new Set([...atTop, ...decoratorsUsed].filter((n) => !inside.has(n)));
}

function containerKind(e: PyExpr): string | undefined {
  if (e.kind === 'dict') return 'dict';
  if (e.kind === 'list') return 'list';
  if (e.kind === 'set') return 'set';
  if (e.kind === 'call' && /^(dict|list|set|collections\.defaultdict|defaultdict|OrderedDict|collections\.OrderedDict|deque|collections\.deque|Counter)$/.test(e.call.callee) && e.call.positional.length <= 1) {
    return e.call.callee.split('.').at(-1)!;
  }
  return undefined;
}

function jsContainerKind(init: ts.Expression): string | undefined {
  const e = unwrap(init);
  if (ts.isObjectLiteralExpression(e) && e.properties.length === 0) return 'object';
  if (ts.isArrayLiteralExpression(e) && e.elements.length === 0) return 'array';
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && /^(Map|Set)$/.test(e.expression.text)) return e.expression.text;
  return undefined;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function isWebModule(py: PyModule): boolean {
  return WEB_MODULES.some((m) => py.importsModule(m));
}

/**
 * Whether a production module of the same app that imports a web framework imports this module
 * (`from encryption import CHCEncryption`, `from . import store`, `import services.store`). Only
 * files whose text names the module are parsed.
 */
function importedByWebModule(project: ProjectFacts, path: string): boolean {
  const parts = path.replace(/\.py$/, '').split('/');
  const stem = parts.at(-1) === '__init__' ? parts.at(-2) : parts.at(-1);
  if (!stem || !/^[A-Za-z_]\w*$/.test(stem)) return false;
  return perApp(WEB_IMPORTS, project, project.appOf(path)).some((m) => m.path !== path && m.stems.includes(stem));
}

/**
 * The app's web modules, each with the last names of what it imports: one memo built from cached
 * per-file parts, instead of a scan of every module's text per helper module (which made every
 * helper module depend on every file of the app).
 */
const WEB_IMPORTS = appMemo('in-memory-state.webImports', (project, app) => [...appPyParts(project, app, WEB_IMPORTS_IN)].map(({ path, part }) => ({ path, stems: part })));

/**
 * A web module's imported last names that its text names as a word (the part of WEB_IMPORTS the
 * cache keeps per file); only modules whose text names a web framework are parsed.
 */
const WEB_IMPORTS_IN = pyFileMemo('in-memory-state.webImportsIn', WEB_MODULE_WORD, (py) => {
  if (!isWebModule(py)) return undefined;
  const last = (dotted: string) => dotted.split('.').at(-1) ?? '';
  const stems = new Set(py.imports.flatMap((i) => [last(i.module), last(i.qualified)]));
  return [...stems].filter((s) => /^[A-Za-z_]\w*$/.test(s) && new RegExp(`\\b${s}\\b`).test(py.text));
});

/** A module that imports the app's own web module (`from app import app`, `from . import bp`) is web code too. */
function importsLocalWebModule(py: PyModule): boolean {
  return py.imports.some((i) => /^(\.|app\b|main\b|server\b)/.test(i.module)) && py.functions.some((f) => f.decorators.some((d) => /\.(route|get|post|put|patch|delete)\b/.test(d.text)));
}

/** express-session / session() call without a `store`. */
function memoryStore(js: ScriptModule, report: (at: TextRange) => void): void {
  if (!js.importsModule('express-session')) return;
  for (const call of js.calls()) {
    if (call.qualified !== 'express-session') continue;
    const opts = call.args[0];
    if (opts && !ts.isObjectLiteralExpression(unwrap(opts))) continue; // options built elsewhere: cannot tell
    if (objectProps(opts).has('store')) continue;
    report(call.range);
  }
}
