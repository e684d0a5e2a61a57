/**
 * Exact .env parser (dotenv syntax): KEY=value, `export KEY=value`, single/double quotes,
 * `#` comments (inline comments only after whitespace on unquoted values), CRLF.
 * Ranges are offsets into the file text; a quoted value's range covers the quotes.
 */
import type { TextRange } from '../engine/types.js';

export interface EnvEntry {
  readonly key: string;
  /** Unquoted value. */
  readonly value: string;
  readonly keyRange: TextRange;
  /** Range of the value as written (quotes included); empty range at the end of `KEY=`. */
  readonly valueRange: TextRange;
  /** Range of the whole `KEY=value` line, without its line terminator. */
  readonly lineRange: TextRange;
  readonly quote: '' | '"' | "'";
  readonly line: number;
}

export interface EnvParse {
  readonly entries: readonly EnvEntry[];
  /** Lines that are neither blank, comments nor assignments. */
  readonly invalidLines: readonly number[];
}

const LINE = /^([ \t]*)(export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/;

export function parseEnv(text: string): EnvParse {
  const entries: EnvEntry[] = [];
  const invalidLines: number[] = [];
  let offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  while (offset <= text.length) {
    lineNo++;
    const nl = text.indexOf('\n', offset);
    const rawEnd = nl === -1 ? text.length : nl;
    const end = rawEnd > offset && text[rawEnd - 1] === '\r' ? rawEnd - 1 : rawEnd;
    const line = text.slice(offset, end);
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) {
      const m = LINE.exec(line);
      if (!m) invalidLines.push(lineNo);
      else {
        const keyStart = offset + m[1]!.length + (m[2]?.length ?? 0);
        const key = m[3]!;
        const vStart = offset + m[0].length;
        const rest = text.slice(vStart, end);
        let value: string;
        let vEnd: number;
        let quote: '' | '"' | "'" = '';
        const q = rest[0];
        if ((q === '"' || q === "'") && rest.indexOf(q, 1) !== -1) {
          quote = q;
          const close = rest.indexOf(q, 1);
          value = rest.slice(1, close);
          if (q === '"') value = value.replace(/\\n/g, '\n');
          vEnd = vStart + close + 1;
        } else {
          const hash = rest.search(/[ \t]#/);
          const raw = hash === -1 ? rest : rest.slice(0, hash);
          value = raw.trimEnd();
          vEnd = vStart + value.length;
        }
        entries.push({
          key,
          value,
          keyRange: { start: keyStart, end: keyStart + key.length },
          valueRange: { start: vStart, end: vEnd },
          lineRange: { start: offset, end },
          quote,
          line: lineNo,
        });
      }
    }
    if (nl === -1) break;
    offset = nl + 1;
  }
  return { entries, invalidLines };
}

/**
 * Every variable a .env-style file names: set (`KEY=value`, `export KEY=`) or commented out
 * (`# KEY=value`), so a template that lists a variable as optional documents it too.
 */
export function mentionedEnvNames(text: string): Set<string> {
  const names = new Set(parseEnv(text).entries.map((e) => e.key));
  for (const line of text.split('\n')) {
    const m = /^\s*#\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}
