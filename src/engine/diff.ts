/**
 * Unified diffs of computed fixes (`--diff`) and one patch for all of them (`--patch FILE`) that
 * `git apply` accepts: paths `a/…` and `b/…`, new files from /dev/null, CRLF lines and a missing
 * final newline kept as they are (tech-notes §4). Built with the `diff` package from the old and
 * new text, so what the patch does is exactly what `--fix` writes.
 */
import { createTwoFilesPatch } from 'diff';
import type { FileChange } from './fix.js';

/** Unified diff of one file (empty when nothing changed). */
export function fileDiff(path: string, before: string | undefined, after: string, context = 3): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(before === undefined ? '/dev/null' : `a/${path}`, `b/${path}`, before ?? '', after, undefined, undefined, { context });
  // Drop jsdiff's "=====" separator line: git ignores it, people reading the diff do not need it.
  return patch.replace(/^=+\n/, '');
}

export interface Patch {
  readonly text: string;
  /** Changes a text patch cannot carry (UTF-16 files): apply those with --fix. */
  readonly omitted: readonly { readonly path: string; readonly reason: string }[];
}

/** One patch for every change, in path order. */
export function combinedPatch(changes: readonly FileChange[]): Patch {
  const parts: string[] = [];
  const omitted: { path: string; reason: string }[] = [];
  for (const c of [...changes].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (c.encoding === 'utf16le' || c.encoding === 'utf16be') {
      omitted.push({ path: c.path, reason: 'UTF-16 file: a text patch cannot carry it; use --fix' });
      continue;
    }
    const d = fileDiff(c.path, c.before, c.after);
    if (d) parts.push(d);
  }
  return { text: parts.join(''), omitted };
}
