/**
 * Our facade over tree-sitter-python (web-tree-sitter, ABI-15 wasm). Rules never see the
 * parser's tree: the module is converted once into plain data (imports with aliases resolved,
 * calls, assignments, classes, functions, string literals) and the tree is deleted at once,
 * so WASM memory does not grow and a parsed module can be cached or sent between threads.
 * Offsets are JS string indices (tree-sitter reports UTF-16 units when given a JS string).
 */
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';
import type { TextRange } from '../engine/types.js';

const require = createRequire(import.meta.url);

export type PyExpr =
  | PyBase<'str'> & { readonly value: string }
  | PyBase<'fstring'> & { readonly literal: string; readonly interpolations: readonly PyExpr[] }
  | PyBase<'num'> & { readonly value: number }
  | PyBase<'bool'> & { readonly value: boolean }
  | PyBase<'none'>
  | PyBase<'name'> & { readonly id: string }
  | PyBase<'attr'> & { readonly object: PyExpr; readonly attr: string }
  | PyBase<'call'> & { readonly call: PyCall }
  | PyBase<'subscript'> & { readonly object: PyExpr; readonly index: PyExpr | undefined }
  | PyBase<'dict'> & { readonly entries: readonly { readonly key: PyExpr | undefined; readonly value: PyExpr }[] }
  | PyBase<'list' | 'tuple' | 'set'> & { readonly elements: readonly PyExpr[] }
  | PyBase<'binop'> & { readonly op: string; readonly left: PyExpr; readonly right: PyExpr }
  | PyBase<'boolop'> & { readonly op: 'or' | 'and'; readonly left: PyExpr; readonly right: PyExpr }
  | PyBase<'not'> & { readonly operand: PyExpr }
  | PyBase<'compare'> & { readonly ops: readonly string[]; readonly operands: readonly PyExpr[] }
  | PyBase<'ifexp'> & { readonly body: PyExpr; readonly test: PyExpr; readonly orelse: PyExpr }
  | PyBase<'lambda'>
  | PyBase<'other'> & { readonly type: string };

interface PyBase<K extends string> {
  readonly kind: K;
  readonly range: TextRange;
  /** Source text of the expression. */
  readonly text: string;
}

/** Where a node sits: the enclosing function and class names, innermost last. */
export interface PyScope {
  readonly functions: readonly string[];
  readonly classes: readonly string[];
}

export interface PyArg {
  /** Keyword name, or undefined for positional; `*` / `**` for splats. */
  readonly name: string | undefined;
  readonly value: PyExpr;
  readonly range: TextRange;
}

export interface PyCall {
  /** Dotted callee text as written, e.g. "app.run", "CORS"; "" when the callee is not a dotted name. */
  readonly callee: string;
  /** Callee with its first name resolved through imports: `F()` after `from flask import Flask as F` is "flask.Flask". */
  readonly qualified: string;
  readonly calleeRange: TextRange;
  /** The callee expression itself: for `os.getenv('X').lower()` an attr whose object is the inner call. */
  readonly func: PyExpr;
  readonly range: TextRange;
  /** Range of the argument list, parentheses included. */
  readonly argsRange: TextRange;
  readonly args: readonly PyArg[];
  readonly positional: readonly PyExpr[];
  readonly scope: PyScope;
  /** 1-based line of the call's start. */
  readonly line: number;
  keyword(name: string): PyExpr | undefined;
}

export interface PyAssignment {
  /** Target text with whitespace removed: "DEBUG", "app.config['SECRET_KEY']", "self.x". */
  readonly target: string;
  readonly targetExpr: PyExpr;
  readonly value: PyExpr;
  /** "=" or an augmented operator ("+="). Annotated assignments use "=". */
  readonly op: string;
  readonly range: TextRange;
  readonly scope: PyScope;
  /** True at module level (not inside a class or function). */
  readonly topLevel: boolean;
  readonly line: number;
}

export interface PyClass {
  readonly name: string;
  /** Base class expressions, qualified through imports ("models.Model" stays as written when `models` is imported from django.db: "django.db.models.Model"). */
  readonly bases: readonly string[];
  readonly range: TextRange;
  readonly nameRange: TextRange;
  readonly bodyRange: TextRange;
  readonly scope: PyScope;
  readonly line: number;
}

