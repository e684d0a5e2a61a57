/** Line positions in manifests (requirements.txt, pyproject.toml, Pipfile, Procfile) for dependency rules. */
import type { TextRange } from '../../src/engine/types.js';

/** [start, end) of a 1-based line, without its line break. */
export function lineBounds(text: string, line: number): TextRange {
  let start = 0;
  for (let i = 1; i < line && start !== -1; i++) start = text.indexOf('\n', start) + 1;
  const nl = text.indexOf('\n', start);
  return { start, end: nl === -1 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl };
}

/** The content of a line: leading whitespace and a trailing ` # comment` left out. */
export function lineRange(text: string, line: number): TextRange {
  const b = lineBounds(text, line);
  const raw = text.slice(b.start, b.end);
  const lead = raw.length - raw.trimStart().length;
  const body = raw.replace(/\s+#.*$/, '').trimEnd();
  return { start: b.start + lead, end: b.start + Math.max(body.length, lead + 1) };
}
