import { insertAt } from '../src/engine/edits.js';
import { defineRule } from '../src/engine/rule.js';
import type { Fix, TextRange } from '../src/engine/types.js';
import type { PyCall, PyExpr, PyModule } from '../src/parsers/python.js';
import { literalValue, objectProps, ts, unwrap, type JsCall } from '../src/parsers/script.js';
import { configItems, inDevOnlyClass, overriddenInProductionSubclasses } from './_shared/python.js';

const MAX_DAYS = 30;
const DAY = 86400;

export default defineRule({
  meta: {
    id: 'jwt-misconfig',
    title: 'JWT misconfiguration',
    category: 'security',
    severity: 'high',
    confidence: 'high',
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-347', 'CWE-613', 'CWE-327'],
    triggers: [/jwt|jose|JWT|Jwt/],
    messages: {
      noExpiry: '{call} issues tokens without an expiry: a leaked token works forever.',
      longExpiry: '{call} issues tokens that live {days} days (more than {max}).',
      expiryDisabled: '{key} is {value}: access tokens never expire.',
      notPinned: '{call} does not pin the accepted algorithms{hint}.',
      verificationOff: '{call} {what}.',
      decodeForAuth: '{call} reads the token without verifying its signature, and this file never verifies one.',
    },
    docs: {
      why:
        'A JWT is a bearer credential: whoever holds it is the user until it expires. Tokens without `exp` (or with a lifetime of months) cannot be revoked once leaked from a log, a browser or a proxy. Decoding without pinning `algorithms` lets the token choose how it is checked (the `alg: none` and RS256/HS256 confusion attacks), and turning signature or expiry verification off, or using jsonwebtoken\'s `jwt.decode()` for authentication, accepts tokens anyone can forge.',
      fix:
        'Give every token a short lifetime (`expiresIn: "15m"`, `"exp": now + timedelta(minutes=15)`, `JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)`) and use refresh tokens for long sessions; pin the algorithm on every verify/decode (`jwt.decode(t, key, algorithms=["HS256"])`, `jwt.verify(t, key, { algorithms: ["HS256"] })`); never disable `verify_signature`/`verify_exp`, never accept `none`, and verify (not decode) tokens used for authentication. Fixes that add an expiry or pin an algorithm are unsafe: clients holding old tokens, or tokens signed with another algorithm, are rejected.',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html',
        'https://pyjwt.readthedocs.io/en/stable/usage.html',
        'https://github.com/auth0/node-jsonwebtoken#jwtverifytoken-secretorpublickey-options-callback',
        'https://flask-jwt-extended.readthedocs.io/en/stable/options.html#JWT_ACCESS_TOKEN_EXPIRES',
        'https://datatracker.ietf.org/doc/html/rfc8725',
      ],
      examples: [
        { file: 'auth.py', bad: 'jwt.decode(token, key)', good: 'jwt.decode(token, key, algorithms=["HS256"])' },
        { file: 'auth.js', bad: "jwt.sign({ sub: user.id }, secret)", good: "jwt.sign({ sub: user.id }, secret, { expiresIn: '15m' })" },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      const encodeAlg = py.calls.map((c) => (isPyJwt(c, 'encode') ? strOf(c.keyword('algorithm')) : undefined)).find((a) => a);
      for (const call of py.calls) {
        if (isPyJwt(call, 'encode')) {
          const payload = call.keyword('payload') ?? call.positional[0];
          const claims = payload ? pyClaims(payload, call, py) : undefined;
          if (claims && !claims.has('exp')) ctx.report({ messageId: 'noExpiry', data: { call: `${call.callee}()` }, at: call.range });
          const exp = claims?.get('exp');
          const days = exp ? pyDays(exp) : undefined;
          if (exp && days !== undefined && days > MAX_DAYS) ctx.report({ messageId: 'longExpiry', data: { call: `${call.callee}()`, days: Math.round(days), max: MAX_DAYS }, at: exp.range });
          const alg = strOf(call.keyword('algorithm'));
          if (alg?.toLowerCase() === 'none') ctx.report({ messageId: 'verificationOff', data: { call: `${call.callee}()`, what: 'signs tokens with the "none" algorithm (no signature)' }, at: call.keyword('algorithm')!.range, severity: 'critical' });
        } else if (isPyJwt(call, 'decode')) {
          pyDecode(call, encodeAlg, (d) => ctx.report(d));
        } else if (/(?:^|\.)create_(?:access|refresh)_token$/.test(call.qualified) && call.qualified.startsWith('flask_jwt_extended')) {
          const d = call.keyword('expires_delta');
          if (d?.kind === 'bool' && !d.value) ctx.report({ messageId: 'noExpiry', data: { call: `${call.callee}(expires_delta=False)` }, at: d.range });
        }
      }
      // flask-jwt-extended / djangorestframework-simplejwt lifetimes
      for (const item of configItems(py)) {
        if (inDevOnlyClass(item)) continue;
        if (item.className && overriddenInProductionSubclasses(py, item.className, item.key)) continue;
        const access = item.key === 'JWT_ACCESS_TOKEN_EXPIRES' || item.key === 'ACCESS_TOKEN_LIFETIME';
        if (!access && item.key !== 'JWT_REFRESH_TOKEN_EXPIRES') continue;
        if (item.value.kind === 'bool' && !item.value.value) {
          ctx.report({ messageId: 'expiryDisabled', data: { key: item.key, value: 'False' }, at: item.range });
          continue;
        }
        const days = access ? pyDays(item.value) : undefined;
        if (days !== undefined && days > MAX_DAYS) ctx.report({ messageId: 'longExpiry', data: { call: item.key, days: Math.round(days), max: MAX_DAYS }, at: item.range });
      }
    },

    script(ctx) {
      const { js } = ctx;
      const calls = js.calls();
      const jwtCalls = calls.filter((c) => jsonwebtoken(c) !== undefined);
      const verifies = jwtCalls.some((c) => jsonwebtoken(c) === 'verify');
      const signAlg = jwtCalls.map((c) => (jsonwebtoken(c) === 'sign' ? literalValue(objectProps(c.args[2]).get('algorithm')?.value) : undefined)).find((a) => typeof a === 'string') as string | undefined;
      const signsDefault = jwtCalls.some((c) => jsonwebtoken(c) === 'sign' && !objectProps(c.args[2]).has('algorithm'));
      for (const call of jwtCalls) {
        const kind = jsonwebtoken(call);
        const name = `${call.callee}()`;
        if (kind === 'sign') {
          const [payload, , opts] = call.args;
          const props = objectProps(opts);
          const payloadProps = objectProps(payload);
          if (payload && ts.isStringLiteral(unwrap(payload))) continue; // string payloads cannot carry exp
          const alg = literalValue(props.get('algorithm')?.value);
          if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
            ctx.report({ messageId: 'verificationOff', data: { call: name, what: 'signs tokens with the "none" algorithm (no signature)' }, at: js.range(props.get('algorithm')!.node), severity: 'critical' });
          }
          const expiresIn = props.get('expiresIn')?.value;
          if (expiresIn) {
            const days = jsDays(expiresIn);
            if (days !== undefined && days > MAX_DAYS) ctx.report({ messageId: 'longExpiry', data: { call: name, days: Math.round(days), max: MAX_DAYS }, at: js.range(expiresIn) });
            continue;
          }
          // Options we cannot see (a variable) or a payload we cannot see may carry the expiry.
          if ((opts && !ts.isObjectLiteralExpression(unwrap(opts))) || !payload || !ts.isObjectLiteralExpression(unwrap(payload))) continue;
          if (payloadProps.has('exp') || ts.isObjectLiteralExpression(unwrap(payload)) && (unwrap(payload) as ts.ObjectLiteralExpression).properties.some((p) => ts.isSpreadAssignment(p))) continue;
          const fix: Fix | undefined = opts || !call.args[1]
            ? undefined
            : { title: 'Give the token a 15-minute lifetime', applicability: 'unsafe', edits: [insertAt(call.args[1].end, ", { expiresIn: '15m' }")] };
          ctx.report({ messageId: 'noExpiry', data: { call: name }, at: call.range, fix });
        } else if (kind === 'verify') {
          const opts = call.args[2];
          if (opts && !ts.isObjectLiteralExpression(unwrap(opts))) continue; // options from a variable: cannot tell
          const props = objectProps(opts);
          const algs = props.get('algorithms')?.value;
          if (algs && ts.isArrayLiteralExpression(unwrap(algs)) && (unwrap(algs) as ts.ArrayLiteralExpression).elements.some((e) => String(literalValue(e)).toLowerCase() === 'none')) {
            ctx.report({ messageId: 'verificationOff', data: { call: name, what: 'accepts the "none" algorithm (unsigned tokens)' }, at: js.range(algs), severity: 'critical' });
            continue;
          }
          const ignoreExp = props.get('ignoreExpiration')?.value;
          if (ignoreExp && literalValue(ignoreExp) === true) ctx.report({ messageId: 'verificationOff', data: { call: name, what: 'ignores token expiry (ignoreExpiration: true)' }, at: js.range(ignoreExp) });
          if (algs) continue;
          const pin = signAlg ?? (signsDefault ? 'HS256' : undefined);
          const fix: Fix | undefined =
            pin && !opts && call.args[1] ? { title: `Accept only ${pin} tokens`, applicability: 'unsafe', edits: [insertAt(call.args[1].end, `, { algorithms: ['${pin}'] }`)] } : undefined;
          ctx.report({ messageId: 'notPinned', data: { call: name, hint: pin ? ` (this file signs with ${pin})` : '' }, at: call.range, fix });
        } else if (kind === 'decode' && !verifies) {
          ctx.report({ messageId: 'decodeForAuth', data: { call: name }, at: call.range });
        }
      }
      // passport-jwt / @nestjs/passport: new Strategy({ ignoreExpiration: true }) or super({ ... })
      for (const call of calls) {
        if (!(call.callee === 'super' || /(?:^|\.)Strategy$/.test(call.qualified)) || !js.importsModule('passport-jwt')) continue;
        const ignore = objectProps(call.args[0]).get('ignoreExpiration')?.value;
        if (ignore && literalValue(ignore) === true) ctx.report({ messageId: 'verificationOff', data: { call: 'The passport-jwt strategy', what: 'ignores token expiry (ignoreExpiration: true)' }, at: js.range(ignore) });
      }
    },
  },
});

