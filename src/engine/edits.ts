import type { TextEdit, TextRange } from './types.js';

export const replace = (range: TextRange, text: string): TextEdit => ({ start: range.start, end: range.end, text });
export const remove = (range: TextRange): TextEdit => ({ start: range.start, end: range.end, text: '' });
export const insertAt = (offset: number, text: string): TextEdit => ({ start: offset, end: offset, text });

/** Apply non-overlapping edits; throws on overlap (a rule bug, like ESLint's merge check). Identical edits apply once. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const seen = new Set<string>();
  const sorted = [...edits]
    .filter((e) => {
      const k = `${e.start}:${e.end}:${e.text}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let cursor = 0;
  for (const e of sorted) {
    if (e.start < cursor || e.end < e.start || e.end > text.length) throw new Error(`overlapping or out-of-range edit at ${e.start}`);
    out += text.slice(cursor, e.start) + e.text;
    cursor = e.end;
  }
  return out + text.slice(cursor);
}

/** The line ending a file uses (first one found), for edits that add lines. */
export function eolOf(text: string): '\r\n' | '\n' {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}
