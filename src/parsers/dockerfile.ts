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
      // Comment lines inside a continuation are dropped; the instruction goes on after them.
      let next: string;
      let nextStart: number;
      do {
        i++;
        next = lines[i]!.replace(/\r$/, '');
        nextStart = offset;
        offset += lines[i]!.length + 1;
      } while (/^\s*#/.test(next) && i + 1 < lines.length);
      if (/^\s*#/.test(next)) break;
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

/** A FROM instruction read: `FROM [--platform=...] image [AS name]`, with build arguments expanded. */
export interface DockerFrom {
  readonly instruction: DockerInstruction;
  /** The image reference as written (`python:3.12-slim`, `${BASE}`). */
  readonly image: string;
  /** Range of the image reference in the file. */
  readonly imageRange: TextRange;
  /** The reference with the ARGs declared before the first FROM expanded; a variable without a value stays as written. */
  readonly ref: string;
  /** Variables in the reference that have no value: `ARG NAME` without a default, empty, or never declared. */
  readonly unresolved: readonly string[];
  /** The stage name after AS, lower-cased (stage names are case-insensitive). */
  readonly alias: string | undefined;
  /** Index (in FROM order) of the earlier stage the reference names (`FROM build`), if it names one. */
  readonly parentStage: number | undefined;
}

/** Arguments BuildKit defines in the global scope itself: they always have a value. */
const PLATFORM_ARGS = new Set(['BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT', 'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT']);
const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}` against known values. */
function expandArgs(value: string, args: ReadonlyMap<string, string>, unresolved: Set<string>): string {
  return value.replace(VARIABLE, (m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const v = args.get(name);
    if (op === ':-') return v ? v : expandArgs(word ?? '', args, unresolved);
    if (op === '-') return v !== undefined ? v : expandArgs(word ?? '', args, unresolved);
    if (op === ':+') return v ? expandArgs(word ?? '', args, unresolved) : '';
    if (op === '+') return v !== undefined ? expandArgs(word ?? '', args, unresolved) : '';
    if (v) return v;
    if (!PLATFORM_ARGS.has(name)) unresolved.add(name);
    return m;
  });
}

/**
 * Every FROM of a Dockerfile, in order. Only ARGs declared before the first FROM are visible to a
 * FROM (Docker's global scope); their defaults may use earlier ones. A reference that equals the
 * name of an earlier stage is that stage, not an image.
 */
export function dockerFroms(text: string, instructions: readonly DockerInstruction[]): DockerFrom[] {
  const args = new Map<string, string>();
  const stageNames = new Map<string, number>();
  const out: DockerFrom[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && out.length === 0) {
      for (const p of envPairs(ins, text)) if (p.valueRange) args.set(p.key, expandArgs(p.value, args, new Set()));
      continue;
    }
    if (ins.keyword !== 'FROM') continue;
    const tokens = ins.args.split(/\s+/).filter((t) => t && !t.startsWith('--'));
    const image = tokens[0] ?? '';
    const asIdx = tokens.findIndex((t) => t.toLowerCase() === 'as');
    const alias = asIdx > 0 ? tokens[asIdx + 1]?.toLowerCase() : undefined;
    const unresolved = new Set<string>();
    const ref = expandArgs(image, args, unresolved);
    const parentStage = stageNames.get(ref.toLowerCase());
    if (alias !== undefined) stageNames.set(alias, out.length);
    out.push({ instruction: ins, image, imageRange: tokenRange(text, ins, image), ref, unresolved: [...unresolved], alias, parentStage });
  }
  return out;
}

/** Where the image token stands in the file: the first token after the flags, past continuation escapes and comment lines. */
function tokenRange(text: string, ins: DockerInstruction, image: string): TextRange {
  const src = text.slice(ins.argsRange.start, ins.argsRange.end);
  let lineStart = 0;
  for (const line of src.split('\n')) {
    if (lineStart === 0 || !/^\s*#/.test(line)) {
      for (const m of line.matchAll(/\S+/g)) {
        if (m[0].startsWith('--') || m[0] === '\\' || m[0] === '`') continue;
        const start = ins.argsRange.start + lineStart + m.index;
        return { start, end: start + Math.min(image.length, m[0].length) };
      }
    }
    lineStart += line.length + 1;
  }
  return ins.argsRange;
}
