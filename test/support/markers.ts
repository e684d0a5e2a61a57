/**
 * Inline fixture expectations, the way Semgrep's rule tests work, in the file's own comment
 * syntax (`#`, `//`, `/*`, `{/*`, `{#`, `<!--`). A marker applies to the next line that is not
 * itself a marker:
 *   expect: RULE[, RULE]      a finding of RULE must start on the next line
 *   ok: RULE                  no finding of RULE there (near misses; documents intent)
 *   todo-expect: RULE         known false negative: no finding there yet
 *   todo-ok: RULE             known false positive: a finding there for now
 * Files that cannot hold comments (package.json) and project-level findings go in the
 * fixture's expect.yaml:  expect: [{ rule, file, line? }]   (no line: a whole-file finding)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'glob';
import { parse } from 'yaml';

export type MarkerKind = 'expect' | 'ok' | 'todo-expect' | 'todo-ok';
/** "file:line" (or "file" for whole-file findings) per marker kind, for one rule. */
export type Expectations = Record<MarkerKind, Set<string>>;

const MARKER = /^\s*(?:#|\/\/|\/\*|\{\/\*|\{#|<!--)\s*(expect|ok|todo-expect|todo-ok):\s*([\w-]+(?:\s*,\s*[\w-]+)*)\s*(?:\*\/\}?|#\}|-->)?\s*$/;
export const FIXTURE_META = ['**/*.fixed', '**/*.fixed.*', 'expect.yaml'];

export function readExpectations(root: string, ruleId: string): Expectations {
  const exp: Expectations = { expect: new Set(), ok: new Set(), 'todo-expect': new Set(), 'todo-ok': new Set() };
  for (const file of globSync('**/*', { cwd: root, dot: true, nodir: true, ignore: FIXTURE_META, posix: true })) {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue;
    }
    if (text.includes('\0')) continue;
    const lines = text.split('\n');
    let pending: MarkerKind[] = [];
    lines.forEach((line, i) => {
      const m = MARKER.exec(line.replace(/\r$/, ''));
      if (!m) {
        for (const kind of pending) exp[kind].add(`${file}:${i + 1}`);
        pending = [];
      } else if (m[2]!.split(',').map((s) => s.trim()).includes(ruleId)) {
        pending.push(m[1] as MarkerKind);
      }
    });
  }
  const manifest = join(root, 'expect.yaml');
  if (existsSync(manifest)) {
    const doc = parse(readFileSync(manifest, 'utf8')) as { expect?: { rule: string; file: string; line?: number }[]; ok?: { rule: string; file: string; line?: number }[] } | null;
    for (const e of doc?.expect ?? []) if (e.rule === ruleId) exp.expect.add(e.line ? `${e.file}:${e.line}` : e.file);
    for (const e of doc?.ok ?? []) if (e.rule === ruleId) exp.ok.add(e.line ? `${e.file}:${e.line}` : e.file);
  }
  return exp;
}

/** Every rule id named by any marker or expect.yaml entry under a folder. */
export function rulesMentioned(root: string): Set<string> {
  const ids = new Set<string>();
  for (const file of globSync('**/*', { cwd: root, dot: true, nodir: true, posix: true })) {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const m = MARKER.exec(line.replace(/\r$/, ''));
      if (m) for (const id of m[2]!.split(',')) ids.add(id.trim());
    }
    if (file.endsWith('expect.yaml')) for (const m of text.matchAll(/rule:\s*([\w-]+)/g)) ids.add(m[1]!);
  }
  return ids;
}

/** app.py -> app.fixed.py, compose.yml -> compose.fixed.yml, Dockerfile -> Dockerfile.fixed, .env.prod -> .env.prod.fixed */
export function fixedSiblingOf(file: string): string {
  const m = /\.(py|[cm]?[jt]sx?|ya?ml|json|toml|txt|cfg|ini)$/.exec(file);
  return m ? `${file.slice(0, m.index)}.fixed${m[0]}` : `${file}.fixed`;
}