export interface PyFunction {
  readonly name: string;
  readonly decorators: readonly PyExpr[];
  readonly params: readonly string[];
  readonly range: TextRange;
  readonly nameRange: TextRange;
  readonly bodyRange: TextRange;
  /** Scope the function is defined in (its class, if a method). */
  readonly scope: PyScope;
  readonly isAsync: boolean;
  readonly line: number;
}

export interface PyImport {
  /** Local name bound ("F"), or "*" for star imports. */
  readonly local: string;
  /** What it refers to ("flask.Flask"); relative imports keep their dots (".models.User"). */
  readonly qualified: string;
  /** The module imported from ("flask"). */
  readonly module: string;
  readonly range: TextRange;
  readonly line: number;
}

export interface PyLoop {
  readonly kind: 'for' | 'while' | 'comprehension';
  /** For `for` loops: the iterated expression. */
  readonly iter: PyExpr | undefined;
  /** For `for` loops and comprehensions: the loop variable(s) (`order`, or a tuple `i, order`). */
  readonly target?: PyExpr | undefined;
  readonly range: TextRange;
  readonly bodyRange: TextRange;
  readonly scope: PyScope;
}

export interface PySyntaxError {
  readonly range: TextRange;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface PyModule {
  readonly text: string;
  /** Every module imported anywhere in the file ("flask", "flask_cors", "os.path"). */
  readonly modules: ReadonlySet<string>;
  readonly imports: readonly PyImport[];
  readonly calls: readonly PyCall[];
  readonly assignments: readonly PyAssignment[];
  readonly classes: readonly PyClass[];
  readonly functions: readonly PyFunction[];
  readonly loops: readonly PyLoop[];
  /** Every plain (non-f) string literal, with its decoded value. */
  readonly strings: readonly (PyExpr & { kind: 'str' })[];
  readonly syntaxErrors: readonly PySyntaxError[];
  /** Offset after the module docstring and `from __future__` imports: where new imports go. */
  readonly importInsertOffset: number;
  /** True when `module` (or a submodule of it) is imported. */
  importsModule(module: string): boolean;
  /** Resolve a dotted name through this file's imports: "F" -> "flask.Flask", "np.x" -> "numpy.x". */
  qualify(dotted: string): string;
  /**
   * What a variable was bound to by `name = SomeCall(...)`, as the qualified callee: "app" -> "flask.Flask".
   * With a scope, the binding in the innermost enclosing function wins (so `app = Flask()` inside
   * `create_app()` is found even when module level has `app = create_app()`); without one, the
   * module-level binding, else the last binding anywhere. Undefined when unknown.
   */
  instanceOf(name: string, scope?: PyScope): string | undefined;
}

let language: Language | undefined;
let parser: Parser | undefined;

/** Load the grammar once per thread. */
export async function initPython(): Promise<void> {
  if (parser) return;
  const binding: Record<string, unknown> = {};
  await Parser.init(binding);
  fastAccessors(binding);
  const wasm = require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm');
  language = await Language.load(wasm);
  parser = new Parser();
  parser.setLanguage(language);
}

/**
 * web-tree-sitter copies every node and cursor in and out of wasm memory through emscripten's
 * generic `setValue(ptr, value, type)` / `getValue(ptr, type)`, which test the type string on
 * each call; they were the top self-time entries of a Flask app's audit. The binding object given
 * to `Parser.init` becomes the emscripten module those helpers are called on, so the 32-bit case
 * (the only one node and cursor marshalling uses) goes straight to the heap's DataView, as the
 * generic helper does after its checks. Verified by a round trip; left alone if anything differs.
 * Measured on one 330-file Flask app: a cursor walk reading type, range and field of each of its
 * 612k nodes went from 419 ms to 190 ms.
 */
function fastAccessors(binding: Record<string, unknown>): void {
  const set = binding.setValue as ((p: number, v: number, t: string) => void) | undefined;
  const get = binding.getValue as ((p: number, t: string) => number) | undefined;
  const malloc = binding._malloc as ((n: number) => number) | undefined;
  const free = binding._free as ((p: number) => void) | undefined;
  if (!set || !get || !malloc || !free || !(binding.HEAP_DATA_VIEW instanceof DataView)) return;
  const view = () => binding.HEAP_DATA_VIEW as DataView;
  const fastSet = (p: number, v: number, t: string) => (t === 'i32' ? view().setInt32(p, v, true) : set(p, v, t));
  const fastGet = (p: number, t: string) => (t === 'i32' ? view().getInt32(p, true) : get(p, t));
  const probe = malloc(8);
  try {
    fastSet(probe, -123456789, 'i32');
    set(probe + 4, 987654321, 'i32');
    if (get(probe, 'i32') !== -123456789 || fastGet(probe + 4, 'i32') !== 987654321) return;
  } finally {
    free(probe);
  }
  binding.setValue = fastSet;
  binding.getValue = fastGet;
}

export function pythonReady(): boolean {
  return parser !== undefined;
}

const MAX_EXPR_DEPTH = 60;
/** Node types the walk materialises (everything else is only stepped over by the cursor). */
const VISITED = new Set([
  'ERROR',
  'import_statement',
  'import_from_statement',
  'call',
  'assignment',
  'augmented_assignment',
  'string',
  'concatenated_string',
  'class_definition',
  'function_definition',
  'for_statement',
  'while_statement',
  'list_comprehension',
  'dictionary_comprehension',
  'set_comprehension',
  'generator_expression',
]);

/** Parse Python source into the facade. Throws only if initPython() was not awaited. */
export function parsePython(text: string): PyModule {
  if (!parser) throw new Error('initPython() must be awaited before parsePython()');
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return new Builder(text).build(tree.rootNode);
  } finally {
    tree.delete();
  }
}

