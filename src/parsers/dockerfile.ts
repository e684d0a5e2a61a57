/**
 * Dockerfile parser: instructions with line continuations (`\` or a `# escape=` directive),
 * comments, exec-form (JSON array) and shell-form arguments, and build stages.
 */
import type { TextRange } from '../engine/types.js';

export interface DockerInstruction {
  /** Upper-cased keyword: FROM, RUN, CMD, ENV, ... */
  readonly keyword: string;
  /** Arguments with continuations joined by a space. */
  readonly args: string;
  /** Exec form (`CMD ["node", "server.js"]`) parsed, when the arguments are a JSON array of strings. */
  readonly exec: readonly string[] | undefined;
  /** Range of the whole instruction; argsRange of its arguments as written. */
  readonly range: TextRange;
  readonly argsRange: TextRange;
  readonly line: number;
  /** Index of the build stage (FROM count - 1) the instruction belongs to. */
  readonly stage: number;
}

export interface DockerEnvPair {
  readonly key: string;
  readonly value: string;
  /** Range of the value as written in the file, when it could be located. */
  readonly valueRange: TextRange | undefined;
}

export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  let escape = '\\';
  const directive = /^#\s*escape\s*=\s*([\\`])\s*$/im.exec(text.slice(0, 200));
  if (directive) escape = directive[1]!;
  const lines = text.split('\n');
  let offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (offset === 1) lines[0] = lines[0]!.slice(1);
  let stage = -1;
  for (let i = 0; i < lines.length; i++) {
    const lineStart = offset;
    let raw = lines[i]!.replace(/\r$/, '');
    offset += lines[i]!.length + 1;
    if (/^\s*(#.*)?$/.test(raw)) continue;
    const m = /^(\s*)([A-Za-z]+)(\s+|$)/.exec(raw);
    if (!m) continue;
    const keyword = m[2]!.toUpperCase();
    const startLine = i + 1;
    const argsStart = lineStart + m[0].length;
    let args = raw.slice(m[0].length);
    let end = lineStart + raw.length;
    while (args.trimEnd().endsWith(escape) && i + 1 < lines.length) {
      args = args.trimEnd().slice(0, -1);
      i++;
      const next = lines[i]!.replace(/\r$/, '');
      const nextStart = offset;
      offset += lines[i]!.length + 1;
      if (/^\s*#/.test(next)) continue; // comment lines inside continuations are dropped
      args += ` ${next.trim()}`;
      end = nextStart + next.length;
    }
    if (keyword === 'FROM') stage++;
    args = args.trim();
    out.push({
      keyword,
      args,
      exec: parseExec(args),
      range: { start: lineStart + m[1]!.length, end },
      argsRange: { start: argsStart, end },
      line: startLine,
      stage: Math.max(stage, 0),
    });
  }
  return out;
}

function parseExec(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** ENV/ARG pairs: `ENV A=1 B="two"`, legacy `ENV A 1`, `ARG A=1`. */
export function envPairs(ins: DockerInstruction, text: string): DockerEnvPair[] {
  const out: DockerEnvPair[] = [];
  const src = text.slice(ins.argsRange.start, ins.argsRange.end);
  const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+([^=].*)$/s.exec(ins.args);
  if (ins.keyword === 'ENV' && legacy && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(ins.args)) {
    const idx = src.indexOf(legacy[2]!.trim());
    out.push({
      key: legacy[1]!,
      value: legacy[2]!.trim(),
      valueRange: idx === -1 ? undefined : { start: ins.argsRange.start + idx, end: ins.argsRange.start + idx + legacy[2]!.trim().length },
    });
    return out;
  }
  const re = /([A-Za-z_][A-Za-z0-9_]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s]*))?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) {
    if (m[0] === '' || /^\s*\\?\s*$/.test(m[0])) {
      re.lastIndex++;
      continue;
    }
    const rawVal = m[2] ?? '';
    const valStart = ins.argsRange.start + m.index + m[1]!.length + 1;
    const value = rawVal.startsWith('"') || rawVal.startsWith("'") ? rawVal.slice(1, -1) : rawVal;
    out.push({ key: m[1]!, value, valueRange: m[2] === undefined ? undefined : { start: valStart, end: valStart + rawVal.length } });
  }
  return out;
}
