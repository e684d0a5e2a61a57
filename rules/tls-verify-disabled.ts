import { replace } from '../src/engine/edits.js';
import { defineRule } from '../src/engine/rule.js';
import { dottedName, type PyExpr } from '../src/parsers/python.js';
import { dotted, literalValue, propertyName, ts, walk } from '../src/parsers/script.js';
import { composeEnv, dockerEnv, kubernetesEnv } from './_shared/config-files.js';

/** Env vars that switch certificate checks off, with the values that do it. */
const ENV_SWITCHES: Record<string, (v: string) => boolean> = {
  NODE_TLS_REJECT_UNAUTHORIZED: (v) => v.trim() === '0',
  PYTHONHTTPSVERIFY: (v) => v.trim() === '0',
};
/** The names a Python report needs, any of them (see the trigger). */
const PY_TRIGGER = /_create_unverified_context|disable_warnings|CERT_NONE|cert_reqs|check_hostname|PYTHONHTTPSVERIFY|NODE_TLS_REJECT_UNAUTHORIZED/;
/** The options (keyword or `.verify` attribute) a literal False turns off. */
const PY_FALSE_OPTION = /\b(?:verify|ssl|verify_ssl)\b/;
const OTHER_TRIGGER = /verify|ssl|rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY|disable_warnings|CERT_NONE|check_hostname|_create_unverified_context/;

/** Python HTTP client callees that take `verify=` (requests, httpx) or `ssl=` (aiohttp). */
const VERIFY_CALLEES = /^(requests|httpx)\.|^aiohttp\.|^urllib3\.|(^|\.)(Session|Client|AsyncClient|request|get|post|put|patch|delete|head|options|stream)$/;

