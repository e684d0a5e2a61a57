/**
 * `prodaudit env`: every environment variable an app's production code reads, with each place it
 * is read (file:line), the default a read falls back to, whether it looks secret (by name, or by
 * the default's value), whether a template (.env.example, .env.sample, ...) documents it, and
 * whether it is required (no read gives a default); plus the variables a template documents that
 * no code reads. `--write-example` appends the undocumented ones to the template (never a secret
 * value). The reads come from the same collector env-config-missing uses; rendering is pure.
 */
import { lstatSync } from 'node:fs';
import { join, posix } from 'node:path';
import Table from 'cli-table3';
import { ENV_EXAMPLE_FILES, ENV_EXAMPLE_HEADER, envReads, type EnvFallback } from '../../rules/_shared/env-reads.js';
import { isCredentialName, isSigningKeyName, looksRandom } from '../../rules/_shared/secrets.js';
import type { App, ProjectFacts } from '../engine/facts.js';
import { appendEnvVars, writeFixes, type FileChange } from '../engine/fix.js';
import { inspectProject } from '../engine/inspect.js';
import { mask, scrubSecrets } from '../engine/redact.js';
import { readSource } from '../engine/source.js';
import { mentionedEnvNames, parseEnv } from '../parsers/env.js';
import { code, mdTable } from '../reporters/common.js';
import { TOOL_VERSION } from '../version.js';

export const ENV_SCHEMA_VERSION = 1;

export interface EnvLocation {
  readonly file: string;
  readonly line: number;
  /** What this read falls back to when the variable is unset (secret-looking values masked); null: no default. */
  readonly default: string | null;
  /** The default is a plain literal (not `None`, `null` or an expression). */
  readonly defaultIsLiteral: boolean;
}

export interface EnvVariable {
  readonly name: string;
  /** Sorted by file, then line. */
  readonly locations: readonly EnvLocation[];
  /** The first default among the locations (masked when secret-looking), null when none gives one. */
  readonly default: string | null;
  /** No read gives a default: unset, the app gets None/undefined or fails. */
  readonly required: boolean;
  readonly looksSecret: boolean;
  /** Why it looks secret: its name (SECRET_KEY, API_TOKEN, DB_PASSWORD, ...) or a default's value (random-looking, a token shape, a password in a URL). */
  readonly secretBy: 'name' | 'value' | null;
  readonly documented: boolean;
  /** Templates that mention it (set or commented out). */
  readonly documentedIn: readonly string[];
}

export interface EnvApp {
  readonly root: string;
  readonly name: string;
  readonly ecosystems: readonly string[];
  /** Templates that document this app: in its folder, and at the repository root. */
  readonly examples: readonly string[];
  readonly variables: readonly EnvVariable[];
  /** Lookups whose name is computed at run time (`process.env[key]`): the inventory cannot name them. */
  readonly dynamicReads: readonly { readonly file: string; readonly line: number }[];
}

export interface EnvExample {
  readonly path: string;
  /** Apps it documents. */
  readonly apps: readonly string[];
  /** Variables it documents that none of those apps reads. */
  readonly stale: readonly { readonly name: string; readonly line: number | null }[];
}

export interface EnvReport {
  readonly schemaVersion: number;
  readonly tool: { readonly name: 'prodaudit'; readonly version: string };
  readonly root: string;
  readonly apps: readonly EnvApp[];
  readonly examples: readonly EnvExample[];
}

/** A variable as collected, with its unmasked literal defaults: never rendered, only used to decide what --write-example writes. */
interface RawVariable {
  readonly name: string;
  readonly reads: readonly { readonly file: string; readonly line: number; readonly fallback: EnvFallback | undefined }[];
  readonly secretBy: 'name' | 'value' | null;
}

interface RawApp {
  readonly app: App;
  readonly vars: readonly RawVariable[];
  readonly dynamic: readonly { readonly file: string; readonly line: number }[];
  readonly examples: readonly string[];
  /** Where --write-example writes this app's variables: its first template, else the root's, else `<app>/.env.example`. */
  readonly target: string;
}

/** What the scan found; `envReport` renders it, `exampleUpdates` plans the writes. */
export interface EnvInventory {
  readonly root: string;
  readonly apps: readonly RawApp[];
  /** Template path -> the names it mentions (with their line). */
  readonly templates: ReadonlyMap<string, ReadonlyMap<string, number | null>>;
}