class Builder {
  private readonly lineStarts: number[];
  private readonly imports: PyImport[] = [];
  private readonly modules = new Set<string>();
  private readonly calls: PyCall[] = [];
  private readonly assignments: PyAssignment[] = [];
  private readonly classes: PyClass[] = [];
  private readonly functions: PyFunction[] = [];
  private readonly loops: PyLoop[] = [];
  private readonly strings: (PyExpr & { kind: 'str' })[] = [];
  private readonly errors: PySyntaxError[] = [];
  private readonly aliases = new Map<string, string>();
  /** Bindings per function scope ("" = module level, "create_app" = inside it). */
  private readonly bindings = new Map<string, Map<string, string>>();
  private readonly lastBinding = new Map<string, string>();
  private pendingBindings: { name: string; callee: string; scope: string }[] = [];
  /**
   * Expressions already built, by tree-sitter node id. The walk reaches every call and string
   * again after building it as part of an enclosing expression (a call's arguments, an
   * assignment's value); without this each nested call was built once per enclosing level. Only
   * complete expressions are kept: one cut short by MAX_EXPR_DEPTH is rebuilt at its own depth.
   */
  private readonly built = new Map<number, PyExpr>();
  private cuts = 0;

  constructor(private readonly text: string) {
    this.lineStarts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  build(root: Node): PyModule {
    const importInsertOffset = this.insertOffset(root);
    this.walk(root);
    for (const b of this.pendingBindings) {
      const q = this.qualify(b.callee);
      if (!this.bindings.has(b.scope)) this.bindings.set(b.scope, new Map());
      this.bindings.get(b.scope)!.set(b.name, q);
      this.lastBinding.set(b.name, q);
    }
    const aliases = this.aliases;
    const bindings = this.bindings;
    const lastBinding = this.lastBinding;
    const modules = this.modules;
    const qualify = (d: string) => this.qualify(d);
    return {
      text: this.text,
      modules,
      imports: this.imports,
      calls: this.calls,
      assignments: this.assignments,
      classes: this.classes.map((c) => ({ ...c, bases: c.bases.map(qualify) })),
      functions: this.functions,
      loops: this.loops,
      strings: this.strings,
      syntaxErrors: this.errors,
      importInsertOffset,
      importsModule: (m) => [...modules].some((x) => x === m || x.startsWith(`${m}.`)) || [...aliases.values()].some((q) => q === m || q.startsWith(`${m}.`)),
      qualify,
      instanceOf: (name, scope) => {
        if (scope) {
          for (let i = scope.functions.length; i >= 0; i--) {
            const hit = bindings.get(scope.functions.slice(0, i).join('.'))?.get(name);
            if (hit) return hit;
          }
          return undefined;
        }
        return bindings.get('')?.get(name) ?? lastBinding.get(name);
      },
    };
  }

  private qualify(dotted: string): string {
    return qualifyWith(this.aliases, dotted);
  }

  private line(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private range(n: Node): TextRange {
    return { start: n.startIndex, end: n.endIndex };
  }

  private insertOffset(root: Node): number {
    // After a byte-order mark, a shebang and a coding cookie (lines 1-2), which must stay first.
    let offset = this.text.charCodeAt(0) === 0xfeff ? 1 : 0;
    let docstringAllowed = true;
    for (const child of root.namedChildren) {
      if (!child) continue;
      if (child.type === 'comment') {
        const line = this.line(child.startIndex);
        if ((line === 1 && child.text.startsWith('#!')) || (line <= 2 && /^#.*?coding[:=]/.test(child.text))) offset = this.lineEndAfter(child.endIndex);
        continue;
      }
      if (child.type === 'expression_statement' && child.namedChildren[0]?.type === 'string' && docstringAllowed) {
        docstringAllowed = false;
        offset = this.lineEndAfter(child.endIndex);
        continue;
      }
      if (child.type === 'future_import_statement') {
        docstringAllowed = false;
        offset = this.lineEndAfter(child.endIndex);
        continue;
      }
      break;
    }
    return offset;
  }

  private lineEndAfter(index: number): number {
    const nl = this.text.indexOf('\n', index);
    return nl === -1 ? this.text.length : nl + 1;
  }

  /**
   * Pre-order walk with a TreeCursor (iterative: deeply nested input cannot overflow the stack),
   * tracking scopes. Only the node types the facade records are materialised as Node objects:
   * walking every node through Node wrappers costs several times the parse itself.
   */
  private walk(root: Node): void {
    const checkErrors = root.hasError;
    const cursor = root.walk();
    const scopes: PyScope[] = [{ functions: [], classes: [] }];
    try {
      for (;;) {
        const type = cursor.nodeType;
        const scope = scopes[scopes.length - 1]!;
        let childScope = scope;
        let descend = true;
        if (VISITED.has(type)) {
          const r = this.visit(cursor.currentNode, type, scope);
          childScope = r.scope;
          descend = r.descend;
        } else if (checkErrors && cursor.nodeIsMissing) this.syntaxError(cursor.currentNode, `missing ${type}`);
        if (descend && cursor.gotoFirstChild()) {
          scopes.push(childScope);
          continue;
        }
        while (!cursor.gotoNextSibling()) {
          if (scopes.length === 1 || !cursor.gotoParent()) return;
          scopes.pop();
        }
      }
    } finally {
      cursor.delete();
    }
  }

  private visit(node: Node, type: string, scope: PyScope): { scope: PyScope; descend: boolean } {
    let childScope = scope;
    switch (type) {
        case 'ERROR':
          this.syntaxError(node, 'invalid syntax');
          break;
        case 'import_statement':
        case 'import_from_statement':
          this.importStatement(node);
          break;
        case 'call':
          this.call(node, scope);
          break;
        case 'assignment':
          this.assignment(node, scope, '=');
          break;
        case 'augmented_assignment':
          this.assignment(node, scope, node.childForFieldName('operator')?.text ?? '+=');
          break;
        case 'string':
        case 'concatenated_string': {
          const e = this.expr(node, 0);
          if (e.kind === 'str') this.strings.push(e);
          if (type === 'concatenated_string') return { scope, descend: false }; // parts already covered
          break;
        }
        case 'class_definition': {
          const name = node.childForFieldName('name')?.text ?? '';
          const supers = node.childForFieldName('superclasses');
          const body = node.childForFieldName('body');
          this.classes.push({
            name,
            bases: supers ? supers.namedChildren.filter((c): c is Node => !!c && c.type !== 'keyword_argument').map((c) => this.dotted(c)) : [],
            range: this.range(node),
            nameRange: this.range(node.childForFieldName('name') ?? node),
            bodyRange: this.range(body ?? node),
            scope,
            line: this.line(node.startIndex),
          });
          childScope = { functions: scope.functions, classes: [...scope.classes, name] };
          break;
        }
        case 'function_definition': {
          const name = node.childForFieldName('name')?.text ?? '';
          const params = node.childForFieldName('parameters');
          const body = node.childForFieldName('body');
          const decorated = node.parent?.type === 'decorated_definition' ? node.parent : undefined;
          this.functions.push({
            name,
            decorators: decorated ? decorated.namedChildren.filter((c): c is Node => c?.type === 'decorator').map((d) => this.expr(d.namedChildren[0] ?? d, 0)) : [],
            params: params ? params.namedChildren.filter((c): c is Node => !!c).map((p) => paramName(p)).filter((s) => s !== '') : [],
            range: this.range(decorated ?? node),
            nameRange: this.range(node.childForFieldName('name') ?? node),
            bodyRange: this.range(body ?? node),
            scope,
            isAsync: node.children.some((c) => c?.type === 'async'),
            line: this.line(node.startIndex),
          });
          childScope = { functions: [...scope.functions, name], classes: scope.classes };
          break;
        }
        case 'for_statement':
        case 'while_statement': {
          const body = node.childForFieldName('body');
          const right = type === 'for_statement' ? node.childForFieldName('right') : null;
          const left = type === 'for_statement' ? node.childForFieldName('left') : null;
          this.loops.push({
            kind: type === 'for_statement' ? 'for' : 'while',
            iter: right ? this.expr(right, 0) : undefined,
            target: left ? this.expr(left, 0) : undefined,
            range: this.range(node),
            bodyRange: this.range(body ?? node),
            scope,
          });
          break;
        }
        case 'list_comprehension':
        case 'dictionary_comprehension':
        case 'set_comprehension':
        case 'generator_expression': {
          const forIn = node.namedChildren.find((c) => c?.type === 'for_in_clause');
          const right = forIn?.childForFieldName('right');
          const left = forIn?.childForFieldName('left');
          this.loops.push({ kind: 'comprehension', iter: right ? this.expr(right, 0) : undefined, target: left ? this.expr(left, 0) : undefined, range: this.range(node), bodyRange: this.range(node), scope });
          break;
        }
    }
    return { scope: childScope, descend: true };
  }

  private syntaxError(node: Node, message: string): void {
    if (this.errors.length >= 20) return;
    this.errors.push({ range: this.range(node), line: node.startPosition.row + 1, column: node.startPosition.column + 1, message });
  }

  private importStatement(node: Node): void {
    const line = this.line(node.startIndex);
    const range = this.range(node);
    if (node.type === 'import_statement') {
      for (const n of node.namedChildren) {
        if (!n) continue;
        if (n.type === 'aliased_import') {
          const mod = n.childForFieldName('name')?.text ?? '';
          const alias = n.childForFieldName('alias')?.text ?? mod;
          this.addImport(alias, mod, mod, range, line);
        } else if (n.type === 'dotted_name') {
          const mod = n.text;
          const head = mod.split('.')[0]!;
          this.addImport(head, head, mod, range, line);
        }
      }
      return;
    }
    const moduleNode = node.childForFieldName('module_name');
    const mod = moduleNode?.text.replace(/\s+/g, '') ?? '';
    this.modules.add(mod);
    for (const n of node.namedChildren) {
      if (!n || n === moduleNode || n.startIndex === moduleNode?.startIndex) continue;
      if (n.type === 'wildcard_import') this.addImport('*', `${mod}.*`, mod, range, line);
      else if (n.type === 'aliased_import') {
        const name = n.childForFieldName('name')?.text ?? '';
        this.addImport(n.childForFieldName('alias')?.text ?? name, joinModule(mod, name), mod, range, line);
      } else if (n.type === 'dotted_name') this.addImport(n.text, joinModule(mod, n.text), mod, range, line);
    }
  }

  private addImport(local: string, qualified: string, module: string, range: TextRange, line: number): void {
    this.modules.add(module);
    this.imports.push({ local, qualified, module, range, line });
    if (local !== '*') this.aliases.set(local, qualified);
  }

  private call(node: Node, scope: PyScope): void {
    const seen = this.built.get(node.id);
    this.calls.push(seen?.kind === 'call' ? this.rescoped(seen.call, scope) : this.makeCall(node, scope, 1));
  }

  /** A call built inside an expression (where scope is not tracked), recorded with its scope. */
  private rescoped(c: PyCall, scope: PyScope): PyCall {
    const aliases = this.aliases;
    const callee = c.callee;
    return {
      callee,
      get qualified() {
        return qualifyWith(aliases, callee);
      },
      calleeRange: c.calleeRange,
      func: c.func,
      range: c.range,
      argsRange: c.argsRange,
      args: c.args,
      positional: c.positional,
      scope,
      line: c.line,
      keyword: c.keyword,
    };
  }

  private makeCall(node: Node, scope: PyScope, depth: number): PyCall {
    const fn = node.childForFieldName('function');
    const argsNode = node.childForFieldName('arguments');
    const args: PyArg[] = [];
    if (argsNode && argsNode.type === 'argument_list') {
      for (const a of argsNode.namedChildren) {
        if (!a || a.type === 'comment') continue;
        if (a.type === 'keyword_argument') {
          const v = a.childForFieldName('value');
          args.push({ name: a.childForFieldName('name')?.text, value: v ? this.expr(v, depth) : other(a, this.text), range: this.range(a) });
        } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
          args.push({ name: a.type === 'list_splat' ? '*' : '**', value: this.expr(a.namedChildren[0] ?? a, depth), range: this.range(a) });
        } else args.push({ name: undefined, value: this.expr(a, depth), range: this.range(a) });
      }
    } else if (argsNode) {
      // generator argument: f(x for x in y)
      args.push({ name: undefined, value: this.expr(argsNode, depth), range: this.range(argsNode) });
    }
    const callee = fn ? this.dotted(fn) : '';
    const aliases = this.aliases;
    return {
      callee,
      // Resolved on access: imports later in the file (or inside functions) still count.
      get qualified() {
        return qualifyWith(aliases, callee);
      },
      calleeRange: this.range(fn ?? node),
      func: fn ? this.expr(fn, depth + 1) : other(node, this.text),
      range: this.range(node),
      argsRange: this.range(argsNode ?? node),
      args,
      positional: args.filter((a) => a.name === undefined).map((a) => a.value),
      scope,
      line: this.line(node.startIndex),
      keyword: (name: string) => args.find((a) => a.name === name)?.value,
    };
  }

  private assignment(node: Node, scope: PyScope, op: string): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left) return;
    const range = this.range(node);
    const line = this.line(node.startIndex);
    const topLevel = scope.functions.length === 0 && scope.classes.length === 0;
    if (!right) return; // bare annotation `x: int`
    // Chained `a = b = value`: right is itself an assignment; it is visited on its own.
    if (right.type === 'assignment') {
      const inner = this.innermostValue(right);
      if (inner) this.pushAssignment(left, inner, op, range, scope, topLevel, line);
      return;
    }
    const value = this.expr(right, 0);
    if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && (value.kind === 'tuple' || value.kind === 'list')) {
      const targets = left.namedChildren.filter((c): c is Node => !!c);
      targets.forEach((t, i) => {
        const v = value.elements[i];
        if (v) this.pushAssignmentExpr(t, v, op, range, scope, topLevel, line);
      });
      return;
    }
    this.pushAssignmentExpr(left, value, op, range, scope, topLevel, line);
  }