// ---------------------------------------------------------------------------------------------
// Python

function isPyJwt(call: PyCall, method: 'encode' | 'decode'): boolean {
  return call.qualified === `jwt.${method}` || call.qualified === `jose.jwt.${method}` || call.qualified === `jwt.api_jwt.${method}`;
}

function strOf(e: PyExpr | undefined): string | undefined {
  return e?.kind === 'str' ? e.value : undefined;
}

function pyDecode(call: PyCall, encodeAlg: string | undefined, report: (d: { messageId: 'notPinned' | 'verificationOff'; data: Record<string, string>; at: TextRange; severity?: 'critical'; fix?: Fix }) => void): void {
  const name = `${call.callee}()`;
  const options = call.keyword('options');
  if (options?.kind === 'dict') {
    for (const e of options.entries) {
      if (e.key?.kind !== 'str' || e.value.kind !== 'bool' || e.value.value) continue;
      if (e.key.value === 'verify_signature') return report({ messageId: 'verificationOff', data: { call: name, what: 'turns signature verification off (verify_signature: False)' }, at: e.value.range, severity: 'critical' });
      if (e.key.value === 'verify_exp') report({ messageId: 'verificationOff', data: { call: name, what: 'turns expiry verification off (verify_exp: False)' }, at: e.value.range });
    }
  }
  const verify = call.keyword('verify');
  if (verify?.kind === 'bool' && !verify.value) return report({ messageId: 'verificationOff', data: { call: name, what: 'turns signature verification off (verify=False)' }, at: verify.range, severity: 'critical' });
  const algs = call.keyword('algorithms');
  if (algs && (algs.kind === 'list' || algs.kind === 'tuple') && algs.elements.some((e) => e.kind === 'str' && e.value.toLowerCase() === 'none')) {
    return report({ messageId: 'verificationOff', data: { call: name, what: 'accepts the "none" algorithm (unsigned tokens)' }, at: algs.range, severity: 'critical' });
  }
  if (algs || call.args.some((a) => a.name === '**')) return;
  const fix: Fix | undefined = encodeAlg
    ? { title: `Accept only ${encodeAlg} tokens`, applicability: 'unsafe', edits: [insertAt(call.argsRange.end - 1, `, algorithms=["${encodeAlg}"]`)] }
    : undefined;
  report({ messageId: 'notPinned', data: { call: name, hint: encodeAlg ? ` (this file signs with ${encodeAlg})` : '' }, at: call.range, fix });
}

