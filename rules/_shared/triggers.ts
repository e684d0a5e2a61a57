import { decodePyEscapes } from '../../src/parsers/python.js';

/**
 * Building blocks for problem-shaped triggers (`meta.triggers`): cheap text tests, run on every
 * file before anything is parsed, that hold on every file a rule can report on. A trigger that
 * fails means the file is not parsed for that rule, so each helper errs towards true.
 */

/** More than `max` lines (a trailing newline does not start a line), stopping as soon as it is. */
export function linesExceed(text: string, max: number): boolean {
  let n = text.length === 0 || text.endsWith('\n') ? 0 : 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) if (++n > max) return true;
  return n > max;
}

/** More than `max` matches of a global regex, stopping as soon as there are. */
export function matchesExceed(text: string, re: RegExp, max: number): boolean {
  if (!re.global) throw new Error('matchesExceed needs a global regex');
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text)) {
    if (++n > max) {
      re.lastIndex = 0;
      return true;
    }
  }
  return false;
}

/**
 * Could the Python statement on the line holding `offset` be at module level (not inside a `def`
 * or `class`)? A line at column 0 is; an indented one is when none of the block headers enclosing
 * it (found by walking back to lines of smaller indentation) starts a function or class. Lines
 * inside brackets or strings can mislead the walk; then the answer is true (over-inclusive),
 * except that a `def`/`class` header found above always wins, as Python's own nesting does.
 */
export function pyMaybeTopLevel(text: string, offset: number): boolean {
  let lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let indent = indentOf(text, lineStart);
  while (indent > 0 && lineStart > 0) {
    // Previous non-blank, non-comment line with smaller indentation: the enclosing block's header.
    let end = lineStart - 1;
    let found = false;
    while (end >= 0) {
      const start = text.lastIndexOf('\n', end - 1) + 1;
      const ind = indentOf(text, start);
      const first = text.charCodeAt(start + ind);
      const blank = start + ind >= end || first === 0x23 /* # */ || first === 0x0d;
      if (!blank && ind < indent) {
        if (/^(?:async[ \t]+)?(?:def|class)\b/.test(text.slice(start + ind, Math.min(end, start + ind + 12)))) return false;
        lineStart = start;
        indent = ind;
        found = true;
        break;
      }
      if (start === 0) break;
      end = start - 1;
    }
    if (!found) return true;
  }
  return true;
}

function indentOf(text: string, lineStart: number): number {
  let i = lineStart;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09; c = text.charCodeAt(++i));
  return i - lineStart;
}

/** Some match of a global regex passes `accept` (given the match's offset). */
export function someMatch(text: string, re: RegExp, accept: (offset: number) => boolean): boolean {
  if (!re.global) throw new Error('someMatch needs a global regex');
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (accept(m.index)) {
      re.lastIndex = 0;
      return true;
    }
    if (m[0].length === 0) re.lastIndex++;
  }
  return false;
}

/** Regex-escape a literal. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * An escape that can spell an ASCII character in JS/TS: TypeScript decodes `\u0065xpress` in an
 * identifier, and `\x65`, `\u0065`, `\u{65}`, octal escapes and line continuations in a string,
 * so node text can hold a name the file's text does not. A trigger on a name also accepts these.
 */
export const JS_ESCAPE = /\\(?:u(?:00[0-7]|\{0*[0-7]?[0-9a-fA-F]\})|x[0-7]|[0-7]|\r|\n|\u2028|\u2029)/;

/**
 * JS_ESCAPE.test(text), once per file: sixteen rules' script triggers ask it when their own words
 * are absent, and each asked scanned the whole text (~60 ms of the JS corpus's triggers). Keeps
 * the last answer, as pyHasEscape does for Python.
 */
export const jsHasEscape = lastTextAnswer(JS_ESCAPE);

