/**
 * JS/TS/JSX/TSX parsing with ts-morph's bundled TypeScript compiler API, syntax only:
 * no type checking, no lib files, no module resolution. Rules walk compiler nodes
 * (`ts.forEachChild`), never ts-morph wrappers, on the scan path (tech-notes §2).
 * The ScriptModule facade resolves imports (ESM and CommonJS, with aliases and
 * destructuring) so rules can ask "is this call `cors()` from the cors package?".
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ts as TsNamespace } from 'ts-morph';
import type { TextRange } from '../engine/types.js';
import { requireCached } from './code-cache.js';

/**
 * ts-morph's bundled compiler, loaded on first use: requiring it costs about 0.45 s of CPU per
 * thread (most of a Python-only run's startup), so a run with no JS/TS to parse never pays it.
 * `ts` is a live ESM binding, so rules that import it see the loaded value; every use is inside a
 * check or a parse (nothing reads it at module load), and `loadTs()` runs before any of them.
 */
// eslint-disable-next-line import/no-mutable-exports
export let ts: typeof TsNamespace = undefined as unknown as typeof TsNamespace;
export declare namespace ts {
  // The compiler's types rules name as `ts.X` (the value above carries everything else); add one here when a rule needs it.
  export type ArrayLiteralExpression = TsNamespace.ArrayLiteralExpression;
  export type ArrowFunction = TsNamespace.ArrowFunction;
  export type CallExpression = TsNamespace.CallExpression;
  export type Decorator = TsNamespace.Decorator;
  export type DiagnosticWithLocation = TsNamespace.DiagnosticWithLocation;
  export type Expression = TsNamespace.Expression;
  export type FunctionExpression = TsNamespace.FunctionExpression;
  export type FunctionLikeDeclaration = TsNamespace.FunctionLikeDeclaration;
  export type Identifier = TsNamespace.Identifier;
  export type ImportDeclaration = TsNamespace.ImportDeclaration;
  export type ImportEqualsDeclaration = TsNamespace.ImportEqualsDeclaration;
  export type MethodDeclaration = TsNamespace.MethodDeclaration;
  export type ModifierLike = TsNamespace.ModifierLike;
  export type NewExpression = TsNamespace.NewExpression;
  export type NoSubstitutionTemplateLiteral = TsNamespace.NoSubstitutionTemplateLiteral;
  export type Node = TsNamespace.Node;
  export type ObjectLiteralElementLike = TsNamespace.ObjectLiteralElementLike;
  export type ObjectLiteralExpression = TsNamespace.ObjectLiteralExpression;
  export type PropertyAccessExpression = TsNamespace.PropertyAccessExpression;
  export type PropertyAssignment = TsNamespace.PropertyAssignment;
  export type PropertyName = TsNamespace.PropertyName;
  export type ScriptKind = TsNamespace.ScriptKind;
  export type ScriptTarget = TsNamespace.ScriptTarget;
  export type SignatureDeclaration = TsNamespace.SignatureDeclaration;
  export type SourceFile = TsNamespace.SourceFile;
  export type Statement = TsNamespace.Statement;
  export type StringLiteral = TsNamespace.StringLiteral;
  export type SyntaxKind = TsNamespace.SyntaxKind;
  export type VariableDeclaration = TsNamespace.VariableDeclaration;
  export type NodeArray<T extends TsNamespace.Node> = TsNamespace.NodeArray<T>;
}
export function loadTs(): typeof TsNamespace {
  if (ts === undefined) {
    // The compiler ts-morph bundles, without the rest of @ts-morph/common (3 MB of file-system and
    // glob helpers prodaudit never calls): 157 ms to load instead of 195-250 ms, paid by every
    // thread that parses JS/TS. That module's own `ts` is this file (`require('./typescript')`).
    // Compiled with V8's code cache (code-cache.ts): 90 ms instead of 157 ms per thread.
    const require = createRequire(import.meta.url);
    try {
      ts = requireCached(join(dirname(require.resolve('@ts-morph/common')), 'typescript.js')) as typeof TsNamespace;
    } catch {
      ts = (require('@ts-morph/common') as { ts: typeof TsNamespace }).ts;
    }
  }
  return ts;
}

