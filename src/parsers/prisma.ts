/**
 * Prisma schema (`schema.prisma`) blocks: `datasource db { provider = "sqlite" }`, models,
 * generators. Line-oriented, as the Prisma schema language is: one block per `kind name {`
 * header up to the closing `}` at the start of a line, one `key = value` field per line.
 */
import type { TextRange } from '../engine/types.js';

export interface PrismaBlock {
  readonly kind: string;
  readonly name: string;
  readonly range: TextRange;
  readonly fields: ReadonlyMap<string, { readonly value: string; readonly range: TextRange }>;
}

/** Prisma schema blocks (`datasource db { provider = "sqlite" }`): kind, name and `key = value` fields with ranges. Comments (`//`) after a value are dropped. */
export function prismaBlocks(text: string): PrismaBlock[] {
  const out: PrismaBlock[] = [];
  const header = /^[ \t]*(datasource|generator|model|enum|type|view)[ \t]+(\w+)[ \t]*\{/gm;
  let m: RegExpExecArray | null;
  while ((m = header.exec(text))) {
    const bodyStart = m.index + m[0].length;
    const close = text.indexOf('\n}', bodyStart);
    const bodyEnd = close === -1 ? text.length : close;
    const fields = new Map<string, { value: string; range: TextRange }>();
    let lineStart = bodyStart;
    for (const line of text.slice(bodyStart, bodyEnd).split('\n')) {
      const f = /^([ \t]*)(\w+)[ \t]*=[ \t]*(.+?)[ \t]*(\/\/.*)?$/.exec(line.replace(/\r$/, ''));
      if (f) {
        const vStart = lineStart + line.indexOf(f[3]!, f[1]!.length + f[2]!.length);
        fields.set(f[2]!, { value: f[3]!, range: { start: vStart, end: vStart + f[3]!.length } });
      }
      lineStart += line.length + 1;
    }
    out.push({ kind: m[1]!, name: m[2]!, range: { start: m.index, end: bodyEnd }, fields });
  }
  return out;
}
