/**
 * Helpers for rules about where data is written: resolving a path expression to the file name
 * it names (through module-level constants, os.path.join / path.join, f-strings, Path()).
 */
import type { PyExpr, PyModule } from '../../src/parsers/python.js';
import { dotted, literalValue, ts, unwrap, type ScriptModule } from '../../src/parsers/script.js';

/** The literal text a Python path expression is built from (joined parts), or undefined if none of it is literal. */
/**
 * `self.path` in a method: the value the class binds it to (`self.path = DATA / 'chain.json'`), or,
 * when that is a constructor parameter (`def __init__(self, path='blockchain.json')`), the string
 * default written in that method's signature (when it has exactly one).
 */
function selfAttrPath(e: PyExpr & { kind: 'attr' }, py: PyModule, depth: number): string | undefined {
  // The innermost class the expression is written in; only its own bindings count.
  const cls = py.classes.filter((c) => c.bodyRange.start <= e.range.start && e.range.end <= c.bodyRange.end).sort((x, y) => y.range.start - x.range.start)[0];
  if (!cls) return undefined;
  const binds = py.assignments.filter((a) => a.op === '=' && a.target === `self.${e.attr}` && a.scope.classes.at(-1) === cls.name && cls.bodyRange.start <= a.range.start && a.range.end <= cls.bodyRange.end);
  if (binds.length !== 1) return undefined;
  const a = binds[0]!;
  const fnName = a.scope.functions.at(-1);
  const fn = py.functions.find((f) => f.name === fnName && f.scope.classes.join('.') === a.scope.classes.join('.') && f.range.start <= a.range.start && a.range.end <= f.range.end);
  if (a.value.kind === 'name' && fn?.params.includes(a.value.id)) {
    const defaults = py.strings.filter((s) => s.range.start > fn.nameRange.end && s.range.end <= fn.bodyRange.start);
    return defaults.length === 1 ? defaults[0]!.value : undefined;
  }
  return pyPathText(a.value, py, depth + 1);
}

export function pyPathText(e: PyExpr | undefined, py: PyModule, depth = 0): string | undefined {
  if (!e || depth > 8) return undefined;
  switch (e.kind) {
    case 'str':
      return e.value;
    case 'fstring':
      return e.literal;
    case 'name': {
      const bound = [...py.assignments].reverse().find((a) => a.topLevel && a.target === e.id);
      return bound ? pyPathText(bound.value, py, depth + 1) : undefined;
    }
    case 'attr':
      return e.object.kind === 'name' && e.object.id === 'self' ? selfAttrPath(e, py, depth) : undefined;
    case 'binop':
      return [pyPathText(e.left, py, depth + 1), pyPathText(e.right, py, depth + 1)].filter(Boolean).join('/') || undefined;
    case 'call': {
      // os.path.join(a, 'x.json'), Path('x.json'), Path(BASE) / 'x.json', str(...)
      if (/(^|\.)(path\.join|Path|PurePath|str|abspath|realpath|normpath)$/.test(e.call.qualified) || e.call.callee === 'Path') {
        const parts = e.call.positional.map((p) => pyPathText(p, py, depth + 1)).filter((x): x is string => !!x);
        return parts.length ? parts.join('/') : undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Same for JS: literals, template literals' static parts, path.join/resolve, module-level const strings. */
export function jsPathText(node: ts.Expression | undefined, js: ScriptModule, depth = 0): string | undefined {
  if (!node || depth > 8) return undefined;
  const n = unwrap(node);
  const lit = literalValue(n);
  if (typeof lit === 'string') return lit;
  if (ts.isTemplateExpression(n)) return [n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join('');
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return [jsPathText(n.left, js, depth + 1), jsPathText(n.right, js, depth + 1)].filter(Boolean).join('') || undefined;
  }
  if (ts.isCallExpression(n) && /(^|\.)(join|resolve)$/.test(dotted(n.expression)) && /path/.test(js.qualify(dotted(n.expression)))) {
    const parts = n.arguments.map((a) => jsPathText(a, js, depth + 1)).filter((x): x is string => !!x);
    return parts.length ? parts.join('/') : undefined;
  }
  if (ts.isIdentifier(n)) {
    for (const st of js.sf.statements) {
      if (!ts.isVariableStatement(st)) continue;
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === n.text && d.initializer) return jsPathText(d.initializer, js, depth + 1);
      }
    }
  }
  return undefined;
}

/** Code paths that are tooling rather than the running service: management commands, scripts, migrations. */
export function isToolingPath(path: string): boolean {
  return /(^|\/)(scripts?|bin|tools|management\/commands|migrations|alembic|seeds?)\//.test(path);
}