  private innermostValue(node: Node): Node | null {
    let cur: Node | null = node;
    while (cur && cur.type === 'assignment') cur = cur.childForFieldName('right');
    return cur;
  }

  private pushAssignment(left: Node, right: Node, op: string, range: TextRange, scope: PyScope, topLevel: boolean, line: number): void {
    this.pushAssignmentExpr(left, this.expr(right, 0), op, range, scope, topLevel, line);
  }

  private pushAssignmentExpr(left: Node, value: PyExpr, op: string, range: TextRange, scope: PyScope, topLevel: boolean, line: number): void {
    const target = left.text.replace(/\s+/g, '');
    this.assignments.push({ target, targetExpr: this.expr(left, 0), value, op, range, scope, topLevel, line });
    if (op === '=' && left.type === 'identifier' && value.kind === 'call' && value.call.callee) {
      this.pendingBindings.push({ name: left.text, callee: value.call.callee, scope: scope.functions.join('.') });
    }
  }

  /** Dotted text of a name/attribute chain ("a.b.c"), or "" if it is not one. */
  private dotted(n: Node): string {
    if (n.type === 'identifier') return n.text;
    if (n.type === 'attribute') {
      const obj = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute');
      if (!obj || !attr) return '';
      const head = this.dotted(obj);
      return head ? `${head}.${attr.text}` : '';
    }
    return '';
  }