/** `re.test(text)` that keeps the last text's answer: for a test many rules ask of the same file in a row. */
function lastTextAnswer(re: RegExp): (text: string) => boolean {
  let last = { text: '', has: re.test('') };
  return (text) => {
    if (text !== last.text) last = { text, has: re.test(text) };
    return last.has;
  };
}

/** An escape the Python facade decodes in a string (`\x53`, `\u0053`, `\U00000053`, a line continuation). */
export const PY_ESCAPE = /\\(?:[xuU]|\r?\n)/;

/** The module name in quotes: `'express'`. */
const EXPRESS_MODULE = /['"`]express['"`]/g;
/** What precedes the module name when the import binds only the name `express` (or only named members). */
const PLAIN_EXPRESS_IMPORT = /(?:\b(?:const|let|var)\s+express\s*=\s*require\s*\(\s*|\bimport\s+(?:type\s+)?(?:express\s*(?:,\s*\{[^{}]*\}\s*)?|\{[^{}]*\}\s*|\*\s*as\s+express\s+)from\s*)$/;

/**
 * Could the file call Express's default export itself (`const app = express()`)? Either the name
 * `express` is followed by something that can open a call (not `.`, `=`, `,`, a quote, `:`, `;`,
 * `}`, `]`, `-`, `from`: `express.Router()`, `const express = require('express')` and `import express
 * from 'express'` are not), or the module is imported under another name (`import e from
 * 'express'`, `{ default as e }`, a dynamic import), or an escape could spell either. Route
 * modules (`const express = require('express'); const router = express.Router()`) fail it.
 */
export function mayCallExpress(text: string): boolean {
  if (!text.includes('express')) return jsHasEscape(text);
  if (/\bexpress\b(?!\s*(?:[.=,'"`:;}\]-]|from\b))/.test(text)) return true;
  for (const m of text.matchAll(EXPRESS_MODULE)) {
    const before = text.slice(Math.max(0, m.index - 200), m.index);
    if (!PLAIN_EXPRESS_IMPORT.test(before) || /\bdefault\b/.test(before.slice(before.lastIndexOf('import')))) return true;
  }
  return jsHasEscape(text);
}

/** Whitespace and comments that may sit between two JS/TS tokens. */
export const JS_GAP = String.raw`(?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*(?:\n|$))*`;

/**
 * A member access `.name` / `?.name` for one of `names`, with whitespace or comments allowed after
 * the dot (`x\n  .name`): what a property-access call `x.name(...)` must spell in the text (an
 * escaped name is the caller's JS_ESCAPE test). A global regex whose match starts at the dot.
 */
export function jsMemberRegex(names: Iterable<string>): RegExp {
  return new RegExp(String.raw`\.${JS_GAP}(?:${[...names].map(escapeRegex).join('|')})(?![\w$])`, 'g');
}

/**
 * The identifier a member access's receiver ends with, read backwards from the dot at `dot`
 * (`this.db.query` -> "db", `db!.query`, `db?.query`, `db\n  .query` -> "db"), or undefined when
 * the text before the dot is not an identifier (`(db as any).query`, `x['db'].query`, `f().get`,
 * a comment): then a caller that needs soundness must accept.
 */
export function jsReceiverBefore(text: string, dot: number): string | undefined {
  let i = dot - 1;
  let crossedLine = false;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) crossedLine = true;
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x3f /* ? */ || c === 0x21 /* ! */) i--;
    else break;
  }
  if (i < 0) return undefined;
  if (crossedLine) {
    // The line before may end in a // comment: its last word is not the receiver.
    const lineStart = text.lastIndexOf('\n', i) + 1;
    if (text.slice(lineStart, i + 1).includes('//')) return undefined;
  }
  let start = i + 1;
  while (start > 0 && /[\w$]/.test(text[start - 1]!)) start--;
  return start <= i ? text.slice(start, i + 1) : undefined;
}

/** Some `.name` access matched by `re` (a jsMemberRegex) whose receiver passes `accept` (see jsReceiverBefore). */
export function someJsMember(text: string, re: RegExp, accept: (receiver: string | undefined) => boolean): boolean {
  return someMatch(text, re, (dot) => accept(jsReceiverBefore(text, dot)));
}

/**
 * The text with the escapes the Python facade decodes in strings (`\x72`, `\u0072`, `\U00000072`,
 * a backslash-newline) decoded everywhere, so a word spelled with them in a string appears.
 * Pairs are read left to right as the facade does (`\\x72` stays `\x72`).
 */
export function pyDecoded(text: string): string {
  // A dozen rules' triggers ask for the same file in a row: decode it once.
  if (text === lastDecoded.text) return lastDecoded.decoded;
  const decoded = decodePy(text);
  lastDecoded = { text, decoded };
  return decoded;
}

let lastDecoded = { text: '', decoded: '' };

function decodePy(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|\r?\n|[^])/g, (m, e: string) => {
    if (e === '\n' || e === '\r\n') return '';
    if (e[0] === 'x' || e[0] === 'u' || e[0] === 'U') {
      const cp = parseInt(e.slice(1), 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return m;
  });
}

/**
 * Does `re` match the Python text as written or, when it holds an escape the facade decodes, as
 * decoded? For a word that a report needs inside a string (a config key, a route path).
 */
export function pyTextHas(text: string, re: RegExp): boolean {
  re.lastIndex = 0;
  if (re.test(text)) return true;
  if (!pyHasEscape(text)) return false;
  re.lastIndex = 0;
  return re.test(pyDecoded(text));
}

/**
 * PY_ESCAPE.test(text), once per file: the triggers that ask (through pyTextHas, about ten per
 * file) each scanned the whole text for it when their word was absent, ~100 ms of the Python
 * corpus's 1.5 s of triggers. Keeps the last answer, as pyDecoded does.
 */
export const pyHasEscape = lastTextAnswer(PY_ESCAPE);

/**
 * pyTextHas, also across implicit concatenation: when the text holds an escape, `re` is tried on
 * the decoded text with each closing quote, the gap after it (whitespace, comments, continuations)
 * and the next part's prefix and quote taken out, so `"SECURE_SSL_\x52" "EDIRECT"` reads as the
 * key the facade builds (a comment runs to its line end, so the gap matches one way only).
 * Strings the parser joins across a syntax error are not covered.
 */
export function pyTextHasJoined(text: string, re: RegExp): boolean {
  re.lastIndex = 0;
  if (re.test(text)) return true;
  if (!pyHasEscape(text)) return false;
  re.lastIndex = 0;
  return re.test(pyDecoded(text).replace(/["'](?:[\s\u0085\u200b\u2060]|#[^\n]*(?=\n|$)|\\\r?\n)*[rRbBuUfF]{0,2}["']/g, ''));
}

/**
 * Could the Python text declare a route (routes.ts pythonRoutes) that accepts POST, PUT or PATCH
 * (`delete`: or DELETE) or any method? A decorator route names its method (`.post(...)`; `.route`,
 * `.api_route` and add_url_rule default to GET, so they need `methods=`); a Django url call
 * (methods ANY unless the local view says otherwise) is django.urls.path / re_path /
 * django.conf.urls.url through an import that names django...urls, or, in a urls.py importing
 * django, a bare path( / re_path( / url( call.
 */
export function pyMaySubmitRoute(text: string, withDelete = false): boolean {
  if ((withDelete ? /\.\s*(?:post|put|patch|delete)\b|\bmethods\s*=/ : /\.\s*(?:post|put|patch)\b|\bmethods\s*=/).test(text)) return true;
  if (!/\bdjango\b/.test(text)) return false;
  return /\bdjango\s*\.\s*(?:conf\s*\.\s*)?urls\b/.test(text) || (/\bfrom\s+django(?:\s*\.\s*conf)?\s+import\b/.test(text) && /\burls\b/.test(text)) || /(?<![.\w])(?:path|re_path|url)\s*\(/.test(text);
}

/** Python's string prefixes (any letter case); a word of prefix letters that is none of them is not read (pyStringValuesSome says unsure). */
const PY_PREFIXES = new Set(['', 'r', 'u', 'b', 'f', 'br', 'rb', 'fr', 'rf']);
const PY_PREFIX_LETTER = /^[rRbBuUfFtT]+$/;
/** Between the parts of an implicitly concatenated string: whitespace (tree-sitter's extras add NEL and the zero-width ones), comments, line continuations. */
function pyGapEnd(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      const nl = text.indexOf('\n', i);
      if (nl === -1) return text.length;
      i = nl;
    } else if (c === 0x5c /* \ */ && (text.charCodeAt(i + 1) === 0x0a || text.charCodeAt(i + 1) === 0x0d)) i += 2;
    else if (c === 0x85 || c === 0x200b || c === 0x2060 || (c <= 0x20 && c > 0) || (c > 0x7f && /\s/.test(text[i]!))) i++;
    else return i;
  }
}

function isPyWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c > 0x7f;
}

/** One part of a string literal: its body as written and whether it is raw / an f-string. */
interface PyPiece {
  readonly body: string;
  readonly raw: boolean;
  readonly f: boolean;
}

/** The characters the scan stops at: in code, in an f-string replacement field, in a string body (by quote, triple, f). */
const CODE_SPECIAL = /[#'"\\]/g;
const FIELD_SPECIAL = /[#'"\\()[\]{}:]/g;
const BODY_SPECIAL = [/["\\\n\r]/g, /['\\\n\r]/g, /["\\]/g, /['\\]/g, /["\\\n\r{]/g, /['\\\n\r{]/g, /["\\{]/g, /['\\{]/g];

/** Thrown inside the scan when the text is not plain enough to read with certainty. */
const UNSURE = new Error('unsure');

/**
 * Could some plain string literal of this Python text (what the facade lists in `strings`,
 * implicit concatenations joined, escapes decoded) pass `accept`? A lexer for strings and
 * comments: each literal's value is offered as the facade builds it (raw bodies as written,
 * others through the facade's own decoder), and so are the raw and decoded forms of every run
 * of adjacent parts, so that grouping parts differently from the parser cannot hide a value.
 * Strings nested in f-string replacement fields are read too; the f-string bodies are also
 * offered whole. Whenever the text is not plain enough to be sure of the parser's tokens (a
 * string left open at a line end or the file end, a backslash outside a string that does not
 * continue a line, a prefix that is not Python's, a t-string, a quote of the f-string's own kind
 * or a comment inside a replacement field, more than 200 parts in one literal), the answer is true.
 * Values shorter than `minLength` are not offered (a bound `accept` implies).
 */
export function pyStringValuesSome(text: string, accept: (value: string) => boolean, minLength = 0): boolean {
  const offer = minLength > 0 ? (v: string) => v.length >= minLength && accept(v) : accept;
  try {
    return scanPyCode(text, 0, false, offer).found;
  } catch (e) {
    if (e === UNSURE) return true;
    throw e;
  }
}

/**
 * Code from `i`: to the end, or (`field`) to the `}` closing an f-string replacement field, or
 * the `:` starting its format spec at bracket depth 0 (returned as `stop`).
 */
function scanPyCode(text: string, i: number, field: boolean, accept: (value: string) => boolean): { found: boolean; end: number; stop: string } {
  let depth = 0;
  const n = text.length;
  const special = field ? FIELD_SPECIAL : CODE_SPECIAL;
  while (i < n) {
    special.lastIndex = i;
    if (!special.test(text)) break;
    i = special.lastIndex - 1;
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      if (field) throw UNSURE;
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? n : nl;
    } else if (c === 0x22 || c === 0x27) {
      const r = scanPyLiteral(text, i, accept);
      if (r.found) return { found: true, end: r.end, stop: '' };
      i = r.end;
    } else if (c === 0x5c /* \ */) {
      const d = text.charCodeAt(i + 1);
      if (d !== 0x0a && d !== 0x0d && i + 1 < n) throw UNSURE;
      i += 2;
    } else if (field && (c === 0x28 || c === 0x5b || c === 0x7b)) {
      depth++;
      i++;
    } else if (field && (c === 0x29 || c === 0x5d)) {
      depth--;
      i++;
    } else if (field && c === 0x7d /* } */) {
      if (depth === 0) return { found: false, end: i + 1, stop: '}' };
      depth--;
      i++;
    } else if (field && c === 0x3a /* : */ && depth === 0) {
      return { found: false, end: i + 1, stop: ':' };
    } else i++;
  }
  if (field) throw UNSURE;
  return { found: false, end: n, stop: '' };
}

/** A string literal whose first quote is at `q`, with any parts concatenated to it; `end` is after the last part. */
function scanPyLiteral(text: string, q: number, accept: (value: string) => boolean): { found: boolean; end: number } {
  const pieces: PyPiece[] = [];
  let i = q;
  for (;;) {
    // The prefix: the word right before the quote, when it is made of prefix letters.
    let w = i;
    while (w > 0 && isPyWordChar(text.charCodeAt(w - 1))) w--;
    const word = text.slice(w, i);
    let prefix = '';
    if (PY_PREFIX_LETTER.test(word)) {
      prefix = word.toLowerCase();
      if (!PY_PREFIXES.has(prefix)) throw UNSURE;
    }
    const r = scanPyPiece(text, i, prefix, accept);
    if (r.found) return r;
    pieces.push(r.piece);
    if (pieces.length > 200) throw UNSURE;
    // The next part: after whitespace, comments and continuations, a word of prefix letters (or none) and a quote.
    const g = pyGapEnd(text, r.end);
    let k = g;
    while (k < text.length && isPyWordChar(text.charCodeAt(k))) k++;
    const next = text.charCodeAt(k);
    if ((next === 0x22 || next === 0x27) && PY_PREFIX_LETTER.test(text.slice(g, k) || 'r')) {
      i = k;
      continue;
    }
    return { found: offerPieces(pieces, accept), end: r.end };
  }
}

/** Every run of adjacent non-f parts, as the facade joins them (raw bodies as written, others decoded), all raw and all decoded; f-string bodies alone. */
function offerPieces(pieces: readonly PyPiece[], accept: (value: string) => boolean): boolean {
  const decoded = pieces.map((p) => decodePyEscapes(p.body));
  for (let a = 0; a < pieces.length; a++) {
    if (pieces[a]!.f) {
      if (accept(pieces[a]!.body) || accept(decoded[a]!)) return true;
      continue;
    }
    let exact = '';
    let raw = '';
    let dec = '';
    for (let b = a; b < pieces.length && !pieces[b]!.f; b++) {
      exact += pieces[b]!.raw ? pieces[b]!.body : decoded[b]!;
      raw += pieces[b]!.body;
      dec += decoded[b]!;
      if (accept(exact) || (raw !== exact && accept(raw)) || (dec !== exact && dec !== raw && accept(dec))) return true;
    }
  }
  return false;
}

/** One quoted part from its first quote at `q`: its body, and (f-strings) the strings in its replacement fields. */
function scanPyPiece(text: string, q: number, prefix: string, accept: (value: string) => boolean): { found: true; end: number } | { found: false; end: number; piece: PyPiece } {
  const quote = text.charCodeAt(q);
  const triple = text.charCodeAt(q + 1) === quote && text.charCodeAt(q + 2) === quote;
  const open = triple ? 3 : 1;
  const f = prefix.includes('f');
  const n = text.length;
  let i = q + open;
  const special = BODY_SPECIAL[(quote === 0x22 ? 0 : 1) + (triple ? 2 : 0) + (f ? 4 : 0)]!;
  for (;;) {
    special.lastIndex = i;
    if (!special.test(text)) throw UNSURE;
    i = special.lastIndex - 1;
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i += 2;
    } else if (c === quote) {
      if (!triple) break;
      if (text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote) break;
      i++;
    } else if (!triple && (c === 0x0a || c === 0x0d)) {
      throw UNSURE;
    } else if (f && c === 0x7b /* { */) {
      if (text.charCodeAt(i + 1) === 0x7b) {
        i += 2;
        continue;
      }
      const r = scanPyField(text, i + 1, quote, accept);
      if (r.found) return { found: true, end: r.end };
      i = r.end;
    } else i++;
  }
  if (i > n) throw UNSURE;
  return { found: false, end: i + open, piece: { body: text.slice(q + open, i), raw: prefix.includes('r'), f } };
}

/** An f-string replacement field from after its `{`: code, then an optional format spec (literal text with nested fields), to its `}`. */
function scanPyField(text: string, i: number, quote: number, accept: (value: string) => boolean): { found: boolean; end: number } {
  for (;;) {
    const start = i;
    const r = scanPyCode(text, i, true, accept);
    if (r.found) return { found: true, end: r.end };
    // A quote of the f-string's own kind inside the field: Python 3.12 nests it, older parsers end the string there.
    if (text.slice(start, r.end).includes(String.fromCharCode(quote))) throw UNSURE;
    if (r.stop === '}') return { found: false, end: r.end };
    // Format spec: literal text up to the field's `}`, with nested fields.
    i = r.end;
    for (;;) {
      if (i >= text.length) throw UNSURE;
      const c = text.charCodeAt(i);
      if (c === quote || c === 0x0a || c === 0x0d || c === 0x5c) throw UNSURE;
      if (c === 0x7d /* } */) return { found: false, end: i + 1 };
      if (c === 0x7b /* { */) {
        const inner = scanPyField(text, i + 1, quote, accept);
        if (inner.found) return inner;
        i = inner.end;
      } else i++;
    }
  }
}

/**
 * Between the tokens of a Python dotted name: whitespace, comments (inside brackets), line
 * continuations. A comment runs to its line end (the lookahead), so a run of `#` matches one way
 * only and the regex cannot backtrack through its splits.
 */
export const PY_GAP = String.raw`(?:\s|\\|#[^\n]*(?=\n|$))*`;
/**
 * A route method as an attribute (decoratorRoute's last callee part) on a receiver whose last part
 * routes.ts pyFrameworkOf takes for a blueprint or router with no import to go by (`bp`,
 * `api_router`, `App`): `@bp.post(`, `@router . get(`, with a line continuation too.
 */
const PY_NAMED_ROUTER = new RegExp(String.raw`(?:bp|blueprint|router|routes|api|app)${PY_GAP}\.${PY_GAP}(?:route|api_route|get|post|put|patch|delete|head|options)\b`, 'i');

/**
 * Could pythonRoutes (rules/_shared/routes.ts) find a route in Python text that names none of
 * flask, quart, fastapi, starlette and django? Callers test those words (or a superset) themselves:
 * a route through a module is known by its name in the text, written by the import (or the dotted
 * callee) it goes through: a decorator's receiver bound to a Flask / Quart / APIFlask /
 * flask_smorest / FastAPI / Starlette object, or unbound in a module importing flask, quart,
 * apiflask or fastapi; a Django url call resolved to django.urls / django.conf.urls, or bare in a
 * urls.py importing django. Without them two kinds are left: `add_url_rule` (identifiers have no
 * escapes) and a decorator on a router-named receiver (PY_NAMED_ROUTER).
 */
export function pyMayRouteUnnamed(text: string): boolean {
  return text.includes('add_url_rule') || PY_NAMED_ROUTER.test(text);
}