export interface JsImport {
  /** Local name bound ("cors", "helmet", "Router"). */
  readonly local: string;
  /** What it refers to: "express" (default/namespace/require), "express.Router" (named). */
  readonly qualified: string;
  readonly module: string;
  readonly kind: 'esm' | 'cjs';
  readonly range: TextRange;
}

export interface JsCall {
  readonly node: ts.CallExpression | ts.NewExpression;
  /** Dotted callee as written ("app.use", "cors"); "" when not a dotted name. */
  readonly callee: string;
  /** Callee with its head resolved through imports ("cors" -> "cors", "r.get" with `const r = express.Router()` stays "r.get"). */
  readonly qualified: string;
  readonly args: readonly ts.Expression[];
  readonly isNew: boolean;
  readonly range: TextRange;
  readonly line: number;
}

export interface JsSyntaxError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface ScriptModule {
  readonly sf: ts.SourceFile;
  readonly text: string;
  readonly modules: ReadonlySet<string>;
  readonly imports: readonly JsImport[];
  readonly syntaxErrors: readonly JsSyntaxError[];
  /** Every call and `new` expression, in source order (computed once, on first use). */
  calls(): readonly JsCall[];
  importsModule(module: string): boolean;
  qualify(dotted: string): string;
  /** What `const name = x(...)` bound `name` to, as a qualified callee ("app" -> "express"). */
  instanceOf(name: string): string | undefined;
  range(node: ts.Node): TextRange;
  line(offset: number): number;
  /** Offset after leading comments, directives ('use strict') and existing imports: where a new import goes. */
  readonly importInsertOffset: number;
  /** True when the file uses ESM syntax (import/export), false for CommonJS. */
  readonly isModule: boolean;
}

let scriptKinds: Record<string, ts.ScriptKind> | undefined;

export function scriptKindOf(path: string): ts.ScriptKind {
  const { ScriptKind } = loadTs();
  scriptKinds ??= {
    '.js': ScriptKind.JS,
    '.cjs': ScriptKind.JS,
    '.mjs': ScriptKind.JS,
    '.jsx': ScriptKind.JSX,
    '.ts': ScriptKind.TS,
    '.cts': ScriptKind.TS,
    '.mts': ScriptKind.TS,
    '.tsx': ScriptKind.TSX,
  };
  const m = /\.[cm]?[jt]sx?$/.exec(path);
  return (m && scriptKinds[m[0]]) ?? ScriptKind.JS;
}

export function parseScript(path: string, text: string): ScriptModule {
  loadTs();
  // JSDoc comments stay trivia (rules walk with ts.forEachChild, which never visits JSDoc nodes,
  // and read comments from the text): parsing them was 38% of createSourceFile's time on the
  // bench JS corpus (1.78 -> 1.10 s), whose libraries document every function.
  // Parent pointers are set by the module's own first walk (scanRequiresAndBindings), not by
  // createSourceFile's setParentNodes: that is a second full walk of the tree, 0.3 of the JS
  // corpus's 1.1 s of parsing.
  const sf = ts.createSourceFile(path, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, scriptKindOf(path));
  return new ScriptModuleImpl(sf, text);
}

class ScriptModuleImpl implements ScriptModule {
  readonly modules = new Set<string>();
  readonly imports: JsImport[] = [];
  readonly syntaxErrors: JsSyntaxError[];
  readonly importInsertOffset: number;
  readonly isModule: boolean;
  private readonly aliases = new Map<string, string>();
  private readonly bindings = new Map<string, string>();
  private callList: JsCall[] | undefined;
  private lineStarts: readonly number[];

