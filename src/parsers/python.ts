/**
 * Our facade over tree-sitter-python (web-tree-sitter, ABI-15 wasm). Rules never see the
 * parser's tree: the module is converted once into plain data (imports with aliases resolved,
 * calls, assignments, classes, functions, string literals) and the tree is deleted at once,
 * so WASM memory does not grow and a parsed module can be cached or sent between threads.
 * Offsets are JS string indices (tree-sitter reports UTF-16 units when given a JS string).
 */
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
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
  /** Syntax nodes the module was built from: what its memory cost scales with (see moduleBytes in src/engine/file-pass.ts). */
  readonly nodes: number;
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

let parser: Parser | undefined;
/** The grammar's tables and the raw cursor entry points, resolved once per thread by initPython(). */
let grammar: Grammar | undefined;

/** Load the grammar once per thread. */
export async function initPython(): Promise<void> {
  if (parser) return;
  const binding: Record<string, unknown> = {};
  await Parser.init(binding);
  fastAccessors(binding);
  const wasm = require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm');
  const language = await Language.load(wasm);
  parser = new Parser();
  parser.setLanguage(language);
  grammar = new Grammar(language, rawCursor(binding));
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

/** A wasm export of the binding: takes the tree's address, reads the cursor from the transfer buffer. */
type CursorFn = (tree: number) => number;

/**
 * The binding's own cursor functions (lib/binding.c), called directly. Each takes the tree's
 * address and reads the cursor's four words from the binding's transfer buffer; the `goto_*` ones
 * write the moved cursor back there, and the scalar getters (type, field, range, named, missing)
 * write nothing. web-tree-sitter's TreeCursor wraps every call in a copy of those four words from
 * its JS object into the buffer and, for moves, back out again, so a walk that leaves the cursor
 * in the buffer between calls skips all of that marshalling. Only `start_position` (used for the
 * rare syntax error) overwrites the buffer; its caller saves and restores the cursor around it.
 * `ts_init` only stores the two ABI version numbers in the buffer and returns its address.
 * Undefined (and the public TreeCursor used instead) if the binding lacks any of them.
 */
interface RawCursor {
  readonly buffer: number;
  readonly view: () => DataView;
  readonly gotoFirstChild: CursorFn;
  readonly gotoNextSibling: CursorFn;
  readonly gotoParent: CursorFn;
  readonly typeId: CursorFn;
  readonly fieldId: CursorFn;
  readonly startIndex: CursorFn;
  readonly endIndex: CursorFn;
  readonly isNamed: CursorFn;
  readonly isMissing: CursorFn;
  readonly startPosition: CursorFn;
}

function rawCursor(binding: Record<string, unknown>): RawCursor | undefined {
  const fn = (name: string) => (typeof binding[`_ts_tree_cursor_${name}_wasm`] === 'function' ? (binding[`_ts_tree_cursor_${name}_wasm`] as CursorFn) : undefined);
  const init = binding._ts_init;
  if (typeof init !== 'function' || !(binding.HEAP_DATA_VIEW instanceof DataView)) return undefined;
  const f = {
    gotoFirstChild: fn('goto_first_child'),
    gotoNextSibling: fn('goto_next_sibling'),
    gotoParent: fn('goto_parent'),
    typeId: fn('current_node_type_id'),
    fieldId: fn('current_field_id'),
    startIndex: fn('start_index'),
    endIndex: fn('end_index'),
    isNamed: fn('current_node_is_named'),
    isMissing: fn('current_node_is_missing'),
    startPosition: fn('start_position'),
  };
  if (Object.values(f).some((x) => !x)) return undefined;
  return { ...(f as { [K in keyof typeof f]: CursorFn }), buffer: (init as () => number)(), view: () => binding.HEAP_DATA_VIEW as DataView };
}

/** Node type names by type id (as `Node.type` reports them) and the field ids the builder asks for. */
class Grammar {
  readonly typeNames: string[];
  /** 1 for the type ids of VISITED node types. */
  readonly visited: Uint8Array;
  /** 1 for the type ids named "ERROR". */
  readonly error: Uint8Array;
  /**
   * Whether nodes of a type id are named (1) or anonymous (0), as the cursor reports them, or -1
   * (ask the cursor) for ids the language does not list. Named-ness belongs to the node's (public,
   * alias-resolved) symbol, which is what the type id is; reading it here saves one of the walk's
   * seven wasm calls per node. Checked on 5.6 million nodes of both corpora, the fixtures and
   * syntax-error variants: no difference.
   */
  readonly named: Int8Array;
  readonly field: Readonly<Record<(typeof FIELDS)[number], number>>;
  constructor(
    language: Language,
    readonly raw: RawCursor | undefined,
  ) {
    this.typeNames = [];
    this.visited = new Uint8Array(65536);
    this.error = new Uint8Array(65536);
    this.named = new Int8Array(65536).fill(-1);
    for (let id = 0; id < language.types.length; id++) this.named[id] = language.nodeTypeIsNamed(id) ? 1 : 0;
    this.named[65535] = language.nodeTypeIsNamed(65535) ? 1 : 0;
    // ERROR nodes have type id 65535, which has no entry in `types`: Node.type is `types[id] || "ERROR"`.
    for (let id = 0; id < 65536; id++) {
      const name = intern(language.types[id] || 'ERROR');
      this.typeNames.push(name);
      if (VISITED.has(name)) this.visited[id] = 1;
      if (name === 'ERROR') this.error[id] = 1;
    }
    // As Node.childForFieldName does: the index in `fields`, -1 (matches no node) when absent.
    const field = {} as Record<(typeof FIELDS)[number], number>;
    for (const name of FIELDS) field[name] = language.fields.indexOf(name);
    this.field = field;
  }
}

/**
 * The same string, internalized: `types` holds strings decoded from wasm memory, which V8 compares
 * to the builder's literals ('call', 'string', ...) character by character; internalized strings
 * (property keys are) compare by pointer.
 */
function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

const FIELDS = ['function', 'arguments', 'value', 'name', 'alias', 'module_name', 'left', 'right', 'operator', 'object', 'attribute', 'subscript', 'key', 'argument', 'expression', 'superclasses', 'body', 'parameters'] as const;

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
  if (!parser || !grammar) throw new Error('initPython() must be awaited before parsePython()');
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  let flat: Flat;
  try {
    flat = flatten(tree, grammar);
  } finally {
    tree.delete();
  }
  return new Builder(text, flat, grammar).build();
}

