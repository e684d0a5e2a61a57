/**
 * Helpers for writing fixes that look like the file they land in (style.md §3.5): imports added
 * exactly once in the right place (after a BOM, shebang, coding cookie, docstring and
 * `from __future__`; with the blank lines PEP 8 wants), the file's quote style, its line endings
 * and its indentation. The fix engine additionally converts inserted "\n" to the file's CRLF.
 */
import { eolOf, insertAt } from '../../src/engine/edits.js';
import type { TextEdit } from '../../src/engine/types.js';
import type { PyModule } from '../../src/parsers/python.js';
import { ts, walk } from '../../src/parsers/script.js';

export type Quote = '"' | "'";

/** The quote most of the file's plain string literals use (docstrings and triple quotes not counted); `"` on a tie. */
export function pyQuote(py: PyModule): Quote {
  let single = 0;
  let double = 0;
  for (const s of py.strings) {
    const m = /^[rRbBuU]{0,2}(['"])/.exec(s.text);
    if (!m || s.text.slice(m[0].length - 1).startsWith(m[1]!.repeat(3))) continue;
    if (m[1] === "'") single++;
    else double++;
  }
  return single > double ? "'" : '"';
}

/** A Python string literal of `value` in quote `q`. */
export function pyString(value: string, q: Quote): string {
  return `${q}${value.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`)}${q}`;
}

/** Is `module` bound as a plain `import module` (so `module.x` works)? */
export function hasPyImport(py: PyModule, module: string): boolean {
  return py.imports.some((i) => i.local === module && i.qualified === module);
}

/**
 * The edit that adds `import module` once, at the top of the import block: nothing when it is
 * already imported, and blank lines when code (two before a def or class) follows directly.
 * Identical edits from several fixes in one file are applied once by the fix engine.
 */
export function pyImport(py: PyModule, module: string): TextEdit[] {
  if (hasPyImport(py, module)) return [];
  const text = py.text;
  const eol = eolOf(text);
  const at = py.importInsertOffset;
  const next = /^[^\r\n]*/.exec(text.slice(at))![0];
  let add = `import ${module}${eol}`;
  if (/^\s*(async\s+def|def|class|@)\b/.test(next) || /^\s*@/.test(next)) add += eol + eol;
  else if (next.trim() !== '' && !/^\s*(import|from)\s/.test(next)) add += eol;
  const prev = /[^\r\n]*\r?\n?$/.exec(text.slice(0, at).replace(/\r?\n$/, ''))?.[0] ?? '';
  const afterHeaderOnly = at === 0 || /^\uFEFF?(#!|#.*coding[:=])/.test(prev) || prev.trim() === '' || /^\s*(import|from)\s/.test(prev);
  if (!afterHeaderOnly) add = eol + add; // after a docstring or `from __future__` block: one blank line
  return [insertAt(at, add)];
}

/** `os.environ.get('NAME', '').lower() in ('1', 'true')`: a flag that is off unless the variable is set. */
export function pyEnvFlag(py: PyModule, name: string): string {
  const q = pyQuote(py);
  return `os.environ.get(${pyString(name, q)}, ${q}${q}).lower() in (${q}1${q}, ${q}true${q})`;
}

/** The quote most of the file's string literals use (`'` on a tie in JS, as most style guides). */
export function jsQuote(sf: ts.SourceFile): Quote {
  let single = 0;
  let double = 0;
  walk(sf, (node) => {
    if (ts.isStringLiteral(node)) {
      const c = sf.text[node.getStart(sf)];
      if (c === "'") single++;
      else if (c === '"') double++;
    }
  });
  return double > single ? '"' : "'";
}

/** The whitespace a line starts with (tabs or spaces, as the file has them). */
export function indentAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}
