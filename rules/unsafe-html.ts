import { defineRule } from '../src/engine/rule.js';
import type { PyExpr, PyModule } from '../src/parsers/python.js';
import { dotted, propertyName, ts, unwrap, walk } from '../src/parsers/script.js';
import { walkPy } from './_shared/project.js';
import { jsHasEscape } from './_shared/triggers.js';

/** Sanitizer calls whose output is safe to inject as HTML. */
const JS_SANITIZER = /(^|\.)(sanitize|sanitizeHtml|sanitizeHTML|purify|xss|filterXSS|escape|escapeHtml|encode|clean|marked\.parse\b.*sanitize)$/i;
const PY_SANITIZER = /(^|\.)(bleach\.clean|clean|sanitize|escape|nh3\.clean|html\.escape|markupsafe\.escape|linkify)$/;
/** Flask/Django/FastAPI request data. */
const PY_REQUEST = /^(flask\.request|request)\.(args|form|values|json|data|cookies|headers|files|get_json|get_data|GET|POST|body|query_params|path_params)\b/;
/** Jinja output blocks that turn escaping off for request data: {{ request.args.q | safe }}. */
const JINJA_SAFE = /\{\{-?\s*([^}]*?)\s*\|\s*safe\b[^}]*-?\}\}/g;
const JINJA_AUTOESCAPE_OFF = /\{%-?\s*autoescape\s+(false|off)\s*-?%\}/gi;

/** Templates (the text kind): the words as before. */
const TEXT_TRIGGER = ['dangerouslySetInnerHTML', 'Markup', 'render_template_string', 'safe', 'autoescape', 'res.send', 'res.write', 'mark_safe', 'HTMLResponse', 'innerHTML'];
/** Python reports a Markup / mark_safe / render_template_string call: the name is in the call or its import. */
const PY_TRIGGER = /Markup|mark_safe|render_template_string/;
/**
 * Script: a dangerouslySetInnerHTML attribute (JSX names are written as they are), or a
 * res/response.send/write/end call whose argument reads req/request input (names may use escapes).
 */
function jsMayReport(text: string): boolean {
  return text.includes('dangerouslySetInnerHTML') || jsHasEscape(text) || (/\b(?:res|response)\b/.test(text) && /\b(?:send|write|end)\b/.test(text) && /\b(?:req|request)\b/.test(text));
}

export default defineRule({
  meta: {
    id: 'unsafe-html',
    title: 'Unescaped HTML from input (XSS)',
    category: 'security',
    severity: 'high',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs', 'nextjs', 'fastify', 'koa', 'react'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-79', 'CWE-1336'],
    triggers: [(text, _o, kind) => (kind === 'python' ? PY_TRIGGER.test(text) : kind === 'script' ? jsMayReport(text) : TEXT_TRIGGER.some((w) => text.includes(w)))],
    messages: {
      dangerous: 'dangerouslySetInnerHTML renders {value} without a sanitizer (DOMPurify.sanitize).',
      markup: '{callee}() marks {value} as safe HTML without escaping it.',
      templateString: 'render_template_string() renders a template built from {value}: template injection.',
      jsSend: '{callee}() sends request input as HTML without escaping it.',
      jinjaSafe: 'The template marks {value} as safe: request input is rendered without escaping.',
      autoescapeOff: 'The template turns autoescaping off.',
    },
    docs: {
      why:
        'Input that reaches a page without escaping becomes part of the page: a comment, a name or a query parameter carrying <script> runs in every visitor\'s browser with their session (cookie theft, actions on their behalf, fake login forms). render_template_string with input goes further: Jinja expressions in the input run on the server (template injection, often remote code execution).',
      fix:
        'Let the template engine escape: pass values to templates as variables (`render_template("page.html", q=q)`), never `|safe` or `Markup()` them; in React render text as children, and when HTML is really needed sanitize it first: `dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(html) }}`, `bleach.clean()` / `nh3.clean()` in Python. In Express use a template engine with escaping (or `escape-html`) instead of `res.send` of strings built from input.',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html',
        'https://react.dev/reference/react-dom/components/common#dangerously-setting-the-inner-html',
        'https://flask.palletsprojects.com/en/latest/security/#cross-site-scripting-xss',
        'https://github.com/cure53/DOMPurify',
        'https://cwe.mitre.org/data/definitions/79.html',
      ],
      examples: [
        { file: 'Bio.tsx', bad: '<div dangerouslySetInnerHTML={{ __html: user.bio }} />', good: '<div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(user.bio) }} />' },
        { file: 'app.py', bad: 'return render_template_string(f"<h1>Hello {name}</h1>")', good: 'return render_template_string("<h1>Hello {{ name }}</h1>", name=name)' },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      for (const call of py.calls) {
        const q = call.qualified;
        if (/^(markupsafe|flask|jinja2)\.Markup$|^django\.utils\.safestring\.mark_safe$/.test(q)) {
          const arg = call.positional[0];
          if (!arg || isConstant(arg) || sanitized(arg, py)) continue;
          if (!fromRequest(arg, py) && arg.kind !== 'fstring' && arg.kind !== 'binop' && !(arg.kind === 'call' && arg.call.func.kind === 'attr' && arg.call.func.attr === 'format')) continue;
          ctx.report({ messageId: 'markup', data: { callee: call.callee, value: describe(arg) }, at: call.range });
        } else if (/^flask\.render_template_string$/.test(q)) {
          const arg = call.positional[0] ?? call.keyword('source');
          if (!arg || arg.kind === 'str') continue;
          if (arg.kind === 'name' && !assignedDynamic(py, arg.id, call.range.start)) continue;
          ctx.report({ messageId: 'templateString', data: { value: describe(arg) }, at: call.range, severity: 'critical' });
        }
      }
    },

    script(ctx) {
      const { js, ast } = ctx;
      walk(ast, (node) => {
        // <div dangerouslySetInnerHTML={{ __html: x }} />
        if (ts.isJsxAttribute(node) && node.name.getText(ast) === 'dangerouslySetInnerHTML') {
          const init = node.initializer;
          const expr = init && ts.isJsxExpression(init) ? init.expression : undefined;
          if (!expr) return;
          const obj = unwrap(expr);
          let html: ts.Expression | undefined;
          if (ts.isObjectLiteralExpression(obj)) {
            for (const p of obj.properties) if (ts.isPropertyAssignment(p) && propertyName(p.name) === '__html') html = p.initializer;
          }
          if (html && (isJsConstant(html) || jsSanitized(html))) return;
          ctx.report({ messageId: 'dangerous', data: { value: html ? `"${html.getText(ast).slice(0, 40)}"` : 'a value' }, at: js.range(node) });
          return;
        }
        // res.send(`<p>${req.query.q}</p>`) / res.write(req.body.html)
        if (ts.isCallExpression(node)) {
          const callee = dotted(node.expression);
          if (!/(^|\.)(res|response)\.(send|write|end)$/.test(callee)) return;
          const arg = node.arguments[0];
          if (!arg || jsSanitized(arg)) return;
          if (!containsRequestInput(arg)) return;
          if (!looksLikeHtml(arg)) return;
          ctx.report({ messageId: 'jsSend', data: { callee }, at: js.range(node) });
        }
        return undefined;
      });
    },

    text(ctx) {
      if (!/\.(html?|jinja2?|j2)$/.test(ctx.path)) return;
      for (const m of ctx.text.matchAll(JINJA_SAFE)) {
        const expr = m[1]!.trim();
        if (!/^request\.(args|form|values|cookies|headers|json|GET|POST|query_params)\b/.test(expr)) continue;
        ctx.report({ messageId: 'jinjaSafe', data: { value: expr }, at: { start: m.index!, end: m.index! + m[0].length } });
      }
      for (const m of ctx.text.matchAll(JINJA_AUTOESCAPE_OFF)) {
        ctx.report({ messageId: 'autoescapeOff', at: { start: m.index!, end: m.index! + m[0].length }, severity: 'medium' });
      }
    },
  },
});