  constructor(readonly sf: ts.SourceFile, readonly text: string) {
    this.lineStarts = sf.getLineStarts();
    const diags = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
    this.syntaxErrors = diags.slice(0, 20).map((d) => {
      const p = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      return { line: p.line + 1, column: p.character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, ' ') };
    });
    let insert = 0;
    let esm = false;
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st)) {
        esm = esm || ts.isImportDeclaration(st);
        insert = st.end;
        this.esmImport(st);
      } else if (ts.isExpressionStatement(st) && ts.isStringLiteral(st.expression) && insert === 0) {
        insert = st.end; // 'use strict'
      } else if (ts.isExportDeclaration(st) || ts.isExportAssignment(st) || hasExportModifier(st)) {
        esm = true;
      }
    }
    this.isModule = esm;
    // Nothing goes before a byte-order mark or a shebang line.
    const head = this.text.charCodeAt(0) === 0xfeff ? 1 : 0;
    if (insert === 0 && this.text.startsWith('#!', head)) insert = head + 2;
    this.importInsertOffset = insert === 0 ? head : this.text.indexOf('\n', insert) === -1 ? this.text.length : this.text.indexOf('\n', insert) + 1;
    this.scanRequiresAndBindings();
  }

  private esmImport(st: ts.ImportDeclaration | ts.ImportEqualsDeclaration): void {
    const range = this.range(st);
    if (ts.isImportEqualsDeclaration(st)) {
      const ref = st.moduleReference;
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression)) {
        this.add(st.name.text, ref.expression.text, ref.expression.text, 'esm', range);
      }
      return;
    }
    if (!ts.isStringLiteral(st.moduleSpecifier)) return;
    const mod = st.moduleSpecifier.text;
    this.modules.add(mod);
    const clause = st.importClause;
    if (!clause) return;
    if (clause.name) this.add(clause.name.text, mod, mod, 'esm', range);
    const nb = clause.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) this.add(nb.name.text, mod, mod, 'esm', range);
    if (nb && ts.isNamedImports(nb)) {
      for (const el of nb.elements) {
        const imported = (el.propertyName ?? el.name).text;
        this.add(el.name.text, imported === 'default' ? mod : `${mod}.${imported}`, mod, 'esm', range);
      }
    }
  }

  private add(local: string, qualified: string, module: string, kind: 'esm' | 'cjs', range: TextRange): void {
    this.modules.add(module);
    this.imports.push({ local, qualified, module, kind, range });
    this.aliases.set(local, qualified);
  }

  /**
   * require() anywhere (CommonJS), dynamic import(), and `const x = call()` bindings, read in
   * pre-order down to depth 500; every node's `parent`, at any depth, as createSourceFile's
   * setParentNodes would set them (JSDoc nodes included, should the parse ever keep any); and the
   * tree in pre-order (FlatTree) for `walk` and `calls`, which then need no walk of their own. The
   * walk uses its own stack, so a deeply nested file cannot overflow the call stack.
   */
  private scanRequiresAndBindings(): void {
    const order: ts.Node[] = [];
    const parentIndex: number[] = [];
    const nodes: ts.Node[] = [this.sf];
    const depths: number[] = [0];
    const parents: number[] = [-1];
    const kids: ts.Node[] = [];
    const collect = (c: ts.Node): void => {
      kids.push(c);
    };
    while (nodes.length) {
      const node = nodes.pop()!;
      const depth = depths.pop()!;
      const index = order.length;
      order.push(node);
      parentIndex.push(parents.pop()!);
      // Children's parents first: what reads the node below may look up from a child.
      ts.forEachChild(node, collect);
      for (let i = kids.length - 1; i >= 0; i--) {
        const c = kids[i]!;
        (c as { parent: ts.Node }).parent = node;
        nodes.push(c);
        depths.push(depth + 1);
        parents.push(index);
      }
      kids.length = 0;
      const docs = (node as { jsDoc?: ts.Node[] }).jsDoc;
      if (docs) for (const d of docs) setParents(d, node);
      if (depth <= 500) {
        if (ts.isVariableDeclaration(node) && node.initializer) this.declaration(node);
        else if (ts.isCallExpression(node)) {
          const mod = requiredModule(node);
          if (mod) this.modules.add(mod);
        }
      }
    }
    // Where each subtree ends: a node's size is one plus its children's, summed from the last node back.
    const n = order.length;
    const after = new Int32Array(n);
    for (let i = n - 1; i >= 0; i--) {
      const end = after[i]! + i + 1; // after[i] held the sizes of i's children
      after[i] = end;
      const p = parentIndex[i]!;
      if (p >= 0) after[p] = after[p]! + end - i;
    }
    FLAT_TREES.set(this.sf, { order, after });
  }

  private declaration(node: ts.VariableDeclaration): void {
    const init = unwrap(node.initializer!);
    const range = this.range(node);
    // const x = require('m'), const x = require('m').y, const x = await import('m')
    let mod: string | undefined;
    let member: string | undefined;
    if (ts.isCallExpression(init)) mod = requiredModule(init);
    else if (ts.isPropertyAccessExpression(init) && ts.isCallExpression(init.expression)) {
      mod = requiredModule(init.expression);
      member = init.name.text;
    } else if (ts.isAwaitExpression(init) && ts.isCallExpression(init.expression) && init.expression.expression.kind === ts.SyntaxKind.ImportKeyword) {
      mod = requiredModule(init.expression);
    }
    if (mod) {
      const base = member ? `${mod}.${member}` : mod;
      if (ts.isIdentifier(node.name)) this.add(node.name.text, base, mod, 'cjs', range);
      else if (ts.isObjectBindingPattern(node.name)) {
        for (const el of node.name.elements) {
          if (!ts.isIdentifier(el.name)) continue;
          const prop = el.propertyName && (ts.isIdentifier(el.propertyName) || ts.isStringLiteral(el.propertyName)) ? el.propertyName.text : el.name.text;
          this.add(el.name.text, prop === 'default' ? base : `${base}.${prop}`, mod, 'cjs', range);
        }
      }
      return;
    }
    if (ts.isIdentifier(node.name)) {
      const call = ts.isCallExpression(init) || ts.isNewExpression(init) ? init : undefined;
      if (call) {
        // const app = require('express')()  ->  app is an "express" instance
        const inner = ts.isCallExpression(call.expression) ? requiredModule(call.expression) : undefined;
        const callee = inner ?? dotted(call.expression);
        if (callee) this.bindings.set(node.name.text, callee);
      }
    }
  }

  calls(): readonly JsCall[] {
    if (this.callList) return this.callList;
    const out: JsCall[] = [];
    // The tree in pre-order, as a walk from the source file would visit it.
    for (const node of FLAT_TREES.get(this.sf)!.order) {
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const callee = dotted(node.expression);
        const start = node.getStart(this.sf);
        const aliases = this.aliases;
        out.push({
          node,
          callee,
          get qualified() {
            return qualifyWith(aliases, callee);
          },
          args: node.arguments ? [...node.arguments] : [],
          isNew: ts.isNewExpression(node),
          range: { start, end: node.end },
          line: this.line(start),
        });
      }
    }
    out.sort((a, b) => a.range.start - b.range.start);
    this.callList = out;
    return out;
  }

  importsModule(module: string): boolean {
    for (const m of this.modules) if (m === module || m.startsWith(`${module}/`)) return true;
    return false;
  }

  qualify(d: string): string {
    return qualifyWith(this.aliases, d);
  }

  instanceOf(name: string): string | undefined {
    const callee = this.bindings.get(name);
    return callee === undefined ? undefined : this.qualify(callee);
  }

  range(node: ts.Node): TextRange {
    return { start: node.getStart(this.sf), end: node.end };
  }

  line(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

function hasExportModifier(st: ts.Statement): boolean {
  const mods = (st as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  return !!mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function qualifyWith(aliases: ReadonlyMap<string, string>, d: string): string {
  if (!d) return d;
  const dot = d.indexOf('.');
  const head = dot === -1 ? d : d.slice(0, dot);
  const target = aliases.get(head);
  if (!target) return d;
  return dot === -1 ? target : target + d.slice(dot);
}

/** `require('m')` or `import('m')` -> "m". */
export function requiredModule(call: ts.CallExpression): string | undefined {
  const isRequire = ts.isIdentifier(call.expression) && call.expression.text === 'require';
  const isImport = call.expression.kind === ts.SyntaxKind.ImportKeyword;
  if (!isRequire && !isImport) return undefined;
  const a = call.arguments[0];
  return a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) ? a.text : undefined;
}

/** Strip parentheses, `as` casts, non-null assertions and `satisfies`. */
export function unwrap(e: ts.Expression): ts.Expression {
  let cur = e;
  for (;;) {
    if (ts.isParenthesizedExpression(cur) || ts.isAsExpression(cur) || ts.isNonNullExpression(cur) || ts.isSatisfiesExpression(cur) || ts.isTypeAssertionExpression(cur)) cur = cur.expression;
    else return cur;
  }
}

/** Dotted text of an identifier / property-access chain ("app.use", "this.app.use"), or "". */
export function dotted(e: ts.Node): string {
  if (ts.isIdentifier(e)) return e.text;
  if (e.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(e)) {
    const head = dotted(e.expression);
    return head ? `${head}.${e.name.text}` : '';
  }
  if (ts.isElementAccessExpression(e) && (ts.isStringLiteral(e.argumentExpression) || ts.isNoSubstitutionTemplateLiteral(e.argumentExpression))) {
    const head = dotted(e.expression);
    return head ? `${head}.${e.argumentExpression.text}` : '';
  }
  if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) return dotted(e.expression);
  return '';
}

export type JsLiteral = string | number | boolean | null | undefined;

/** Value of a literal expression (string, template without substitutions, number, boolean, null); undefined otherwise. */
export function literalValue(e: ts.Node | undefined): JsLiteral {
  if (!e) return undefined;
  const n = ts.isExpression(e) ? unwrap(e) : e;
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  if (ts.isNumericLiteral(n)) return Number(n.text);
  if (n.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (n.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (n.kind === ts.SyntaxKind.NullKeyword) return null;
  return undefined;
}

export function isStringLike(e: ts.Node | undefined): e is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return !!e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e));
}