export interface EnvOptions {
  readonly ignore?: readonly string[];
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Scan `root` (discovery and facts of the audit engine, no rules) and collect every app's reads and templates. */
export async function envInventory(root: string, options: EnvOptions = {}): Promise<EnvInventory> {
  const { root: absRoot, value } = await inspectProject(root, { ignore: options.ignore }, (facts) => collect(facts));
  return { root: absRoot, ...value };
}

function collect(facts: ProjectFacts): Omit<EnvInventory, 'root'> {
  const templates = new Map<string, Map<string, number | null>>();
  const templatesIn = (dir: string): string[] => {
    const found: string[] = [];
    for (const f of ENV_EXAMPLE_FILES) {
      const path = dir ? `${dir}/${f}` : f;
      if (!facts.fileSet.has(path)) continue;
      const text = facts.readText(path);
      if (text === undefined) continue;
      found.push(path);
      if (!templates.has(path)) templates.set(path, mentioned(text));
    }
    return found;
  };
  const apps = [...facts.apps].sort((a, b) => byString(a.root, b.root)).map((app): RawApp => {
    const own = templatesIn(app.root);
    const atRoot = app.root ? templatesIn('') : [];
    const byName = new Map<string, { file: string; line: number; fallback: EnvFallback | undefined }[]>();
    const dynamic: { file: string; line: number }[] = [];
    for (const r of envReads(facts, app)) {
      if (!r.name) {
        dynamic.push({ file: r.file, line: r.line });
        continue;
      }
      // One location per line: `process.env.X ? process.env.X : 'd'` is one read with a default.
      const list = byName.get(r.name) ?? [];
      const same = list.findIndex((x) => x.file === r.file && x.line === r.line);
      if (same === -1) list.push({ file: r.file, line: r.line, fallback: r.fallback });
      else if (!list[same]!.fallback && r.fallback) list[same] = { file: r.file, line: r.line, fallback: r.fallback };
      byName.set(r.name, list);
    }
    const vars = [...byName]
      .sort(([a], [b]) => byString(a, b))
      .map(([name, reads]): RawVariable => {
        const sorted = [...reads].sort((a, b) => byString(a.file, b.file) || a.line - b.line);
        return { name, reads: sorted, secretBy: secretBy(name, sorted.map((r) => r.fallback)) };
      });
    return {
      app,
      vars,
      dynamic: dynamic.sort((a, b) => byString(a.file, b.file) || a.line - b.line),
      examples: [...own, ...atRoot],
      target: own[0] ?? atRoot[0] ?? posix.join(app.root, '.env.example'),
    };
  });
  return { apps, templates };
}

/** Names a template mentions, with the line of their assignment (null for a commented-out one). */
function mentioned(text: string): Map<string, number | null> {
  const lines = new Map<string, number | null>();
  for (const e of parseEnv(text).entries) if (!lines.has(e.key)) lines.set(e.key, e.line);
  for (const name of mentionedEnvNames(text)) if (!lines.has(name)) lines.set(name, null);
  return lines;
}

/** Secret by name (credential or signing-key names), else by a literal default's value (random-looking, a token shape, a password in a URL). */
function secretBy(name: string, fallbacks: readonly (EnvFallback | undefined)[]): 'name' | 'value' | null {
  if (isCredentialName(name) || isSigningKeyName(name)) return 'name';
  return fallbacks.some((f) => f?.literal && secretValue(f.value)) ? 'value' : null;
}

function secretValue(v: string): boolean {
  return looksRandom(v) || scrubSecrets(v) !== v;
}

/** A default as it may be shown: a secret-looking one never in full. */
function shown(f: EnvFallback, secret: boolean): string {
  const scrubbed = scrubSecrets(f.value);
  if (scrubbed !== f.value) return scrubbed; // the secret part masked, the rest (scheme, host) readable
  return secret && f.literal ? mask(f.value) : scrubbed;
}

export function envReport(inv: EnvInventory): EnvReport {
  const apps = inv.apps.map((a): EnvApp => ({
    root: a.app.root,
    name: a.app.name,
    ecosystems: [...a.app.ecosystems].sort(),
    examples: a.examples,
    variables: a.vars.map((v): EnvVariable => {
      const secret = v.secretBy !== null;
      const locations = v.reads.map((r) => ({ file: r.file, line: r.line, default: r.fallback ? shown(r.fallback, secret) : null, defaultIsLiteral: !!r.fallback?.literal }));
      const documentedIn = a.examples.filter((p) => inv.templates.get(p)?.has(v.name));
      const first = locations.find((l) => l.default !== null);
      return {
        name: v.name,
        locations,
        default: first?.default ?? null,
        required: !first,
        looksSecret: secret,
        secretBy: v.secretBy,
        documented: documentedIn.length > 0,
        documentedIn,
      };
    }),
    dynamicReads: a.dynamic,
  }));
  const examples = [...inv.templates]
    .sort(([a], [b]) => byString(a, b))
    .map(([path, names]): EnvExample => {
      const covered = inv.apps.filter((a) => a.examples.includes(path));
      const read = new Set(covered.flatMap((a) => a.vars.map((v) => v.name)));
      const stale = [...names].filter(([n]) => !read.has(n)).map(([name, line]) => ({ name, line })).sort((a, b) => byString(a.name, b.name));
      return { path, apps: covered.map((a) => a.app.name), stale };
    });
  return { schemaVersion: ENV_SCHEMA_VERSION, tool: { name: 'prodaudit', version: TOOL_VERSION }, root: inv.root, apps, examples };
}

// ---------------------------------------------------------------- --write-example

export interface ExampleUpdate {
  readonly path: string;
  readonly created: boolean;
  /** What is appended, in order: never a secret value. */
  readonly added: readonly { readonly name: string; readonly value: string; readonly comment: string; readonly secret: boolean }[];
  readonly change: FileChange | undefined;
  /** Why the file cannot be written (unreadable, binary), if so. */
  readonly problem?: string;
}

/** A default fit to write into a template: a non-secret literal on one line, quoted when it needs to be. */
function writableValue(name: string, v: RawVariable): string {
  if (v.secretBy) return '';
  const f = v.reads.find((r) => r.fallback)?.fallback;
  if (!f?.literal || /[\r\n]/.test(f.value)) return '';
  const value = /^[A-Za-z0-9_./:@,+*%=-]*$/.test(f.value) ? f.value : /["\\$`]/.test(f.value) ? undefined : `"${f.value}"`;
  if (value === undefined) return '';
  // Defence in depth: anything the redactor would mask is a secret after all.
  return scrubSecrets(`${name}=${value}`) === `${name}=${value}` ? value : '';
}

/**
 * The appends --write-example makes, one per template: each app's undocumented variables go to its
 * target (sorted by name), with a comment naming the first place each is read. Existing lines are
 * never touched; a variable the file already mentions (even commented out) is never added twice.
 */
export function exampleUpdates(inv: EnvInventory): ExampleUpdate[] {
  const byTarget = new Map<string, Map<string, { value: string; comment: string; secret: boolean }>>();
  for (const a of inv.apps) {
    const entries = byTarget.get(a.target) ?? new Map<string, { value: string; comment: string; secret: boolean }>();
    byTarget.set(a.target, entries);
    for (const v of a.vars) {
      if (entries.has(v.name)) continue;
      const first = v.reads[0]!;
      const required = !v.reads.some((r) => r.fallback);
      const note = v.secretBy ? '; secret: never put the real value here' : required ? '; required' : '';
      entries.set(v.name, { value: writableValue(v.name, v), comment: `read at ${first.file}:${first.line}${note}`, secret: v.secretBy !== null });
    }
  }
  const out: ExampleUpdate[] = [];
  for (const [path, entries] of [...byTarget].sort(([a], [b]) => byString(a, b))) {
    if (!entries.size) continue;
    const abs = join(inv.root, path);
    let exists = true;
    try {
      lstatSync(abs);
    } catch {
      exists = false;
    }
    const src = exists ? readSource(inv.root, path, true) : undefined;
    if (src && (src.text === undefined || src.encoding === undefined)) {
      out.push({ path, created: false, added: [], change: undefined, problem: src.diagnostics[0]?.message ?? 'cannot read the file' });
      continue;
    }
    const before = src?.text;
    const vars = [...entries].map(([name, e]) => ({ name, description: e.comment, value: e.value }));
    const after = appendEnvVars(before ?? `${ENV_EXAMPLE_HEADER}\n`, vars);
    const known = mentionedEnvNames(before ?? '');
    const added = [...entries].filter(([name]) => !known.has(name)).map(([name, e]) => ({ name, ...e }));
    const change: FileChange | undefined = added.length ? { path, before, after, encoding: src?.encoding ?? 'utf8', hash: src?.hash } : undefined;
    out.push({ path, created: before === undefined, added, change });
  }
  return out;
}

/** Write the planned appends (atomically, refusing links and files changed since they were read); returns the summary to print and whether everything was written. */
export function writeExamples(root: string, updates: readonly ExampleUpdate[]): { text: string; ok: boolean } {
  const lines: string[] = [];
  let ok = true;
  for (const u of updates) {
    if (u.problem) {
      lines.push(`${u.path}: not written: ${u.problem}`);
      ok = false;
      continue;
    }
    if (!u.change) {
      lines.push(`${u.path}: already documents every variable the code reads; nothing written`);
      continue;
    }
    const w = writeFixes(root, [u.change]);
    if (w.refused.length) {
      lines.push(`${u.path}: not written: ${w.refused[0]!.reason}`);
      ok = false;
      continue;
    }
    lines.push(`${u.path}: ${u.created ? 'created with' : 'appended'} ${u.added.length} variable${u.added.length === 1 ? '' : 's'}:`);
    const w1 = Math.max(...u.added.map((a) => `${a.name}=${a.value}`.length));
    for (const a of u.added) lines.push(`  + ${`${a.name}=${a.value}`.padEnd(w1)}  # ${a.comment}`);
  }
  if (!updates.length) lines.push('no app reads an environment variable; nothing written');
  return { text: `${lines.join('\n')}\n`, ok };
}

// ---------------------------------------------------------------- rendering

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const HEAD = ['Variable', 'Read at', 'Default', 'Secret', 'Documented', 'Required'];
const MAX_LOCATIONS = 3;

function shownDefault(d: string | null, literal: boolean): string {
  if (d === null) return '-';
  if (!literal) return `(${d})`;
  return d === '' ? '""' : d;
}

function cells(v: EnvVariable, sep: string): string[] {
  const locs = v.locations.slice(0, MAX_LOCATIONS).map((l) => `${l.file}:${l.line}`);
  if (v.locations.length > MAX_LOCATIONS) locs.push(`+${v.locations.length - MAX_LOCATIONS} more`);
  const first = v.locations.find((l) => l.default !== null);
  return [
    v.name,
    locs.join(sep),
    shownDefault(v.default, !!first?.defaultIsLiteral),
    v.looksSecret ? `yes (${v.secretBy})` : 'no',
    v.documented ? v.documentedIn.join(sep) : 'no',
    yesNo(v.required),
  ];
}

function appTitle(a: EnvApp): string {
  return a.name === '.' ? '(root)' : a.name;
}

function summary(r: EnvReport): string {
  const vars = r.apps.flatMap((a) => a.variables);
  const undocumented = vars.filter((v) => !v.documented).length;
  const stale = r.examples.reduce((n, e) => n + e.stale.length, 0);
  const parts = [`${vars.length} variable${vars.length === 1 ? '' : 's'}`, `${undocumented} undocumented`, `${vars.filter((v) => v.looksSecret).length} secret-looking`, `${vars.filter((v) => v.required).length} required`, `${stale} documented but never read`];
  return `${parts.join(', ')}.${undocumented ? ' `prodaudit env --write-example` adds the undocumented ones to the template.' : ''}`;
}

export function renderEnvText(r: EnvReport): string {
  const out: string[] = [`prodaudit ${r.tool.version} env  ${r.root}`, ''];
  for (const a of r.apps) {
    out.push(`App ${appTitle(a)}  [${a.ecosystems.join(', ') || 'no manifest'}]  documented by: ${a.examples.join(', ') || 'no template (.env.example)'}`);
    if (a.variables.length) {
      const table = new Table({ head: HEAD, style: { head: [], border: [], compact: true } });
      for (const v of a.variables) table.push(cells(v, '\n'));
      out.push(table.toString());
    } else out.push('No environment variables read.');
    if (a.dynamicReads.length) out.push(`Names computed at run time (not listed): ${a.dynamicReads.map((d) => `${d.file}:${d.line}`).join(', ')}`);
    out.push('');
  }
  for (const e of r.examples) {
    if (e.stale.length) out.push(`Documented in ${e.path} but never read: ${e.stale.map((s) => (s.line ? `${s.name} (line ${s.line})` : `${s.name} (commented out)`)).join(', ')}`);
  }
  out.push(summary(r));
  return `${out.join('\n')}\n`;
}

export function renderEnvMarkdown(r: EnvReport): string {
  const out: string[] = ['# Environment variables', '', `_${summary(r)}_`, ''];
  for (const a of r.apps) {
    out.push(`## ${a.name === '.' ? 'Repository root' : a.name}`, '', `Documented by: ${a.examples.map((p) => code(p)).join(', ') || '**no template** (`.env.example`)'}`, '');
    out.push(a.variables.length ? mdTable(HEAD, a.variables.map((v) => cells(v, '<br>').map((c, i) => (i === 0 ? code(c) : c)))) : 'No environment variables read.', '');
    if (a.dynamicReads.length) out.push(`Names computed at run time (not listed): ${a.dynamicReads.map((d) => code(`${d.file}:${d.line}`)).join(', ')}`, '');
  }
  const stale = r.examples.filter((e) => e.stale.length);
  if (stale.length) {
    out.push('## Documented but never read', '');
    for (const e of stale) for (const s of e.stale) out.push(`- ${code(s.name)} in ${code(s.line ? `${e.path}:${s.line}` : e.path)}${s.line ? '' : ' (commented out)'}`);
    out.push('');
  }
  return `${out.join('\n')}`;
}

export function renderEnvJson(r: EnvReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export const ENV_FORMATS = { text: renderEnvText, json: renderEnvJson, markdown: renderEnvMarkdown } as const;
export type EnvFormat = keyof typeof ENV_FORMATS;
