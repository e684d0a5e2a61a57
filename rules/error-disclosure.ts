import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS, type TextRange } from '../src/engine/types.js';
import type { PyCall, PyExpr, PyModule } from '../src/parsers/python.js';
import { dotted, ts, unwrap, walk, type ScriptModule } from '../src/parsers/script.js';
import { gatedByEnvironment, isErrorMiddleware } from './_shared/js.js';
import { walkPy } from './_shared/project.js';
import { jsHasEscape } from './_shared/triggers.js';

/** Names exception variables get: `except Exception as e`, `catch (err)`. */
const EXC_NAME = /^(e|ex|exc|err|error|exception|e\d|ex\d|exc_info)$/;
/** Python callees that build a response sent to the client. */
const PY_RESPONSE = /(^|\.)(jsonify|make_response|JsonResponse|HttpResponse|HttpResponseServerError|HttpResponseBadRequest|Response|JSONResponse|PlainTextResponse|HTMLResponse|HTTPException|abort|render_template|render)$/;
const WEB_MODULES = ['flask', 'fastapi', 'django', 'starlette', 'quart', 'rest_framework'];

/** Words a Python report needs: an imported web module, then traceback or an exception name in a leaking shape. */
const PY_WEB_WORD = /\b(?:flask|fastapi|django|starlette|quart|rest_framework)\b/;
const PY_EXC_WORD = /\b(?:e|ex|exc|err|error|exception|e\d|ex\d|exc_info)\b/;
/** str(e) / repr(e), e.args / e.message / ..., or a string prefix that makes an f-string (or t-string). */
const PY_LEAK_SHAPE = /\b(?:str|repr|args|message|msg|detail|orig|strerror)\b|\b[uUrRbB]*[fFtT][uUrRbBfFtT]*['"]/;
/** The error text a script report names: err.message etc. (property names), String(err), err.toString(), `${err}`. */
const JS_ERR_TEXT = /\b(?:message|stack|sqlMessage|sql|detail|errors|original|String|toString)\b|\$\{/;

function pyMayLeak(text: string): boolean {
  return PY_WEB_WORD.test(text) && (/\btraceback\b/.test(text) || (PY_EXC_WORD.test(text) && PY_LEAK_SHAPE.test(text)));
}

type How = 'str(e)' | 'repr(e)' | 'a traceback' | 'the exception text';

export default defineRule({
  meta: {
    id: 'error-disclosure',
    title: 'Exception details sent to clients',
    category: 'security',
    severity: 'medium',
    confidence: 'medium',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-209', 'CWE-497'],
    // Python: a report needs an import of a web module (the module name as a word) and either a
    // traceback.format_* call (`traceback` in the call or its import) or an exception-named
    // identifier (EXC_NAME) in str()/repr(), an f- or t-string, or .args/.message/... . Script: a
    // report needs a `catch (err)` clause and err.message/stack/..., String(err), err.toString() or
    // `${err}` inside it (JS_ESCAPE: TypeScript decodes \u escapes in names).
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayLeak(text) : (/\bcatch\b/.test(text) && JS_ERR_TEXT.test(text)) || jsHasEscape(text))],
    messages: {
      pySent: 'The response includes {how}: exception text reaches the client.',
      jsSent: 'The response includes {what} from a caught error.',
      nestThrown: '{what} from a caught error is put into the HTTP exception sent to the client.',
    },
    docs: {
      why:
        'Exception messages and tracebacks describe the inside of the app: SQL text and table names from database errors, file paths, library versions, internal host names, sometimes the values that were being processed (a connection string, a token). Attackers trigger errors on purpose to read them, and they make injection bugs far easier to exploit.',
      fix:
        'Log the exception with its traceback on the server (`logger.exception("upload failed")`, `logger.error({ err }, "upload failed")`, or an error tracker) and send a generic message with a correlation id: `return jsonify(error="Internal error", request_id=rid), 500`. For expected errors (validation), send a message you wrote, not the exception text.',
      whenNotTo: 'Errors you raise yourself with a user-facing message (a ValidationError whose text you wrote) are safe to show; wrap them in a dedicated exception class and send only that class\'s message.',
      references: [
        'https://owasp.org/www-community/Improper_Error_Handling',
        'https://cheatsheetseries.owasp.org/cheatsheets/Error_Handling_Cheat_Sheet.html',
        'https://cwe.mitre.org/data/definitions/209.html',
      ],
      examples: [
        { file: 'routes.py', bad: 'except Exception as e:\n    return jsonify({"error": str(e)}), 500', good: 'except Exception:\n    logger.exception("reconcile failed")\n    return jsonify({"error": "Internal error"}), 500' },
        { file: 'routes.js', bad: 'catch (err) { res.status(500).json({ error: err.message }) }', good: "catch (err) { req.log.error({ err }); res.status(500).json({ error: 'Internal error' }) }" },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      if (!WEB_MODULES.some((m) => py.importsModule(m))) return;
      const reported = new Set<number>();
      const report = (range: TextRange, how: How) => {
        if (reported.has(range.start)) return;
        reported.add(range.start);
        ctx.report({ messageId: 'pySent', data: { how }, at: range, severity: how === 'a traceback' ? 'high' : undefined });
      };
      // jsonify({"error": str(e)}), HTTPException(status_code=500, detail=str(e)), JsonResponse({"detail": f"{e}"})
      for (const call of py.calls) {
        if (!PY_RESPONSE.test(call.qualified) && !PY_RESPONSE.test(call.callee)) continue;
        for (const a of call.args) {
          if (call.callee.endsWith('HTTPException') && a.name !== undefined && a.name !== 'detail') continue;
          walkPy(a.value, (e) => {
            const how = leak(e, py);
            if (how) {
              report(e.range, how);
              return false;
            }
            return undefined;
          });
        }
      }
      // return str(e), 500  /  return {"error": str(e)}, 400  /  return traceback.format_exc()
      for (const call of py.calls) {
        const how = leakCall(call);
        if (!how || !returnedOnLine(py, call)) continue;
        report(call.range, how);
      }
    },

    script(ctx) {
      const { js, ast } = ctx;
      walk(ast, (node) => {
        if (!ts.isCatchClause(node) || !node.variableDeclaration || !ts.isIdentifier(node.variableDeclaration.name)) return;
        const errName = node.variableDeclaration.name.text;
        const fn = enclosing(node);
        if (fn && isErrorMiddleware(fn)) return; // error middleware: debug-mode-enabled reports stacks there
        walk(node.block, (inner) => {
          const what = errText(inner, errName);
          if (!what) return;
          if (gatedByEnvironment(inner, ast, node)) return false;
          const sink = sinkOf(inner, js);
          if (!sink) return false;
          ctx.report({ messageId: sink === 'throw' ? 'nestThrown' : 'jsSent', data: { what }, at: js.range(inner), severity: what === `${errName}.stack` ? 'high' : undefined });
          return false;
        });
      });
    },
  },
});

/** str(e), repr(e), traceback.format_exc(), f"{e}", e.args, e.message: the exception's text. */
function leakCall(call: PyCall): How | undefined {
  if (/^traceback\.(format_exc|format_exception|format_tb|format_stack)$/.test(call.qualified)) return 'a traceback';
  const arg = call.positional[0];
  if ((call.callee === 'str' || call.callee === 'repr') && arg?.kind === 'name' && EXC_NAME.test(arg.id)) return call.callee === 'str' ? 'str(e)' : 'repr(e)';
  return undefined;
}

function leak(e: PyExpr, py: PyModule): How | undefined {
  if (e.kind === 'call') {
    const how = leakCall(e.call);
    if (how) return how;
  }
  if (e.kind === 'fstring' && e.interpolations.some((i) => (i.kind === 'name' && EXC_NAME.test(i.id)) || (i.kind === 'call' && leak(i, py)))) return 'the exception text';
  if (e.kind === 'attr' && e.object.kind === 'name' && EXC_NAME.test(e.object.id) && /^(args|message|msg|detail|orig|strerror)$/.test(e.attr)) return 'the exception text';
  return undefined;
}

/** Is the call part of a `return` statement that starts on its line (the facade has no return nodes)? */
function returnedOnLine(py: PyModule, call: PyCall): boolean {
  const lineStart = py.text.lastIndexOf('\n', call.range.start - 1) + 1;
  return /^\s*return\b/.test(py.text.slice(lineStart, call.range.start));
}

function enclosing(n: ts.Node): ts.Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (ts.isFunctionLike(p)) return p;
  return undefined;
}