/**
 * Claims of a payload: a dict literal, or a name bound to one in the same function (later
 * `payload["exp"] = ...` assignments included). Undefined when the payload cannot be seen.
 */
function pyClaims(payload: PyExpr, call: PyCall, py: PyModule): Map<string, PyExpr> | undefined {
  const fromDict = (d: PyExpr & { kind: 'dict' }) => {
    if (d.entries.some((e) => !e.key)) return undefined; // **other: cannot tell
    return new Map(d.entries.filter((e) => e.key?.kind === 'str').map((e) => [(e.key as PyExpr & { kind: 'str' }).value, e.value] as const));
  };
  if (payload.kind === 'dict') return fromDict(payload);
  if (payload.kind === 'call' && payload.call.callee === 'dict') return new Map(payload.call.args.filter((a) => a.name && a.name !== '**').map((a) => [a.name!, a.value]));
  if (payload.kind !== 'name') return undefined;
  const sameScope = (s: { functions: readonly string[] }) => s.functions.join('.') === call.scope.functions.join('.');
  const defs = py.assignments.filter((a) => a.target === payload.id && sameScope(a.scope) && a.line <= call.line);
  const def = defs.at(-1);
  if (!def || def.value.kind !== 'dict') return undefined;
  const claims = fromDict(def.value);
  if (!claims) return undefined;
  for (const a of py.assignments) {
    if (!sameScope(a.scope) || a.line > call.line) continue;
    const t = a.targetExpr;
    if (t.kind === 'subscript' && t.object.kind === 'name' && t.object.id === payload.id && t.index?.kind === 'str') claims.set(t.index.value, a.value);
  }
  // payload.update(exp=...) / payload.update({"exp": ...})
  for (const c of py.calls) {
    if (c.callee !== `${payload.id}.update` || !sameScope(c.scope) || c.line > call.line) continue;
    for (const a of c.args) {
      if (a.name) claims.set(a.name, a.value);
      else if (a.value.kind === 'dict') for (const e of a.value.entries) if (e.key?.kind === 'str') claims.set(e.key.value, e.value);
    }
  }
  return claims;
}