/**
 * The tree as plain arrays, read in one cursor walk: node i is the i-th in pre-order (0 is the
 * module), with its type id, field id (0 = none), range, named flag, parent and next sibling (-1
 * = none); its first child, if any, is i + 1. The builder then reads only these arrays: no Node
 * objects, and no `childForFieldName` round trips into wasm (a child with a field is found by
 * scanning the children's recorded field ids, which is what the cursor reports for them). The
 * arrays belong to the one FLAT below and are reused by every parse (grown when a file needs more
 * nodes), which is safe because a module is completely built before the next parse starts.
 */
interface Flat {
  count: number;
  type: Uint16Array;
  field: Uint16Array;
  start: Int32Array;
  end: Int32Array;
  named: Uint8Array;
  /** Only filled when the tree has errors. */
  missing: Uint8Array;
  parent: Int32Array;
  next: Int32Array;
  hasError: boolean;
  /** Start row and column (as Node.startPosition) of the ERROR and missing nodes: their syntax errors need them. */
  points: Map<number, { row: number; column: number }>;
}

const FLAT: Flat = allocFlat(1 << 14);

function allocFlat(capacity: number): Flat {
  return {
    count: 0,
    type: new Uint16Array(capacity),
    field: new Uint16Array(capacity),
    start: new Int32Array(capacity),
    end: new Int32Array(capacity),
    named: new Uint8Array(capacity),
    missing: new Uint8Array(capacity),
    parent: new Int32Array(capacity),
    next: new Int32Array(capacity),
    hasError: false,
    points: new Map(),
  };
}

function growFlat(f: Flat): void {
  const bigger = allocFlat(f.type.length * 2);
  for (const k of ['type', 'field', 'start', 'end', 'named', 'missing', 'parent', 'next'] as const) (bigger[k] as Uint8Array).set(f[k] as Uint8Array);
  Object.assign(f, { ...bigger, count: f.count, hasError: f.hasError, points: f.points });
}

type Tree = NonNullable<ReturnType<Parser['parse']>>;

/**
 * Pre-order cursor walk over the whole tree (iterative: deeply nested input cannot overflow the
 * stack) into FLAT. With the raw binding functions the cursor lives in the transfer buffer for
 * the whole walk (see RawCursor); the TreeCursor object only creates it and, once its final state
 * is copied back, deletes it.
 */