  private expr(n: Node, depth: number): PyExpr {
    const seen = this.built.get(n.id);
    if (seen) return seen;
    const cuts = this.cuts;
    const e = this.buildExpr(n, depth);
    if (this.cuts === cuts) this.built.set(n.id, e);
    return e;
  }

  private buildExpr(n: Node, depth: number): PyExpr {
    const range = this.range(n);
    const text = n.text;
    if (depth > MAX_EXPR_DEPTH) {
      this.cuts++;
      return { kind: 'other', type: n.type, range, text };
    }
    const d = depth + 1;
    switch (n.type) {
      case 'string':
        return this.stringExpr(n, range, text);
      case 'concatenated_string': {
        const parts = n.namedChildren.filter((c): c is Node => c?.type === 'string').map((c) => this.stringExpr(c, this.range(c), c.text));
        if (parts.every((p) => p.kind === 'str')) return { kind: 'str', value: parts.map((p) => (p.kind === 'str' ? p.value : '')).join(''), range, text };
        return {
          kind: 'fstring',
          literal: parts.map((p) => (p.kind === 'str' ? p.value : p.kind === 'fstring' ? p.literal : '')).join(''),
          interpolations: parts.flatMap((p) => (p.kind === 'fstring' ? p.interpolations : [])),
          range,
          text,
        };
      }
      case 'integer':
      case 'float': {
        const v = Number(text.replace(/_/g, ''));
        return { kind: 'num', value: Number.isNaN(v) ? 0 : v, range, text };
      }
      case 'true':
      case 'false':
        return { kind: 'bool', value: n.type === 'true', range, text };
      case 'none':
        return { kind: 'none', range, text };
      case 'identifier':
        return { kind: 'name', id: text, range, text };
      case 'attribute': {
        const obj = n.childForFieldName('object');
        return { kind: 'attr', object: obj ? this.expr(obj, d) : other(n, this.text), attr: n.childForFieldName('attribute')?.text ?? '', range, text };
      }
      case 'call':
        // The walk reaches parents first, so the call is built here for the expression and
        // recorded (with its scope) when the walk reaches it.
        return { kind: 'call', call: this.makeCall(n, { functions: [], classes: [] }, d), range, text };
      case 'subscript': {
        const value = n.childForFieldName('value');
        const index = n.childForFieldName('subscript');
        return { kind: 'subscript', object: value ? this.expr(value, d) : other(n, this.text), index: index ? this.expr(index, d) : undefined, range, text };
      }
      case 'dictionary':
        return {
          kind: 'dict',
          entries: n.namedChildren
            .filter((c): c is Node => !!c && (c.type === 'pair' || c.type === 'dictionary_splat'))
            .map((p) =>
              p.type === 'pair'
                ? { key: this.expr(p.childForFieldName('key')!, d), value: this.expr(p.childForFieldName('value')!, d) }
                : { key: undefined, value: this.expr(p.namedChildren[0] ?? p, d) },
            ),
          range,
          text,
        };
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
        return {
          kind: n.type === 'list' || n.type === 'list_pattern' ? 'list' : n.type === 'set' ? 'set' : 'tuple',
          elements: n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => this.expr(c, d)),
          range,
          text,
        };
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.expr(inner, d) : other(n, this.text);
      }
      case 'binary_operator': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        if (!l || !r) return other(n, this.text);
        return { kind: 'binop', op: n.childForFieldName('operator')?.text ?? '', left: this.expr(l, d), right: this.expr(r, d), range, text };
      }
      case 'boolean_operator': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        if (!l || !r) return other(n, this.text);
        const op = n.childForFieldName('operator')?.text === 'and' ? 'and' : 'or';
        return { kind: 'boolop', op, left: this.expr(l, d), right: this.expr(r, d), range, text };
      }
      case 'not_operator': {
        const a = n.childForFieldName('argument');
        return { kind: 'not', operand: a ? this.expr(a, d) : other(n, this.text), range, text };
      }
      case 'comparison_operator': {
        const operands = n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        const ops = n.children.filter((c): c is Node => !!c && !c.isNamed).map((c) => c.text);
        return { kind: 'compare', ops, operands: operands.map((o) => this.expr(o, d)), range, text };
      }
      case 'conditional_expression': {
        const parts = n.namedChildren.filter((c): c is Node => !!c);
        if (parts.length < 3) return other(n, this.text);
        return { kind: 'ifexp', body: this.expr(parts[0]!, d), test: this.expr(parts[1]!, d), orelse: this.expr(parts[2]!, d), range, text };
      }
      case 'lambda':
        return { kind: 'lambda', range, text };
      case 'unary_operator': {
        const arg = n.childForFieldName('argument');
        const op = n.childForFieldName('operator')?.text;
        if (arg && op === '-' && (arg.type === 'integer' || arg.type === 'float')) {
          const v = Number(arg.text.replace(/_/g, ''));
          return { kind: 'num', value: -(Number.isNaN(v) ? 0 : v), range, text };
        }
        return other(n, this.text);
      }
      default:
        return other(n, this.text);
    }
  }

  private stringExpr(n: Node, range: TextRange, text: string): PyExpr {
    const start = n.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '"';
    const prefix = start.replace(/['"]/g, '').toLowerCase();
    const raw = prefix.includes('r');
    let literal = '';
    const interpolations: PyExpr[] = [];
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_content') literal += raw ? c.text : decodeEscapes(c.text);
      else if (c.type === 'escape_sequence') literal += raw ? c.text : decodeEscapes(c.text);
      else if (c.type === 'interpolation') {
        const e = c.childForFieldName('expression') ?? c.namedChildren[0];
        if (e) interpolations.push(this.expr(e, 1));
      }
    }
    // string_content may also contain escape_sequence children in some grammar versions; fall back to the raw body.
    if (!n.namedChildren.some((c) => c?.type === 'string_content' || c?.type === 'escape_sequence' || c?.type === 'interpolation')) {
      literal = text.slice(start.length, Math.max(start.length, text.length - start.replace(/^[a-zA-Z]*/, '').length));
    }
    if (prefix.includes('f') || prefix.includes('t')) return { kind: 'fstring', literal, interpolations, range, text };
    return { kind: 'str', value: literal, range, text };
  }
}

