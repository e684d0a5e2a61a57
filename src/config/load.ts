/**
 * Find and load `.prodaudit.yml` (or `.prodaudit.yaml`, `prodaudit.config.yaml`): YAML
 * syntax errors, unknown keys, bad values and unknown rule ids are ConfigErrors that
 * name the file, the key and the line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, DEFAULT_CONFIG, type Config } from './schema.js';

export const CONFIG_FILES = ['.prodaudit.yml', '.prodaudit.yaml', 'prodaudit.config.yaml', 'prodaudit.config.yml'];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function findConfig(root: string): string | undefined {
  for (const f of CONFIG_FILES) if (existsSync(join(root, f))) return join(root, f);
  return undefined;
}

export function loadConfig(root: string, explicit?: string, knownRules?: ReadonlySet<string>): { config: Config; path: string | undefined } {
  const path = explicit ?? findConfig(root);
  if (!path) return { config: DEFAULT_CONFIG, path: undefined };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read config file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return { config: parseConfig(text, path, knownRules), path };
}

export function parseConfig(text: string, path: string, knownRules?: ReadonlySet<string>): Config {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const p = lc.linePos(e.pos[0]);
    throw new ConfigError(`${path}:${p.line}:${p.col}: YAML syntax error: ${e.message.split('\n')[0]}`);
  }
  const raw = dropNulls(doc.toJS({ maxAliasCount: 50 }) ?? {});
  const lineOf = (keys: readonly PropertyKey[]): string => {
    let node: unknown = doc.contents;
    let line = 1;
    for (const k of keys) {
      if (!isMap(node)) break;
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(k));
      if (!pair) break;
      const keyNode = pair.key as Node;
      if (keyNode.range) line = lc.linePos(keyNode.range[0]).line;
      node = pair.value;
    }
    return `${path}:${line}`;
  };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = explainUnion(parsed.error.issues[0]!);
    const keyPath = [...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      throw new ConfigError(`${lineOf([...keyPath, key])}: unknown key "${[...keyPath, key].join('.')}"`);
    }
    throw new ConfigError(`${lineOf(keyPath)}: ${keyPath.join('.') || '(root)'}: ${issue.message}`);
  }
  if (knownRules) {
    const scopes: (readonly string[])[] = [['rules'], ...Object.keys(parsed.data.apps).map((a) => ['apps', a, 'rules'])];
    for (const scope of scopes) {
      const table = scope.length === 1 ? parsed.data.rules : (parsed.data.apps[scope[1]!]?.rules ?? {});
      for (const id of Object.keys(table)) {
        if (!knownRules.has(id)) throw new ConfigError(`${lineOf([...scope, id])}: unknown rule id "${id}" in ${scope.join('.')}${nearest(id, knownRules)} (see \`prodaudit rules\`)`);
      }
    }
  }
  return parsed.data;
}

/** " (did you mean x?)" for a near miss among the known ids. */
function nearest(id: string, known: ReadonlySet<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(id, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best && bestD <= Math.max(2, Math.floor(id.length / 4)) ? ` (did you mean "${best}"?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** A key whose children are all commented out (`rules:` in a fresh `prodaudit init` file) is null: treat it as absent. */
function dropNulls(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v === null) continue;
    out[k] = k === 'apps' && v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([a, s]) => [a, s === null ? {} : dropNulls(s)])) : v;
  }
  return out;
}

type Issue = z.core.$ZodIssue;

/** A union error ("Invalid input") says nothing; report the branch that got furthest instead. */
function explainUnion(issue: Issue): Issue {
  let current = issue;
  while (current.code === 'invalid_union' && current.errors.length) {
    const branches = current.errors.filter((b) => b.length > 0);
    const score = (b: Issue[]) => Math.max(...b.map((i) => i.path.length)) * 2 + (b.some((i) => i.code !== 'invalid_type') ? 1 : 0);
    const best = [...branches].sort((a, b) => score(b) - score(a))[0];
    if (!best) break;
    const inner = best[0]!;
    current = { ...inner, path: [...current.path, ...inner.path] } as Issue;
  }
  return current;
}