function flatten(tree: Tree, g: Grammar): Flat {
  const f = FLAT;
  const root = tree.rootNode;
  f.count = 0;
  f.hasError = root.hasError;
  f.points = new Map();
  const cursor = root.walk();
  const raw = g.raw;
  const handle = cursor as unknown as Record<0 | 1 | 2 | 3, number>;
  const address = (tree as unknown as Record<0, number>)[0];
  let gotoFirstChild: CursorFn, gotoNextSibling: CursorFn, gotoParent: CursorFn, typeId: CursorFn, fieldId: CursorFn, startIndex: CursorFn, endIndex: CursorFn, isNamed: CursorFn, isMissing: CursorFn;
  let point: () => { row: number; column: number };
  if (raw) {
    ({ gotoFirstChild, gotoNextSibling, gotoParent, typeId, fieldId, startIndex, endIndex, isNamed, isMissing } = raw);
    const b = raw.buffer;
    const view = raw.view();
    for (let k = 0; k < 4; k++) view.setInt32(b + 4 * k, handle[k as 0], true);
    point = () => {
      const v = raw.view();
      const saved = [0, 1, 2, 3].map((k) => v.getInt32(b + 4 * k, true));
      raw.startPosition(address);
      const w = raw.view();
      const p = { row: w.getInt32(b, true), column: w.getInt32(b + 4, true) };
      saved.forEach((x, k) => w.setInt32(b + 4 * k, x, true));
      return p;
    };
  } else {
    gotoFirstChild = () => +cursor.gotoFirstChild();
    gotoNextSibling = () => +cursor.gotoNextSibling();
    gotoParent = () => +cursor.gotoParent();
    typeId = () => cursor.nodeTypeId;
    fieldId = () => cursor.currentFieldId;
    startIndex = () => cursor.startIndex;
    endIndex = () => cursor.endIndex;
    isNamed = () => +cursor.nodeIsNamed;
    isMissing = () => +cursor.nodeIsMissing;
    point = () => cursor.startPosition;
  }
  const checkErrors = f.hasError;
  const path: number[] = []; // path[d]: the node at depth d on the way to the current one
  let depth = 0;
  let fromSibling = false;
  try {
    for (;;) {
      if (f.count === f.type.length) growFlat(f);
      const i = f.count++;
      const type = typeId(address);
      f.type[i] = type;
      f.field[i] = fieldId(address);
      f.start[i] = startIndex(address);
      f.end[i] = endIndex(address);
      const named = g.named[type]!;
      f.named[i] = named >= 0 ? named : isNamed(address);
      f.parent[i] = depth === 0 ? -1 : path[depth - 1]!;
      f.next[i] = -1;
      // Missing nodes are only looked for (as the walk did) when the tree has an error.
      const missing = checkErrors ? isMissing(address) : 0;
      f.missing[i] = missing;
      if (missing || g.error[type]) f.points.set(i, point());
      if (fromSibling) f.next[path[depth]!] = i;
      path[depth] = i;
      if (gotoFirstChild(address)) {
        depth++;
        fromSibling = false;
        continue;
      }
      for (;;) {
        if (gotoNextSibling(address)) break;
        if (depth === 0 || !gotoParent(address)) return f;
        depth--;
      }
      fromSibling = true;
    }
  } finally {
    if (raw) {
      const view = raw.view();
      for (let k = 0; k < 4; k++) handle[k as 0] = view.getInt32(raw.buffer + 4 * k, true);
    }
    cursor.delete();
  }
}

/**
 * Per-node working arrays of the builder (expressions built, scope each node gives its children),
 * indexed like FLAT and shared between parses as FLAT is; emptied after each build so they hold
 * nothing of a finished module. Reused because a fresh array per file of up to a few hundred
 * thousand entries went to the large-object space and dictionary elements.
 */