/** `err.message`, `err.stack`, `String(err)`, `err.toString()`, `${err}`, a bare `err` in a response body. */
function isName(e: ts.Expression, name: string): boolean {
  const u = unwrap(e);
  return ts.isIdentifier(u) && u.text === name;
}

function errText(n: ts.Node, errName: string): string | undefined {
  if (ts.isPropertyAccessExpression(n) && isName(n.expression, errName) && /^(message|stack|sqlMessage|sql|detail|errors|original)$/.test(n.name.text)) return `${errName}.${n.name.text}`;
  if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'String' && n.arguments[0] && ts.isIdentifier(n.arguments[0]) && n.arguments[0].text === errName) return `String(${errName})`;
  if (ts.isTemplateSpan(n) && ts.isIdentifier(n.expression) && n.expression.text === errName) return `\${${errName}}`;
  if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'toString' && ts.isIdentifier(n.expression.expression) && n.expression.expression.text === errName) return `${errName}.toString()`;
  return undefined;
}

/** Is the node an argument (at any depth) of res.json/send/end/write, ctx.body =, reply.send, NextResponse.json, or `throw new XxxException(...)`? */
function sinkOf(node: ts.Node, js: ScriptModule): 'response' | 'throw' | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isFunctionLike(p) || ts.isCatchClause(p)) return undefined;
    if (ts.isCallExpression(p)) {
      const callee = dotted(p.expression) || (ts.isPropertyAccessExpression(p.expression) ? p.expression.name.text : '');
      const method = callee.split('.').at(-1) ?? '';
      if (/^(console|logger|log|winston|pino)\b|\.(log|info|warn|error|debug|trace|captureException)$/.test(callee)) return undefined;
      if (/^(json|send|end|write|jsonp|render)$/.test(method) && /(^|\.)(res|response|reply|ctx|c)$|\)$|^NextResponse$|^Response$/.test(callee.slice(0, -method.length - 1) || ')')) return 'response';
      if (ts.isPropertyAccessExpression(p.expression) && /^(json|send|end)$/.test(p.expression.name.text) && ts.isCallExpression(p.expression.expression)) return 'response'; // res.status(500).json(...)
      if (/^(NextResponse|Response)\.json$/.test(callee)) return 'response';
    }
    if (ts.isNewExpression(p) && ts.isThrowStatement(p.parent)) {
      const name = dotted(p.expression);
      if (/Exception$|HttpError$|createError$/.test(name)) return 'throw';
    }
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && /(^|\.)ctx\.body$|\.body$/.test(dotted(p.left))) return 'response';
  }
  void js;
  return undefined;
}
