/**
 * `--changed-since REF`: the files and lines that differ between REF and the working tree (plus
 * untracked files), from `git diff -U0`. Findings outside them are hidden; project-level findings
 * (no line) are kept, since they are about the project as a whole.
 */
import { execFileSync } from 'node:child_process';
import { SAFE_GIT } from '../engine/discover.js';
import type { AuditResult, Finding } from '../engine/result.js';

/** Root-relative path -> changed 1-based lines, or 'all' for new and untracked files. */
export type ChangedLines = Map<string, Set<number> | 'all'>;

export class GitError extends Error {}

function git(root: string, args: readonly string[]): string {
  try {
    return execFileSync('git', ['-C', root, ...SAFE_GIT, '-c', 'core.quotePath=false', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: string; message: string; code?: string };
    if (e.code === 'ENOENT') throw new GitError('--changed-since needs git on PATH');
    throw new GitError(`git ${args[0]} failed: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
  }
}

export function changedLines(root: string, ref: string): ChangedLines {
  if (ref.startsWith('-')) throw new GitError(`--changed-since: not a git ref: ${ref}`);
  git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  const out: ChangedLines = new Map();
  const diff = git(root, ['diff', '--no-color', '--no-ext-diff', '--unified=0', '--relative', '--find-renames', ref, '--', '.']);
  let current: string | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      const name = unquote(line.slice(4).replace(/\t$/, ''));
      current = name === '/dev/null' ? undefined : name.replace(/^b\//, '');
      if (current && !out.has(current)) out.set(current, new Set());
      continue;
    }
    if (!current || !line.startsWith('@@')) continue;
    const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (!m) continue;
    const start = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    const lines = out.get(current);
    if (lines === 'all' || !lines) continue;
    // A pure deletion (count 0) touches the lines around it: a removed guard changes them.
    if (count === 0) [start, start + 1].forEach((n) => n > 0 && lines.add(n));
    for (let n = start; n < start + count; n++) lines.add(n);
  }
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard', '-z']);
  for (const p of untracked.split('\0')) if (p) out.set(p, 'all');
  return out;
}

/** Git C-style quoting ("a\"b\303\244") back to the path. */
function unquote(s: string): string {
  if (!s.startsWith('"')) return s;
  const bytes: number[] = [];
  const body = s.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = body[++i]!;
    if (/[0-7]/.test(n)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(({ n: 10, t: 9, r: 13, '"': 34, '\\': 92 } as Record<string, number>)[n] ?? n.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function touches(f: Finding, changed: ChangedLines): boolean {
  if (f.projectLevel) return true;
  const lines = changed.get(f.location.path);
  if (!lines) return false;
  if (lines === 'all') return true;
  for (let n = f.location.startLine; n <= f.location.endLine; n++) if (lines.has(n)) return true;
  return false;
}

export function applyChangedSince(result: AuditResult, ref: string, changed: ChangedLines): AuditResult {
  const kept = result.findings.filter((f) => touches(f, changed));
  return { ...result, findings: kept, changedSince: { ref, files: changed.size, hidden: result.findings.length - kept.length } };
}