const BUILT: (PyExpr | undefined)[] = [];
/** Placeholder filling SCOPES; never handed out (each module gets its own module-level scope). */
const MODULE_SCOPE: PyScope = { functions: [], classes: [] };
const SCOPES: PyScope[] = [];

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
   * Expressions already built, by node. The walk reaches every call and string again after
   * building it as part of an enclosing expression (a call's arguments, an assignment's value);
   * without this each nested call was built once per enclosing level. Only complete expressions
   * are kept: one cut short by MAX_EXPR_DEPTH is rebuilt at its own depth.
   */
  private readonly built: (PyExpr | undefined)[] = BUILT;
  private cuts = 0;
  private readonly names: string[];
  private readonly F: Grammar['field'];

  constructor(
    private readonly text: string,
    private readonly t: Flat,
    private readonly g: Grammar,
  ) {
    this.lineStarts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    this.names = g.typeNames;
    this.F = g.field;
  }

  // --- the flat tree, read like Node (n is a node index; -1 stands for null) ---

  private type(n: number): string {
    return this.names[this.t.type[n]!]!;
  }

  private nodeText(n: number): string {
    return this.text.slice(this.t.start[n], this.t.end[n]);
  }

  private range(n: number): TextRange {
    return { start: this.t.start[n]!, end: this.t.end[n]! };
  }

  private firstChild(n: number): number {
    return n + 1 < this.t.count && this.t.parent[n + 1] === n ? n + 1 : -1;
  }

  /** The first child with this field (Node.childForFieldName), or -1. */
  private child(n: number, field: number): number {
    const { field: fields, next } = this.t;
    for (let c = this.firstChild(n); c !== -1; c = next[c]!) if (fields[c] === field) return c;
    return -1;
  }

  private namedChildren(n: number): number[] {
    const out: number[] = [];
    const { named, next } = this.t;
    for (let c = this.firstChild(n); c !== -1; c = next[c]!) if (named[c]) out.push(c);
    return out;
  }

  private children(n: number): number[] {
    const out: number[] = [];
    for (let c = this.firstChild(n); c !== -1; c = this.t.next[c]!) out.push(c);
    return out;
  }

  /** Text of the child with this field, or undefined (`node.childForFieldName(f)?.text`). */
  private childText(n: number, field: number): string | undefined {
    const c = this.child(n, field);
    return c === -1 ? undefined : this.nodeText(c);
  }

  /** The name node (-1 if missing), name ('' if missing) and body node of a class or function definition. */
  private definitionHead(n: number): { nameNode: number; name: string; body: number } {
    const nameNode = this.child(n, this.F.name);
    return { nameNode, name: nameNode === -1 ? '' : this.nodeText(nameNode), body: this.child(n, this.F.body) };
  }

  build(): PyModule {
    const importInsertOffset = this.insertOffset(0);
    while (BUILT.length < this.t.count) BUILT.push(undefined);
    while (SCOPES.length < this.t.count) SCOPES.push(MODULE_SCOPE);
    try {
      this.walk();
    } finally {
      BUILT.fill(undefined, 0, this.t.count);
      SCOPES.fill(MODULE_SCOPE, 0, this.t.count);
    }
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
      nodes: this.t.count,
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

  private insertOffset(root: number): number {
    // After a byte-order mark, a shebang and a coding cookie (lines 1-2), which must stay first.
    let offset = this.text.charCodeAt(0) === 0xfeff ? 1 : 0;
    let docstringAllowed = true;
    for (const child of this.namedChildren(root)) {
      const type = this.type(child);
      if (type === 'comment') {
        const line = this.line(this.t.start[child]!);
        const text = this.nodeText(child);
        if ((line === 1 && text.startsWith('#!')) || (line <= 2 && /^#.*?coding[:=]/.test(text))) offset = this.lineEndAfter(this.t.end[child]!);
        continue;
      }
      if (type === 'expression_statement' && docstringAllowed) {
        const first = this.namedChildren(child)[0];
        if (first !== undefined && this.type(first) === 'string') {
          docstringAllowed = false;
          offset = this.lineEndAfter(this.t.end[child]!);
          continue;
        }
      }
      if (type === 'future_import_statement') {
        docstringAllowed = false;
        offset = this.lineEndAfter(this.t.end[child]!);
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
   * Pre-order walk over the flat tree, tracking scopes: a node's scope is the one its parent
   * opened for its children (a class or function opens a new one). Only the VISITED node types
   * are looked at; the parts of a concatenated string are skipped (the string covers them).
   */
  private walk(): void {
    const { count, type, parent, next, missing } = this.t;
    const visited = this.g.visited;
    const checkErrors = this.t.hasError;
    const module: PyScope = { functions: [], classes: [] };
    // childScope[i]: the scope node i gives its children.
    const childScope = SCOPES;
    for (let i = 0; i < count; ) {
      const p = parent[i]!;
      const scope = p === -1 ? module : childScope[p]!;
      let descend = true;
      childScope[i] = scope;
      if (visited[type[i]!]) {
        const r = this.visit(i, this.names[type[i]!]!, scope);
        childScope[i] = r.scope;
        descend = r.descend;
      } else if (checkErrors && missing[i]) this.syntaxError(i, `missing ${this.names[type[i]!]!}`);
      if (descend || i + 1 >= count || parent[i + 1] !== i) {
        i++;
        continue;
      }
      // Step over the subtree: to the next sibling of the node or of its nearest ancestor.
      let j = i;
      while (j !== -1 && next[j] === -1) j = parent[j]!;
      i = j === -1 ? count : next[j]!;
    }
  }

  private visit(node: number, type: string, scope: PyScope): { scope: PyScope; descend: boolean } {
    const F = this.F;
    let childScope = scope;
    switch (type) {
      case 'ERROR':
        this.syntaxError(node, 'invalid syntax');
        break;
      case 'import_statement':
      case 'import_from_statement':
        this.importStatement(node, type);
        break;
      case 'call':
        this.call(node, scope);
        break;
      case 'assignment':
        this.assignment(node, scope, '=');
        break;
      case 'augmented_assignment':
        this.assignment(node, scope, this.childText(node, F.operator) ?? '+=');
        break;
      case 'string':
      case 'concatenated_string': {
        const e = this.expr(node, 0);
        if (e.kind === 'str') this.strings.push(e);
        if (type === 'concatenated_string') return { scope, descend: false }; // parts already covered
        break;
      }
      case 'class_definition': {
        const { nameNode, name, body } = this.definitionHead(node);
        const supers = this.child(node, F.superclasses);
        this.classes.push({
          name,
          bases: supers !== -1 ? this.namedChildren(supers).filter((c) => this.type(c) !== 'keyword_argument').map((c) => this.dotted(c)) : [],
          range: this.range(node),
          nameRange: this.range(nameNode === -1 ? node : nameNode),
          bodyRange: this.range(body === -1 ? node : body),
          scope,
          line: this.line(this.t.start[node]!),
        });
        childScope = { functions: scope.functions, classes: [...scope.classes, name] };
        break;
      }
      case 'function_definition': {
        const { nameNode, name, body } = this.definitionHead(node);
        const params = this.child(node, F.parameters);
        const p = this.t.parent[node]!;
        const decorated = p !== -1 && this.type(p) === 'decorated_definition' ? p : -1;
        this.functions.push({
          name,
          decorators:
            decorated !== -1
              ? this.namedChildren(decorated)
                  .filter((c) => this.type(c) === 'decorator')
                  .map((d) => this.expr(this.namedChildren(d)[0] ?? d, 0))
              : [],
          params: params !== -1 ? this.namedChildren(params).map((c) => this.paramName(c)).filter((s) => s !== '') : [],
          range: this.range(decorated !== -1 ? decorated : node),
          nameRange: this.range(nameNode === -1 ? node : nameNode),
          bodyRange: this.range(body === -1 ? node : body),
          scope,
          isAsync: this.children(node).some((c) => this.type(c) === 'async'),
          line: this.line(this.t.start[node]!),
        });
        childScope = { functions: [...scope.functions, name], classes: scope.classes };
        break;
      }
      case 'for_statement':
      case 'while_statement': {
        const body = this.child(node, F.body);
        const right = type === 'for_statement' ? this.child(node, F.right) : -1;
        const left = type === 'for_statement' ? this.child(node, F.left) : -1;
        this.loops.push({
          kind: type === 'for_statement' ? 'for' : 'while',
          iter: right !== -1 ? this.expr(right, 0) : undefined,
          target: left !== -1 ? this.expr(left, 0) : undefined,
          range: this.range(node),
          bodyRange: this.range(body === -1 ? node : body),
          scope,
        });
        break;
      }
      case 'list_comprehension':
      case 'dictionary_comprehension':
      case 'set_comprehension':
      case 'generator_expression': {
        const forIn = this.namedChildren(node).find((c) => this.type(c) === 'for_in_clause') ?? -1;
        const right = forIn === -1 ? -1 : this.child(forIn, F.right);
        const left = forIn === -1 ? -1 : this.child(forIn, F.left);
        this.loops.push({ kind: 'comprehension', iter: right !== -1 ? this.expr(right, 0) : undefined, target: left !== -1 ? this.expr(left, 0) : undefined, range: this.range(node), bodyRange: this.range(node), scope });
        break;
      }
    }
    return { scope: childScope, descend: true };
  }

  private syntaxError(node: number, message: string): void {
    if (this.errors.length >= 20) return;
    const p = this.t.points.get(node)!;
    this.errors.push({ range: this.range(node), line: p.row + 1, column: p.column + 1, message });
  }

  private importStatement(node: number, type: string): void {
    const F = this.F;
    const line = this.line(this.t.start[node]!);
    const range = this.range(node);
    if (type === 'import_statement') {
      for (const n of this.namedChildren(node)) {
        const t = this.type(n);
        if (t === 'aliased_import') {
          const mod = this.childText(n, F.name) ?? '';
          const alias = this.childText(n, F.alias) ?? mod;
          this.addImport(alias, mod, mod, range, line);
        } else if (t === 'dotted_name') {
          const mod = this.nodeText(n);
          const head = mod.split('.')[0]!;
          this.addImport(head, head, mod, range, line);
        }
      }
      return;
    }
    const moduleNode = this.child(node, F.module_name);
    const mod = moduleNode === -1 ? '' : this.nodeText(moduleNode).replace(/\s+/g, '');
    this.modules.add(mod);
    for (const n of this.namedChildren(node)) {
      if (moduleNode !== -1 && this.t.start[n] === this.t.start[moduleNode]) continue;
      const t = this.type(n);
      if (t === 'wildcard_import') this.addImport('*', `${mod}.*`, mod, range, line);
      else if (t === 'aliased_import') {
        const name = this.childText(n, F.name) ?? '';
        this.addImport(this.childText(n, F.alias) ?? name, joinModule(mod, name), mod, range, line);
      } else if (t === 'dotted_name') this.addImport(this.nodeText(n), joinModule(mod, this.nodeText(n)), mod, range, line);
    }
  }

  private addImport(local: string, qualified: string, module: string, range: TextRange, line: number): void {
    this.modules.add(module);
    this.imports.push({ local, qualified, module, range, line });
    if (local !== '*') this.aliases.set(local, qualified);
  }

  private call(node: number, scope: PyScope): void {
    const seen = this.built[node];
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

  private makeCall(node: number, scope: PyScope, depth: number): PyCall {
    const F = this.F;
    const fn = this.child(node, F.function);
    const argsNode = this.child(node, F.arguments);
    const args: PyArg[] = [];
    if (argsNode !== -1 && this.type(argsNode) === 'argument_list') {
      for (const a of this.namedChildren(argsNode)) {
        const t = this.type(a);
        if (t === 'comment') continue;
        if (t === 'keyword_argument') {
          const v = this.child(a, F.value);
          args.push({ name: this.childText(a, F.name), value: v !== -1 ? this.expr(v, depth) : this.other(a), range: this.range(a) });
        } else if (t === 'list_splat' || t === 'dictionary_splat') {
          args.push({ name: t === 'list_splat' ? '*' : '**', value: this.expr(this.namedChildren(a)[0] ?? a, depth), range: this.range(a) });
        } else args.push({ name: undefined, value: this.expr(a, depth), range: this.range(a) });
      }
    } else if (argsNode !== -1) {
      // generator argument: f(x for x in y)
      args.push({ name: undefined, value: this.expr(argsNode, depth), range: this.range(argsNode) });
    }
    const callee = fn !== -1 ? this.dotted(fn) : '';
    const aliases = this.aliases;
    return {
      callee,
      // Resolved on access: imports later in the file (or inside functions) still count.
      get qualified() {
        return qualifyWith(aliases, callee);
      },
      calleeRange: this.range(fn !== -1 ? fn : node),
      func: fn !== -1 ? this.expr(fn, depth + 1) : this.other(node),
      range: this.range(node),
      argsRange: this.range(argsNode !== -1 ? argsNode : node),
      args,
      positional: args.filter((a) => a.name === undefined).map((a) => a.value),
      scope,
      line: this.line(this.t.start[node]!),
      keyword: (name: string) => args.find((a) => a.name === name)?.value,
    };
  }

  private assignment(node: number, scope: PyScope, op: string): void {
    const F = this.F;
    const left = this.child(node, F.left);
    const right = this.child(node, F.right);
    if (left === -1) return;
    const range = this.range(node);
    const line = this.line(this.t.start[node]!);
    const topLevel = scope.functions.length === 0 && scope.classes.length === 0;
    if (right === -1) return; // bare annotation `x: int`
    // Chained `a = b = value`: right is itself an assignment; it is visited on its own.
    if (this.type(right) === 'assignment') {
      const inner = this.innermostValue(right);
      if (inner !== -1) this.pushAssignment(left, inner, op, range, scope, topLevel, line);
      return;
    }
    const value = this.expr(right, 0);
    const leftType = this.type(left);
    if ((leftType === 'pattern_list' || leftType === 'tuple_pattern') && (value.kind === 'tuple' || value.kind === 'list')) {
      const targets = this.namedChildren(left);
      targets.forEach((t, i) => {
        const v = value.elements[i];
        if (v) this.pushAssignmentExpr(t, v, op, range, scope, topLevel, line);
      });
      return;
    }
    this.pushAssignmentExpr(left, value, op, range, scope, topLevel, line);
  }

  private innermostValue(node: number): number {
    let cur = node;
    while (cur !== -1 && this.type(cur) === 'assignment') cur = this.child(cur, this.F.right);
    return cur;
  }

  private pushAssignment(left: number, right: number, op: string, range: TextRange, scope: PyScope, topLevel: boolean, line: number): void {
    this.pushAssignmentExpr(left, this.expr(right, 0), op, range, scope, topLevel, line);
  }

  private pushAssignmentExpr(left: number, value: PyExpr, op: string, range: TextRange, scope: PyScope, topLevel: boolean, line: number): void {
    const leftText = this.nodeText(left);
    const target = leftText.replace(/\s+/g, '');
    this.assignments.push({ target, targetExpr: this.expr(left, 0), value, op, range, scope, topLevel, line });
    if (op === '=' && this.type(left) === 'identifier' && value.kind === 'call' && value.call.callee) {
      this.pendingBindings.push({ name: leftText, callee: value.call.callee, scope: scope.functions.join('.') });
    }
  }

  /** Dotted text of a name/attribute chain ("a.b.c"), or "" if it is not one. */
  private dotted(n: number): string {
    const type = this.type(n);
    if (type === 'identifier') return this.nodeText(n);
    if (type === 'attribute') {
      const obj = this.child(n, this.F.object);
      const attr = this.child(n, this.F.attribute);
      if (obj === -1 || attr === -1) return '';
      const head = this.dotted(obj);
      return head ? `${head}.${this.nodeText(attr)}` : '';
    }
    return '';
  }

  private paramName(p: number): string {
    if (this.type(p) === 'identifier') return this.nodeText(p);
    let name = this.child(p, this.F.name);
    if (name === -1) name = this.namedChildren(p).find((c) => this.type(c) === 'identifier') ?? -1;
    return name === -1 ? '' : this.nodeText(name);
  }

  private other(n: number): PyExpr {
    return { kind: 'other', type: this.type(n), range: this.range(n), text: this.nodeText(n) };
  }

  private expr(n: number, depth: number): PyExpr {
    const seen = this.built[n];
    if (seen) return seen;
    const cuts = this.cuts;
    const e = this.buildExpr(n, depth);
    if (this.cuts === cuts) this.built[n] = e;
    return e;
  }

  private buildExpr(n: number, depth: number): PyExpr {
    const F = this.F;
    const range = this.range(n);
    const text = this.nodeText(n);
    const type = this.type(n);
    if (depth > MAX_EXPR_DEPTH) {
      this.cuts++;
      return { kind: 'other', type, range, text };
    }
    const d = depth + 1;
    switch (type) {
      case 'string':
        return this.stringExpr(n, range, text);
      case 'concatenated_string': {
        const parts = this.namedChildren(n)
          .filter((c) => this.type(c) === 'string')
          .map((c) => this.stringExpr(c, this.range(c), this.nodeText(c)));
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
        return { kind: 'bool', value: type === 'true', range, text };
      case 'none':
        return { kind: 'none', range, text };
      case 'identifier':
        return { kind: 'name', id: text, range, text };
      case 'attribute': {
        const obj = this.child(n, F.object);
        return { kind: 'attr', object: obj !== -1 ? this.expr(obj, d) : this.other(n), attr: this.childText(n, F.attribute) ?? '', range, text };
      }
      case 'call':
        // The walk reaches parents first, so the call is built here for the expression and
        // recorded (with its scope) when the walk reaches it.
        return { kind: 'call', call: this.makeCall(n, { functions: [], classes: [] }, d), range, text };
      case 'subscript': {
        const value = this.child(n, F.value);
        const index = this.child(n, F.subscript);
        return { kind: 'subscript', object: value !== -1 ? this.expr(value, d) : this.other(n), index: index !== -1 ? this.expr(index, d) : undefined, range, text };
      }
      case 'dictionary':
        return {
          kind: 'dict',
          entries: this.namedChildren(n)
            .filter((c) => this.type(c) === 'pair' || this.type(c) === 'dictionary_splat')
            .map((p) =>
              this.type(p) === 'pair' ? { key: this.expr(required(this.child(p, F.key)), d), value: this.expr(required(this.child(p, F.value)), d) } : { key: undefined, value: this.expr(this.namedChildren(p)[0] ?? p, d) },
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
          kind: type === 'list' || type === 'list_pattern' ? 'list' : type === 'set' ? 'set' : 'tuple',
          elements: this.namedChildren(n)
            .filter((c) => this.type(c) !== 'comment')
            .map((c) => this.expr(c, d)),
          range,
          text,
        };
      case 'parenthesized_expression': {
        const inner = this.namedChildren(n).find((c) => this.type(c) !== 'comment');
        return inner !== undefined ? this.expr(inner, d) : this.other(n);
      }
      case 'binary_operator': {
        const l = this.child(n, F.left);
        const r = this.child(n, F.right);
        if (l === -1 || r === -1) return this.other(n);
        return { kind: 'binop', op: this.childText(n, F.operator) ?? '', left: this.expr(l, d), right: this.expr(r, d), range, text };
      }
      case 'boolean_operator': {
        const l = this.child(n, F.left);
        const r = this.child(n, F.right);
        if (l === -1 || r === -1) return this.other(n);
        const op = this.childText(n, F.operator) === 'and' ? 'and' : 'or';
        return { kind: 'boolop', op, left: this.expr(l, d), right: this.expr(r, d), range, text };
      }
      case 'not_operator': {
        const a = this.child(n, F.argument);
        return { kind: 'not', operand: a !== -1 ? this.expr(a, d) : this.other(n), range, text };
      }
      case 'comparison_operator': {
        const operands = this.namedChildren(n).filter((c) => this.type(c) !== 'comment');
        const ops = this.children(n)
          .filter((c) => !this.t.named[c])
          .map((c) => this.nodeText(c));
        return { kind: 'compare', ops, operands: operands.map((o) => this.expr(o, d)), range, text };
      }
      case 'conditional_expression': {
        const parts = this.namedChildren(n);
        if (parts.length < 3) return this.other(n);
        return { kind: 'ifexp', body: this.expr(parts[0]!, d), test: this.expr(parts[1]!, d), orelse: this.expr(parts[2]!, d), range, text };
      }
      case 'lambda':
        return { kind: 'lambda', range, text };
      case 'unary_operator': {
        const arg = this.child(n, F.argument);
        const op = this.childText(n, F.operator);
        const argType = arg === -1 ? '' : this.type(arg);
        if (arg !== -1 && op === '-' && (argType === 'integer' || argType === 'float')) {
          const v = Number(this.nodeText(arg).replace(/_/g, ''));
          return { kind: 'num', value: -(Number.isNaN(v) ? 0 : v), range, text };
        }
        return this.other(n);
      }
      default:
        return this.other(n);
    }
  }

  private stringExpr(n: number, range: TextRange, text: string): PyExpr {
    const parts = this.namedChildren(n);
    const startNode = parts.find((c) => this.type(c) === 'string_start');
    const start = startNode === undefined ? '"' : this.nodeText(startNode);
    const prefix = start.replace(/['"]/g, '').toLowerCase();
    const raw = prefix.includes('r');
    let literal = '';
    const interpolations: PyExpr[] = [];
    let hasBody = false;
    for (const c of parts) {
      const t = this.type(c);
      if (t === 'string_content' || t === 'escape_sequence') {
        hasBody = true;
        literal += raw ? this.nodeText(c) : decodeEscapes(this.nodeText(c));
      } else if (t === 'interpolation') {
        hasBody = true;
        let e = this.child(c, this.F.expression);
        if (e === -1) e = this.namedChildren(c)[0] ?? -1;
        if (e !== -1) interpolations.push(this.expr(e, 1));
      }
    }
    // string_content may also contain escape_sequence children in some grammar versions; fall back to the raw body.
    if (!hasBody) literal = text.slice(start.length, Math.max(start.length, text.length - start.replace(/^[a-zA-Z]*/, '').length));
    if (prefix.includes('f') || prefix.includes('t')) return { kind: 'fstring', literal, interpolations, range, text };
    return { kind: 'str', value: literal, range, text };
  }
}

/** A child the grammar always gives (a pair's key and value): throws, as reading the null Node did, if absent. */
function required(n: number): number {
  if (n === -1) throw new TypeError('tree-sitter node without a required child');
  return n;
}

function joinModule(mod: string, name: string): string {
  if (!mod) return name;
  return mod.endsWith('.') ? mod + name : `${mod}.${name}`;
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

/** A string body's escapes decoded as the facade decodes them (non-raw strings), for triggers that must agree with it. */
export function decodePyEscapes(s: string): string {
  return decodeEscapes(s);
}

function decodeEscapes(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|\n|.)/g, (m, e: string) => {
    if (e === '\n') return '';
    if (e.length > 1 && (e[0] === 'x' || e[0] === 'u' || e[0] === 'U')) {
      // A truncated `\x`/`\u` (e.length 1: a SyntaxError to Python) or a `\U` past U+10FFFF stays as written.
      const cp = parseInt(e.slice(1), 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
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