const UNIT_DAYS: Record<string, number> = { weeks: 7, days: 1, hours: 1 / 24, minutes: 1 / 1440, seconds: 1 / DAY };

/** Days in a `timedelta(days=90)` found anywhere in the expression (`datetime.utcnow() + timedelta(days=90)`). */
function pyDays(e: PyExpr, depth = 0): number | undefined {
  if (depth > 6) return undefined;
  if (e.kind === 'call' && /(?:^|\.)timedelta$/.test(e.call.qualified)) {
    let total = 0;
    for (const a of e.call.args) {
      const unit = a.name ?? (a === e.call.args[0] ? 'days' : undefined);
      if (!unit || a.value.kind !== 'num' || !(unit in UNIT_DAYS)) return undefined;
      total += a.value.value * UNIT_DAYS[unit]!;
    }
    return total;
  }
  if (e.kind === 'binop') return pyDays(e.left, depth + 1) ?? pyDays(e.right, depth + 1);
  if (e.kind === 'call' && e.call.func.kind === 'attr') return pyDays(e.call.func.object, depth + 1) ?? e.call.args.map((a) => pyDays(a.value, depth + 1)).find((d) => d !== undefined);
  if (e.kind === 'call') return e.call.args.map((a) => pyDays(a.value, depth + 1)).find((d) => d !== undefined);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// JS

/** `jwt.sign/verify/decode` from jsonwebtoken (default, namespace or named import; CommonJS too). */
function jsonwebtoken(call: JsCall): 'sign' | 'verify' | 'decode' | undefined {
  const m = /^jsonwebtoken(?:\.default)?\.(sign|verify|decode)$/.exec(call.qualified);
  return m ? (m[1] as 'sign' | 'verify' | 'decode') : undefined;
}

/** jsonwebtoken's expiresIn: a number is seconds; a string uses the `ms` format ("7d", "365 days"; no unit: milliseconds). */
function jsDays(e: ts.Expression): number | undefined {
  const v = literalValue(e);
  if (typeof v === 'number') return v / DAY;
  if (typeof v !== 'string') {
    // 60 * 60 * 24 * 365
    const n = unwrap(e);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
      const l = jsNumber(n.left);
      const r = jsNumber(n.right);
      return l !== undefined && r !== undefined ? (l * r) / DAY : undefined;
    }
    return undefined;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|y|yrs?|years?)?\s*$/i.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  if (/^(ms|msecs?|milliseconds?)$/.test(unit)) return n / 1000 / DAY;
  if (/^(s|secs?|seconds?)$/.test(unit)) return n / DAY;
  if (/^(m|mins?|minutes?)$/.test(unit)) return n / 1440;
  if (/^(h|hrs?|hours?)$/.test(unit)) return n / 24;
  if (/^(d|days?)$/.test(unit)) return n;
  if (/^(w|weeks?)$/.test(unit)) return n * 7;
  return n * 365.25;
}

function jsNumber(e: ts.Expression): number | undefined {
  const n = unwrap(e);
  const v = literalValue(n);
  if (typeof v === 'number') return v;
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const l = jsNumber(n.left);
    const r = jsNumber(n.right);
    return l !== undefined && r !== undefined ? l * r : undefined;
  }
  return undefined;
}