export default defineRule({
  meta: {
    id: 'tls-verify-disabled',
    title: 'TLS certificate verification disabled',
    category: 'security',
    severity: 'high',
    confidence: 'high',
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-295'],
    // Python: every report names its shape in identifiers of this file (no escapes there): a call
    // qualified to _create_unverified_context or disable_warnings (an alias is imported by that
    // name); a keyword verify / ssl / verify_ssl given the literal False, or an attribute `.verify`
    // assigned it (PY_FALSE_OPTION); cert_reqs= (CERT_NONE or "none"); `.check_hostname = False`;
    // `.verify_mode = CERT_NONE`; `._create_default_https_context = ..._create_unverified_context`;
    // os.environ["PYTHONHTTPSVERIFY"] / ["NODE_TLS_REJECT_UNAUTHORIZED"] (ENV_SWITCHES) = "0".
    // Other kinds: the words as before.
    triggers: [(text, _o, kind) => (kind === 'python' ? PY_TRIGGER.test(text) || (PY_FALSE_OPTION.test(text) && /\bFalse\b/.test(text)) : OTHER_TRIGGER.test(text))],
    messages: {
      verifyFalse: '{callee} is called with {option}=False: the server certificate is not checked.',
      sessionVerify: '{target} = False turns certificate checks off for every request of this session.',
      unverifiedContext: '{callee} creates an SSL context that accepts any certificate.',
      certNone: '{target} = {value} turns certificate or host name checks off.',
      disableWarnings: 'urllib3.disable_warnings() hides the warnings about unverified HTTPS requests.',
      rejectUnauthorized: 'rejectUnauthorized: false accepts any certificate on this connection.',
      envSwitch: '{key}={value} turns certificate checks off for the whole process{where}.',
    },
    docs: {
      why:
        'Without certificate verification, anyone on the network path (a compromised router, a cloud neighbour, a hostile Wi-Fi) can impersonate the API, database or payment provider the app talks to, read the credentials it sends and change the answers. NODE_TLS_REJECT_UNAUTHORIZED=0 does this for every connection the Node process makes. Turning verification off "for now" to get past a self-signed certificate tends to reach production unnoticed.',
      fix:
        'Remove `verify=False` / `rejectUnauthorized: false`. For an internal service with a private CA, pass the CA instead: `requests.get(url, verify="/etc/ssl/private-ca.pem")`, `httpx.Client(verify=ssl_context)`, `new https.Agent({ ca: fs.readFileSync("ca.pem") })`, `ssl: { ca }` for pg. Delete NODE_TLS_REJECT_UNAUTHORIZED=0 from env files, compose files and Dockerfiles. The automatic fix is unsafe: calls to hosts with self-signed certificates will fail until their CA is configured.',
      references: [
        'https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification',
        'https://www.python-httpx.org/advanced/ssl/',
        'https://nodejs.org/api/cli.html#node_tls_reject_unauthorizedvalue',
        'https://nodejs.org/api/tls.html#tlsconnectoptions-callback',
        'https://cwe.mitre.org/data/definitions/295.html',
      ],
      examples: [
        { file: 'client.py', bad: 'requests.get(url, verify=False)', good: 'requests.get(url, verify="/etc/ssl/certs/internal-ca.pem")' },
        { file: 'db.js', bad: 'new Pool({ ssl: { rejectUnauthorized: false } })', good: 'new Pool({ ssl: { ca: fs.readFileSync("rds-ca.pem", "utf8") } })' },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      for (const call of py.calls) {
        const q = call.qualified;
        if (/(^|\.)ssl\._create_unverified_context$/.test(q) || q === 'ssl._create_unverified_context') {
          ctx.report({ messageId: 'unverifiedContext', data: { callee: call.callee }, at: call.range });
          continue;
        }
        if (/^(urllib3|requests\.packages\.urllib3)\.disable_warnings$/.test(q)) {
          ctx.report({ messageId: 'disableWarnings', at: call.range, severity: 'medium' });
          continue;
        }
        for (const option of ['verify', 'ssl', 'verify_ssl', 'cert_reqs']) {
          const v = call.keyword(option);
          if (!v) continue;
          const off = (v.kind === 'bool' && !v.value) || (option === 'cert_reqs' && /CERT_NONE$|^['"]?none['"]?$/i.test(v.text));
          if (!off) continue;
          if (option === 'ssl' && !/^aiohttp\b|(^|\.)(get|post|put|patch|delete|request|ws_connect|TCPConnector)$/.test(q)) continue;
          if (option === 'verify' && !VERIFY_CALLEES.test(q) && !/(^|\.)(session|client|http|s)\.\w+$/i.test(call.callee)) continue;
          ctx.report({
            messageId: 'verifyFalse',
            data: { callee: `${call.callee}()`, option },
            at: v.range,
            fix: v.kind === 'bool' ? { title: `Turn ${option} back on`, applicability: 'unsafe', edits: [replace(v.range, 'True')] } : undefined,
          });
        }
      }
      for (const a of py.assignments) {
        if (a.op !== '=') continue;
        const t = a.targetExpr;
        if (t.kind !== 'attr') continue;
        if (t.attr === 'verify' && a.value.kind === 'bool' && !a.value.value) {
          ctx.report({ messageId: 'sessionVerify', data: { target: a.target }, at: a.value.range, fix: { title: 'Turn verification back on', applicability: 'unsafe', edits: [replace(a.value.range, 'True')] } });
        } else if (t.attr === 'check_hostname' && a.value.kind === 'bool' && !a.value.value) {
          ctx.report({ messageId: 'certNone', data: { target: a.target, value: 'False' }, at: a.value.range });
        } else if (t.attr === 'verify_mode' && /(^|\.)CERT_NONE$/.test(py.qualify(dottedName(a.value) ?? ''))) {
          ctx.report({ messageId: 'certNone', data: { target: a.target, value: a.value.text }, at: a.value.range });
        } else if (t.attr === '_create_default_https_context' && isUnverified(a.value, py.qualify(dottedName(a.value) ?? ''))) {
          ctx.report({ messageId: 'unverifiedContext', data: { callee: a.value.text }, at: a.value.range });
        }
      }
      // os.environ["PYTHONHTTPSVERIFY"] = "0" / os.environ["NODE_TLS_REJECT_UNAUTHORIZED"] = "0"
      for (const a of py.assignments) {
        const t = a.targetExpr;
        if (t.kind !== 'subscript' || t.index?.kind !== 'str' || a.value.kind !== 'str') continue;
        if (py.qualify(dottedName(t.object) ?? '') !== 'os.environ') continue;
        const bad = ENV_SWITCHES[t.index.value];
        if (bad?.(a.value.value)) ctx.report({ messageId: 'envSwitch', data: { key: t.index.value, value: a.value.value, where: '' }, at: a.range });
      }
    },

    script(ctx) {
      const { js, ast } = ctx;
      walk(ast, (node) => {
        // { rejectUnauthorized: false }
        if (ts.isPropertyAssignment(node) && propertyName(node.name) === 'rejectUnauthorized' && literalValue(node.initializer) === false) {
          ctx.report({
            messageId: 'rejectUnauthorized',
            at: js.range(node),
            fix: { title: 'Turn certificate verification back on', applicability: 'unsafe', edits: [replace(js.range(node.initializer), 'true')] },
          });
        }
        // process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
        if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
          const target = dotted(node.left);
          const key = target.startsWith('process.env.') ? target.slice('process.env.'.length) : undefined;
          const v = literalValue(node.right);
          if (key && ENV_SWITCHES[key] && (typeof v === 'string' || typeof v === 'number') && ENV_SWITCHES[key](String(v))) {
            ctx.report({ messageId: 'envSwitch', data: { key, value: String(v), where: '' }, at: js.range(node) });
          }
        }
        return undefined;
      });
    },

    env(ctx) {
      for (const e of ctx.entries) {
        const bad = ENV_SWITCHES[e.key];
        if (bad?.(e.value)) ctx.report({ messageId: 'envSwitch', data: { key: e.key, value: e.value, where: ` (${ctx.path})` }, at: e.valueRange });
      }
    },

    yaml(ctx) {
      for (const v of ctx.docs.flatMap((d) => [...composeEnv(d), ...kubernetesEnv(d)])) {
        const bad = ENV_SWITCHES[v.key];
        if (bad?.(v.value)) ctx.report({ messageId: 'envSwitch', data: { key: v.key, value: v.value, where: v.owner ? ` (service ${v.owner})` : '' }, at: v.valueRange });
      }
    },

    dockerfile(ctx) {
      for (const v of dockerEnv(ctx.instructions, ctx.text)) {
        const bad = ENV_SWITCHES[v.key];
        if (bad?.(v.value)) ctx.report({ messageId: 'envSwitch', data: { key: v.key, value: v.value, where: ' (Dockerfile)' }, at: v.valueRange });
      }
    },
  },
});

function isUnverified(e: PyExpr, qualified: string): boolean {
  return /_create_unverified_context$/.test(qualified) || /_create_unverified_context/.test(e.text);
}

