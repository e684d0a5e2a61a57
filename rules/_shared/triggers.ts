/**
 * Pieces of rule triggers (see RuleMeta.triggers): necessary text conditions, so they must
 * also hold for the spellings the parsers decode into the names and strings rules compare.
 */

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
