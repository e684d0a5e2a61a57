import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS } from '../src/engine/types.js';
import type { PyCall, PyModule } from '../src/parsers/python.js';
import { appendKeywordArg } from './_shared/python.js';
import { jsHasEscape } from './_shared/triggers.js';
import { dotted, objectProps, ts, type JsCall, type ScriptModule } from '../src/parsers/script.js';

const REQUESTS_METHODS = /^requests\.(get|post|put|patch|delete|head|options|request)$/;
const SESSION_METHODS = /^(get|post|put|patch|delete|head|options|request)$/;
const AXIOS_METHODS = /^(get|post|put|patch|delete|head|options|request)$/;

/**
 * Python: a requests call is `requests.<method>` (qualified as written when requests is not
 * imported, so no import is needed), a member imported from requests, or a method of a session bound
 * to requests.Session: `requests` followed by `.`, or on an import line (`from requests import
 * get`, `import os, requests as r`), or anywhere when a backslash continuation could split either.
 * urlopen is named in the call or its import; the httpx report needs `timeout=None`.
 */
const PY_REQUESTS = /\brequests\s*\.|(?:^|[;:])[ \t]*(?:import|from)[ \t][^\n]*\brequests\b/m;
function pyMayReport(text: string): boolean {
  if (text.includes('urlopen')) return true;
  if (/\bhttpx\b/.test(text) && /\btimeout\s*=[\s(]*None\b/.test(text)) return true;
  return /\brequests\b/.test(text) && (PY_REQUESTS.test(text) || /\\\r?\n/.test(text));
}
/** Script: axios or got imported (module names are strings: JS_ESCAPE). */
const JS_TRIGGER = /axios|['"`]got\b/;

export default defineRule({
  meta: {
    id: 'request-timeout-missing',
    title: 'Outgoing HTTP call without a timeout',
    category: 'operations',
    severity: 'medium',
    confidence: 'high',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-400'],
    triggers: [(text, _o, kind) => (kind === 'python' ? pyMayReport(text) : JS_TRIGGER.test(text) || jsHasEscape(text))],
    messages: {
      requests: '{callee}() has no timeout: requests waits forever for a server that stops answering.',
      urlopen: 'urlopen() has no timeout: it waits for the socket default (forever unless set).',
      httpxNone: '{callee}() disables httpx\'s default timeout with timeout=None.',
      axios: '{callee}() has no timeout and no axios default is set: axios waits forever by default.',
      axiosCreate: 'axios.create() without a timeout: every request of this instance can hang forever.',
      got: 'got() has no timeout option: got does not time out by default.',
    },
    docs: {
      why:
        'A call to a slow or dead upstream without a timeout holds the worker (a gunicorn sync worker, a uvicorn task, a Node socket) until the TCP connection dies, which can take minutes or never happen. A few such calls exhaust every worker and the whole service stops answering: one slow dependency becomes an outage.',
      fix:
        'Pass an explicit timeout to every outgoing call (`requests.get(url, timeout=10)`, `urlopen(url, timeout=10)`, `axios.create({ timeout: 10_000 })`, `got(url, { timeout: { request: 10_000 } })`) and handle the timeout error. The automatic fix adds `timeout=10` to requests calls; it is unsafe because a legitimately slow endpoint would now fail.',
      whenNotTo: 'Streaming downloads that are expected to run long should still set a connect timeout: `timeout=(5, None)`.',
      references: ['https://requests.readthedocs.io/en/latest/user/advanced/#timeouts', 'https://axios-http.com/docs/req_config', 'https://github.com/sindresorhus/got/blob/main/documentation/6-timeout.md'],
      examples: [{ file: 'client.py', bad: 'requests.get(url)', good: 'requests.get(url, timeout=10)' }],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      for (const call of py.calls) {
        if (isRequestsCall(call, py)) {
          if (call.keyword('timeout') || call.args.some((a) => a.name === '**')) continue;
          ctx.report({
            messageId: 'requests',
            data: { callee: call.callee },
            at: call.range,
            fix: { title: 'Add timeout=10', applicability: 'unsafe', edits: [appendKeywordArg(call, 'timeout=10')] },
          });
        } else if (/^(urllib\.request\.urlopen|urllib2\.urlopen)$/.test(call.qualified)) {
          if (call.keyword('timeout') || call.positional.length >= 3) continue;
          ctx.report({ messageId: 'urlopen', at: call.range, fix: { title: 'Add timeout=10', applicability: 'unsafe', edits: [appendKeywordArg(call, 'timeout=10')] } });
        } else if (/^httpx\.(get|post|put|patch|delete|request|stream|Client|AsyncClient)$/.test(call.qualified) && call.keyword('timeout')?.kind === 'none') {
          ctx.report({ messageId: 'httpxNone', data: { callee: call.callee }, at: call.keyword('timeout')!.range });
        }
      }
    },
    script(ctx) {
      const { js } = ctx;
      if (js.importsModule('axios')) {
        const defaults = setsAxiosDefaultTimeout(js);
        for (const call of js.calls()) {
          const q = call.qualified;
          if (q === 'axios.create') {
            if (!hasTimeout(call.args[0])) ctx.report({ messageId: 'axiosCreate', at: call.range });
            continue;
          }
          if (defaults) continue;
          const method = q.startsWith('axios.') ? q.slice('axios.'.length) : q === 'axios' ? 'request' : undefined;
          if (!method || !AXIOS_METHODS.test(method)) continue;
          if (axiosCallHasTimeout(call, method)) continue;
          ctx.report({ messageId: 'axios', data: { callee: call.callee }, at: call.range });
        }
      }
      if (js.importsModule('got')) {
        for (const call of js.calls()) {
          if (!/^got(\.(get|post|put|patch|delete))?$/.test(call.qualified) || call.isNew) continue;
          if (call.args.some((a) => hasTimeout(a))) continue;
          ctx.report({ messageId: 'got', at: call.range });
        }
      }
    },
  },
});

function isRequestsCall(call: PyCall, py: PyModule): boolean {
  if (REQUESTS_METHODS.test(call.qualified)) return true;
  const parts = call.callee.split('.');
  if (parts.length !== 2 || !SESSION_METHODS.test(parts[1]!)) return false;
  const bound = py.instanceOf(parts[0]!);
  return bound === 'requests.Session' || bound === 'requests.session' || bound === 'requests.sessions.Session';
}

function hasTimeout(e: ts.Node | undefined): boolean {
  return !!e && objectProps(e).has('timeout');
}

/** axios.get(url, config) / axios.post(url, data, config) / axios({ ..., timeout }) */
function axiosCallHasTimeout(call: JsCall, method: string): boolean {
  const configIndex = call.callee === 'axios' || method === 'request' ? 0 : /^(post|put|patch)$/.test(method) ? 2 : 1;
  return hasTimeout(call.args[configIndex]);
}

/** `axios.defaults.timeout = n` anywhere in the file. */
function setsAxiosDefaultTimeout(js: ScriptModule): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && /\.defaults\.timeout$/.test(dotted(n.left))) found = true;
    ts.forEachChild(n, visit);
  };
  visit(js.sf);
  return found;
}
