/**
 * JS/TS helpers shared by rules, on compiler nodes (ts-morph's bundled `ts`):
 * environment reads with fallbacks, NODE_ENV gating, Express app/handler detection.
 */
import { dotted, ts, unwrap, walk, type ScriptModule } from '../../src/parsers/script.js';

export interface JsEnvRead {
  readonly name: string | undefined;
  readonly fallback: ts.Expression | undefined;
  readonly node: ts.Expression;
}

/** `process.env.X`, `process.env['X']`, `import.meta.env.X`, `Deno.env.get('X')`, `configService.get('X')`. */
export function envRead(node: ts.Node): { name: string | undefined } | undefined {
  const n = ts.isExpression(node) ? unwrap(node) : node;
  if (ts.isPropertyAccessExpression(n)) {
    const obj = dotted(n.expression);
    if (obj === 'process.env' || obj === 'import.meta.env' || obj === 'Bun.env') return { name: n.name.text };
  }
  if (ts.isElementAccessExpression(n)) {
    const obj = dotted(n.expression);
    if (obj === 'process.env' || obj === 'import.meta.env') {
      const a = n.argumentExpression;
      return { name: ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a) ? a.text : undefined };
    }
  }
  if (ts.isMetaProperty(n)) return undefined;
  if (ts.isCallExpression(n)) {
    const callee = dotted(n.expression);
    if (/(^|\.)(configService|config|ConfigService|env)\.(get|getOrThrow)$/.test(callee) || callee === 'Deno.env.get') {
      const a = n.arguments[0];
      return { name: a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) ? a.text : undefined };
    }
  }
  return undefined;
}

/** `process.env.X || 'd'`, `process.env.X ?? 'd'`, `process.env.X ? process.env.X : 'd'`, `config.get('X', 'd')`. */
export function envWithFallback(node: ts.Node): JsEnvRead | undefined {
  const n = ts.isExpression(node) ? unwrap(node) : node;
  if (!ts.isExpression(n)) return undefined;
  if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.BarBarToken || n.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
    const left = envWithFallback(n.left);
    if (left) return { name: left.name, fallback: left.fallback ?? n.right, node: n };
  }
  if (ts.isConditionalExpression(n)) {
    const r = envRead(n.condition);
    if (r) return { name: r.name, fallback: n.whenFalse, node: n };
  }
  const direct = envRead(n);
  if (direct) {
    const fb = ts.isCallExpression(n) && n.arguments.length > 1 ? n.arguments[1] : undefined;
    return { name: direct.name, fallback: fb, node: n };
  }
  return undefined;
}

/** Does any part of the expression read the environment? */
export function readsEnv(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node, depth: number): void => {
    if (found || depth > 40) return;
    if (envRead(n)) {
      found = true;
      return;
    }
    ts.forEachChild(n, (c) => visit(c, depth + 1));
  };
  visit(node, 0);
  return found;
}

const ENV_GATE = /\bNODE_ENV\b|\bisProduction\b|\bisProd\b|\bisDev(elopment)?\b|\bIS_PROD(UCTION)?\b|\bIS_DEV\b|\bproduction\b|\bdevelopment\b|\.get\(\s*['"]env['"]\s*\)|\bapp\.get\(['"]env['"]\)|\bDEBUG\b|\bdebug\b/;

/** Is the node inside an `if`/ternary/&& whose condition looks at NODE_ENV (or an isProduction-style flag)? */
export function gatedByEnvironment(node: ts.Node, sf: ts.SourceFile, stopAt?: ts.Node): boolean {
  let child: ts.Node = node;
  for (let p = node.parent; p && p !== stopAt?.parent; child = p, p = p.parent) {
    if (ts.isIfStatement(p) && ENV_GATE.test(p.expression.getText(sf))) return true;
    if (ts.isConditionalExpression(p) && child !== p.condition && ENV_GATE.test(p.condition.getText(sf))) return true;
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && child === p.right && ENV_GATE.test(p.left.getText(sf))) return true;
    if (ts.isBlock(p)) {
      // An early `if (isProduction) return ...` before the node in the same block gates it too.
      for (const st of p.statements) {
        if (st.pos >= child.pos) break;
        if (ts.isIfStatement(st) && ENV_GATE.test(st.expression.getText(sf)) && endsInExit(st.thenStatement)) return true;
      }
    }
  }
  return false;
}

function endsInExit(st: ts.Statement): boolean {
  if (ts.isReturnStatement(st) || ts.isThrowStatement(st)) return true;
  if (ts.isBlock(st)) {
    const last = st.statements.at(-1);
    return !!last && (ts.isReturnStatement(last) || ts.isThrowStatement(last));
  }
  return false;
}

/** Is `name` an Express (or Router) instance in this module, or conventionally named `app`/`router` in an Express file? */
export function isExpressApp(name: string, js: ScriptModule): boolean {
  const bound = js.instanceOf(name);
  if (bound) return /^express(\.Router)?$|^express\.default$/.test(bound) || bound === 'Router' || bound === 'express.application';
  return /^(app|server|router|api)$/.test(name) && js.importsModule('express');
}

/** Parameters of a function-like node, by name. */
export function paramNames(fn: ts.SignatureDeclaration): string[] {
  return fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
}

/** Express error middleware: a function with four parameters (err, req, res, next). */
export function isErrorMiddleware(fn: ts.Node): fn is ts.FunctionLikeDeclaration {
  return (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isFunctionDeclaration(fn)) && fn.parameters.length === 4;
}

/** Is the node inside any function (so it runs per call, not once at module load)? */
export function insideFunction(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (ts.isFunctionLike(p)) return true;
  return false;
}

/** The quote character most string literals in the file use (`'` when there are none or it is a tie). */
export function preferredJsQuote(js: ScriptModule): '"' | "'" {
  let single = 0;
  let double = 0;
  walk(js.sf, (n) => {
    if (!ts.isStringLiteral(n)) return;
    const q = js.text[n.getStart(js.sf)];
    if (q === "'") single++;
    else if (q === '"') double++;
  });
  return double > single ? '"' : "'";
}

/**
 * Follow an identifier to the initializer of the one variable declaration with that name in the
 * file (`const corsOptions = { origin: '*' }` then `cors(corsOptions)`). Anything else is returned unwrapped.
 */
export function resolveConst(js: ScriptModule, e: ts.Expression | undefined): ts.Expression | undefined {
  let cur = e ? unwrap(e) : undefined;
  for (let hops = 0; cur && ts.isIdentifier(cur) && hops < 4; hops++) {
    const decls = declarationsOf(js).get(cur.text);
    if (!decls || decls.length !== 1 || !decls[0]!.initializer) return cur;
    cur = unwrap(decls[0]!.initializer);
  }
  return cur;
}

const DECLARATIONS = new WeakMap<ts.SourceFile, Map<string, ts.VariableDeclaration[]>>();

function declarationsOf(js: ScriptModule): Map<string, ts.VariableDeclaration[]> {
  let map = DECLARATIONS.get(js.sf);
  if (map) return map;
  map = new Map();
  const found = map;
  walk(js.sf, (n) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) found.set(n.name.text, [...(found.get(n.name.text) ?? []), n]);
  });
  DECLARATIONS.set(js.sf, map);
  return map;
}
