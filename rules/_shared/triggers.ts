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
  if (!text.includes('express')) return JS_ESCAPE.test(text);
  if (/\bexpress\b(?!\s*(?:[.=,'"`:;}\]-]|from\b))/.test(text)) return true;
  for (const m of text.matchAll(EXPRESS_MODULE)) {
    const before = text.slice(Math.max(0, m.index - 200), m.index);
    if (!PLAIN_EXPRESS_IMPORT.test(before) || /\bdefault\b/.test(before.slice(before.lastIndexOf('import')))) return true;
  }
  return JS_ESCAPE.test(text);
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
export function pyHasEscape(text: string): boolean {
  if (text !== lastEscape.text) lastEscape = { text, has: PY_ESCAPE.test(text) };
  return lastEscape.has;
}

let lastEscape = { text: '', has: false };

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