function isConstant(e: PyExpr): boolean {
  return e.kind === 'str' || (e.kind === 'name' && /^[A-Z][A-Z0-9_]*$/.test(e.id));
}

function sanitized(e: PyExpr, py: PyModule): boolean {
  return e.kind === 'call' && PY_SANITIZER.test(e.call.qualified);
}

function fromRequest(e: PyExpr, py: PyModule): boolean {
  let found = false;
  walkPy(e, (x) => {
    if (found) return false;
    if (x.kind === 'attr' && PY_REQUEST.test(py.qualify(x.text.replace(/\s+/g, '')))) found = true;
    if (x.kind === 'call' && PY_SANITIZER.test(x.call.qualified)) return false;
    return undefined;
  });
  return found;
}

/** `tpl = f"..."` / `"..." + x` / `"...".format(x)` / request data assigned before the call. */
function assignedDynamic(py: PyModule, name: string, before: number): boolean {
  const a = [...py.assignments].reverse().find((x) => x.target === name && x.range.start < before);
  if (!a) return true; // a parameter or a global: input of unknown origin
  const v = a.value;
  return v.kind === 'fstring' || v.kind === 'binop' || (v.kind === 'call' && v.call.func.kind === 'attr' && v.call.func.attr === 'format') || fromRequest(v, py);
}

function describe(e: PyExpr): string {
  if (e.kind === 'fstring') return 'an f-string';
  if (e.kind === 'binop') return 'string concatenation';
  return `"${e.text.slice(0, 40)}"`;
}

function isJsConstant(e: ts.Expression): boolean {
  const u = unwrap(e);
  return ts.isStringLiteral(u) || ts.isNoSubstitutionTemplateLiteral(u);
}

function jsSanitized(e: ts.Expression): boolean {
  const u = unwrap(e);
  return ts.isCallExpression(u) && JS_SANITIZER.test(dotted(u.expression));
}

function containsRequestInput(e: ts.Node): boolean {
  let found = false;
  walk(e, (n) => {
    if (found) return false;
    if (ts.isCallExpression(n) && JS_SANITIZER.test(dotted(n.expression))) return false;
    if (ts.isPropertyAccessExpression(n) && /^(req|request)\.(query|params|body|cookies|headers)$/.test(dotted(n))) found = true;
    return undefined;
  });
  return found;
}

function looksLikeHtml(e: ts.Expression): boolean {
  const u = unwrap(e);
  if (ts.isTemplateExpression(u)) return /</.test(u.head.text + u.templateSpans.map((s) => s.literal.text).join(''));
  if (ts.isBinaryExpression(u)) return /</.test(u.getText());
  return true; // the raw value itself (res.send(req.query.html)) is sent as text/html
}