function joinModule(mod: string, name: string): string {
  if (!mod) return name;
  return mod.endsWith('.') ? mod + name : `${mod}.${name}`;
}

function paramName(p: Node): string {
  if (p.type === 'identifier') return p.text;
  const name = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
  return name?.text ?? '';
}

function other(n: Node, _text: string): PyExpr {
  return { kind: 'other', type: n.type, range: { start: n.startIndex, end: n.endIndex }, text: n.text };
}

function qualifyWith(aliases: ReadonlyMap<string, string>, dotted: string): string {
  if (!dotted) return dotted;
  const dot = dotted.indexOf('.');
  const head = dot === -1 ? dotted : dotted.slice(0, dot);
  const target = aliases.get(head);
  if (!target) return dotted;
  return dot === -1 ? target : target + dotted.slice(dot);
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };

function decodeEscapes(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|\n|.)/g, (m, e: string) => {
    if (e === '\n') return '';
    if (e[0] === 'x' || e[0] === 'u' || e[0] === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    return SIMPLE_ESCAPES[e] ?? m;
  });
}

/** Dotted name of an expression ("a.b.c"), or undefined. */
export function dottedName(e: PyExpr): string | undefined {
  if (e.kind === 'name') return e.id;
  if (e.kind === 'attr') {
    const head = dottedName(e.object);
    return head ? `${head}.${e.attr}` : undefined;
  }
  return undefined;
}

/** The constant string value of an expression, if it is one. */
export function strValue(e: PyExpr | undefined): string | undefined {
  return e?.kind === 'str' ? e.value : undefined;
}