/** Property name text of an object-literal member ("origin", "'origin'", ["origin"]). */
export function propertyName(name: ts.PropertyName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name) && isStringLike(name.expression)) return name.expression.text;
  return undefined;
}

/** An object literal's properties by name: the initializer (shorthand `{ origin }` gives the identifier). */
export function objectProps(e: ts.Node | undefined): Map<string, { node: ts.ObjectLiteralElementLike; value: ts.Expression }> {
  const out = new Map<string, { node: ts.ObjectLiteralElementLike; value: ts.Expression }>();
  if (!e) return out;
  const obj = ts.isExpression(e) ? unwrap(e) : e;
  if (!ts.isObjectLiteralExpression(obj)) return out;
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p)) {
      const n = propertyName(p.name);
      if (n !== undefined) out.set(n, { node: p, value: p.initializer });
    } else if (ts.isShorthandPropertyAssignment(p)) out.set(p.name.text, { node: p, value: p.name });
  }
  return out;
}

/**
 * A parsed source file's nodes in pre-order (what ts.forEachChild reaches from it, JSDoc not
 * included), and for each the index just past its subtree. Built by the module's first walk; rules
 * walk whole files many times over (a dozen rules' `walk(js.sf, ...)`), and the array loop costs a
 * fraction of forEachChild's callbacks and child lists. Weakly held: it goes with its tree.
 */
interface FlatTree {
  readonly order: readonly ts.Node[];
  readonly after: Int32Array;
}
const FLAT_TREES = new WeakMap<ts.SourceFile, FlatTree>();

/** Set `parent` below a node no forEachChild walk reaches (a JSDoc comment). */
function setParents(node: ts.Node, parent: ts.Node): void {
  (node as { parent: ts.Node }).parent = parent;
  ts.forEachChild(node, (c) => setParents(c, node));
}

/**
 * Depth-first walk over compiler nodes, iterative; return false from the visitor to skip a
 * subtree. From a source file parseScript made, it reads that file's FlatTree (same nodes, same
 * order, same skipping).
 */
export function walk(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  const flat = root.kind === ts.SyntaxKind.SourceFile ? FLAT_TREES.get(root as ts.SourceFile) : undefined;
  if (flat) {
    const { order, after } = flat;
    for (let i = 0; i < order.length; ) i = visit(order[i]!) === false ? after[i]! : i + 1;
    return;
  }
  const stack: ts.Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    const kids: ts.Node[] = [];
    ts.forEachChild(node, (c) => {
      kids.push(c);
    });
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}

/** The nearest ancestor function-like node, if any. */
export function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isFunctionLike(p)) return p;
  }
  return undefined;
}
