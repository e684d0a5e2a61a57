/**
 * The per-file pass: read one file, run the cheap triggers, parse it once, run every
 * triggered rule on the parse, turn each report into a resolved draft (location, snippet,
 * message, secrets already redacted), and forget the file. The main thread and the worker
 * threads run exactly this code, and its result (FileOutcome) is plain data: it can cross
 * threads and be stored in the content-hash cache.
 *
 * Determinism: rules see project facts as they stand before the pass (manifest frameworks)
 * plus the frameworks the audited file itself imports, never frameworks other files
 * happen to have contributed earlier, so results do not depend on file order or threads.
 * Frameworks found from imports are merged into the apps after the pass.
 */
import type { Config } from '../config/schema.js';
import { parseDockerfile } from '../parsers/dockerfile.js';
import { parseEnv } from '../parsers/env.js';
import { initPython, parsePython, type PyModule } from '../parsers/python.js';
import { parseScript, type ScriptModule } from '../parsers/script.js';
import { parseJson, parseYaml } from '../parsers/yaml.js';
import type { Diagnostic, DiscoveredFile } from './discover.js';
import { ownFileHash } from './cache.js';
import { buildFacts, frameworkOfImport, PER_APP, type App, type PerAppMemo, type ProjectFacts } from './facts.js';
import { asStored, digestValue, memoByName, memoKey, parseMemoKey, type MemoDef } from './memo.js';
import { LineIndex } from './lines.js';
import { redact, scrubSecrets } from './redact.js';
import type { Finding } from './result.js';
import type { AnyRule } from './rule.js';
import type { SourceInfo } from './encoding.js';
import { SourceReader, type Source } from './source.js';
import { parseSuppressions, type Suppression } from './suppress.js';
import { FILE_KINDS, type Confidence, type FileKind, type Fix, type Framework, type ReportDescriptor, type Severity, type TextRange, type TriggerApp } from './types.js';

/** A report with its location resolved and secrets redacted; severity and fingerprint are stamped at the end. */
export interface ResolvedDraft {
  readonly ruleId: string;
  readonly messageId: string;
  readonly message: string;
  readonly snippet: string;
  readonly location: Finding['location'];
  readonly projectLevel: boolean;
  readonly severity?: Severity;
  readonly confidence?: Confidence;
  readonly fix?: NonNullable<Finding['fix']>;
}

/** What a file audited at one content hash (or a memo result) depends on besides its own bytes. */
export interface Dependencies {
  /** The rule looked at the list of files (project.files / fileSet). */
  fileList: boolean;
  /** Other files it read, with their content hashes. */
  files: Record<string, string>;
  /**
   * Memo results it used (memoKey -> digest of the value it saw), instead of everything those
   * computations read: a file stays cached while the values are the same (early cutoff).
   */
  memos: Record<string, string>;
}

/** A memo result as the cache keeps it: what the computation read, a digest of its value, and for 'file' memos the value. */
export interface MemoEntry {
  readonly deps: Dependencies;
  readonly digest: string;
  readonly value?: unknown;
}

export function noDependencies(): Dependencies {
  return { fileList: false, files: {}, memos: {} };
}

export interface FileOutcome {
  readonly path: string;
  readonly hash: string;
  /** Characters read (0 when the file was not read because no rule of its kind exists). */
  readonly bytes: number;
  readonly parsed: boolean;
  /** Frameworks the file imports (merged into its app after the pass). */
  readonly frameworks: readonly Framework[];
  readonly drafts: readonly ResolvedDraft[];
  readonly diagnostics: readonly Diagnostic[];
  /** Inline suppression directives, for files a rule looked at that contain one. */
  readonly suppressions?: readonly Suppression[];
  /** Rules that threw on this file: first line of the error. */
  readonly errors: readonly { readonly ruleId: string; readonly message: string }[];
  readonly deps: Dependencies;
}

export interface PassEnv {
  readonly root: string;
  readonly config: Config;
  readonly rules: readonly AnyRule[];
  rulesByKind: ReadonlyMap<FileKind, readonly AnyRule[]>;
  readonly facts: ProjectFacts;
  readonly reader: SourceReader;
  /** Parses per path in this thread (the bench checks none exceeds 1). */
  readonly parses: Map<string, number>;
  /** Modules this thread parsed (in the pass or for `project.python()` / `project.script()`), kept within a memory budget. */
  readonly parsed: ParsedModules;
  readonly diagnostics: Diagnostic[];
  readonly options: Map<string, unknown>;
  /**
   * Memo results (`perApp`, rules/_shared/project.ts) shared by every file this thread audits, by
   * memoKey: the value, what the computation read, and the digest of the value that files using it
   * record (src/engine/memo.ts).
   */
  readonly memo: Map<string, { readonly value: unknown } & MemoEntry>;
  /** Memo results computed in this thread and not yet handed to the cache (drained by the pool and the audit). */
  readonly memoLog: [string, MemoEntry][];
  /**
   * Shared pieces of 'file' memo entries (one thread computes about 13 per file: 128,000 on the
   * monorepo's main thread, where a record of their own per entry took 47 MB after the project
   * checks): per path, the dependency record of a part that read its own file and nothing else
   * (records are only read once computed), and each distinct digest once.
   */
  readonly ownDeps: Map<string, Dependencies>;
  readonly digests: Map<string, string>;
  /** Time spent computing memos in this thread, by memo name (outermost computations only), for the stats. */
  readonly memoMs: Map<string, number>;
  /** Dependency records of memoised computations running now (innermost last). */
  readonly captures: Dependencies[];
  /** Parsed modules handed to rules -> "path\0hash": how a memo value holding parse trees is digested. */
  readonly refs: WeakMap<object, string>;
  /** Content hashes are computed (a cache is in use): only then are memo values digested. */
  readonly hashing: boolean;
  /** Main thread with a cache: the previous run's result of a 'file' memo, when what it read is unchanged. */
  storedMemo?: (key: string) => MemoEntry | undefined;
  /**
   * Main thread, when rules have project checks: texts the pass keeps (within a budget) so
   * project checks that look at files again do not read them twice (their parses are in `parsed`).
   */
  retention?: Retention;
}

export interface Retention {
  /** Characters of the texts kept. */
  chars: number;
  /** At most this many (cacheBudgets().retainChars). */
  limit: number;
}

const RETAIN_FILE_MAX = 512 * 1024;

const MB = 1024 * 1024;
/**
 * What a run may use, and what it costs before any cache (issue 4: the 20,000-file monorepo under
 * 400 MB peak RSS). Measured on that monorepo with `/proc/PID/smaps` and per-thread heap statistics
 * (docs/performance.md, 2026-12-07 "peak RSS"): the node binary and malloc about 40 MB; each thread
 * with both parsers loaded about 120 MB (V8 heap ~55 MB, typescript.js and ts-morph sources ~20 MB,
 * code, tree-sitter's wasm memory; 130 MB counts the main thread's larger young generation); and
 * a heap's old space grew to 2-2.7x what was live in it.
 */
export const PROCESS_TARGET_BYTES = 400 * MB;
/** Budgets aim this far below the target: the monorepo's peak varied by 385-419 MB between runs of one build. */
export const TARGET_HEADROOM = 0.9;
/**
 * One thread keeps the current app's modules up to this (the budget before cacheBudgets): the
 * pool runs one thread when one app holds most of the work (autoThreads), and that is where an
 * app's modules are asked for again: on the Python corpus (one app, 1,527 files) 77 MB of modules
 * made 1,909 parses of 1,111 and cost 50% more CPU.
 */
export const ONE_THREAD_MODULE_BYTES = 512 * MB;
export const PROCESS_BASE_BYTES = 40 * MB;
export const THREAD_BASE_BYTES = 130 * MB;
export const HEAP_SLACK = 3;
/** A thread's caches never get less than this, however many threads run (more threads than the target allows still work, above it). */
export const MIN_CACHE_BYTES = 8 * MB;

export interface CacheBudgets {
  /** Estimated heap bytes of parsed modules (`moduleBytes`) a thread keeps. */
  readonly modules: number;
  /** Of which other apps' modules than the one being worked on may use this much. */
  readonly otherApps: number;
  /** Characters of texts the main thread keeps from the pass for project checks. */
  readonly retainChars: number;
  /** Characters of on-demand reads a thread's reader remembers (SourceReader.readShared). */
  readonly recentChars: number;
}

/**
 * Cache budgets for one thread of a run with `threads` threads: what the memory target (less
 * headroom) leaves after the fixed costs, divided by the threads and by the heap's slack (a cached
 * byte costs up to ~3 bytes of RSS). One thread: 63 MB, whose other-apps share (42 MB) and
 * retained texts (21 M characters) serve the project checks, and ONE_THREAD_MODULE_BYTES of
 * modules. Two threads get 10 MB each (7 MB other apps' on the main thread, 2.5 MB in the worker,
 * 3.3 M characters retained): on the monorepo 2% more parses than with 512 MB of modules and 32 M
 * characters retained, and the same JSON.
 */
export function cacheBudgets(threads: number, main: boolean): CacheBudgets {
  const n = Math.max(1, threads);
  const share = Math.max(MIN_CACHE_BYTES, (PROCESS_TARGET_BYTES * TARGET_HEADROOM - PROCESS_BASE_BYTES - n * THREAD_BASE_BYTES) / (n * HEAP_SLACK));
  return {
    modules: n === 1 ? Math.max(share, ONE_THREAD_MODULE_BYTES) : Math.round(share),
    otherApps: Math.round(main ? (share * 2) / 3 : share / 4),
    retainChars: main ? Math.round(share / 3) : 0,
    recentChars: Math.round(share / 12),
  };
}

/** Size this thread's caches for a run with `threads` threads (the main thread learns the count after facts, so budgets can shrink). */
export function setThreads(env: PassEnv, threads: number, main: boolean): void {
  const b = cacheBudgets(threads, main);
  env.parsed.resize(b.modules, b.otherApps);
  env.reader.limitRecent(b.recentChars);
  if (env.retention) env.retention.limit = b.retainChars;
}

export interface PassInput {
  readonly root: string;
  readonly config: Config;
  readonly rules: readonly AnyRule[];
  readonly files: readonly DiscoveredFile[];
  readonly hashing: boolean;
  /** Texts already read by another thread (manifests read while building facts). */
  readonly seeded?: readonly [string, Source][];
  /** Fixes (main thread only): texts instead of the disk's, and a record of what was read from disk. */
  readonly overlay?: ReadonlyMap<string, string>;
  readonly sources?: Map<string, SourceInfo>;
  /** Load the Python grammar now (workers); the main thread loads it only when it has Python to parse. */
  readonly loadPython?: boolean;
  /** Threads of the run, for this thread's cache budgets (default 1; the main thread calls setThreads once it knows). */
  readonly threads?: number;
}

/** Import-shaped pre-filters for framework sniffing (the parse decides; these only skip files that cannot import one). */
const FRAMEWORK_HINT: Partial<Record<FileKind, RegExp>> = {
  python: /^[ \t]*(?:from[ \t]+(?:flask|django|fastapi)\b|import[ \t][^\n]*\b(?:flask|django|fastapi)\b)/m,
  script: /(?:\bfrom|\brequire\s*\(|\bimport\s*\(?)\s*['"`](?:express|@nestjs\/|next|fastify|koa)['"`/]/,
};
/**
 * Estimated heap bytes of a parsed module, so caches of modules are bounded by memory. Measured
 * with gc() and heapUsed over 300-400 files: a Python facade costs 95-150 bytes per syntax node
 * (16-56 per source character), a TypeScript source file 180-220 bytes per node before `calls()`
 * (27-46 per character); per node varies much less than per character. The constants round up.
 */
export function moduleBytes(module: PyModule | ScriptModule | undefined, chars: number): number {
  if (!module) return 64;
  // A TypeScript node and its share of the tree, plus 12 bytes of the module's FlatTree (src/parsers/script.ts).
  if ('sf' in module) return 268 * ((module.sf as unknown as { nodeCount?: number }).nodeCount ?? chars / 4);
  return 160 * module.nodes;
}

/**
 * Parsed modules a thread keeps for other looks at the same file: the pass's own parses (a later
 * file's rule or a project check asks for that module again) and on-demand parses (config
 * classes, helper modules, the project checks' scans). Bounded by estimated heap bytes, with the
 * app being worked on favoured: per-app memos and project checks scan one app's modules, and
 * threads take an app's files together, so another app's modules are rarely asked for again.
 * The budgets come from `cacheBudgets`.
 *
 * History: a count of entries (256, once 64) made six project checks on the Python corpus parse
 * a file up to 6 times; a budget of source characters (48 M, plus 32 M retained for project
 * checks on the main thread) let one thread hold over a gigabyte of modules on the monorepo
 * (peak RSS 2.3 GB; 0.35 GB without them, for 5 more parses of 20,000 files). Then 512 MB
 * estimated per thread (16 MB of other apps', 64 MB on the main thread): 0.77-0.90 GB on two
 * threads; 24 MB per thread parses 2% more and peaks under 400 MB.
 */
interface Kept {
  readonly module: PyModule | ScriptModule | undefined;
  readonly bytes: number;
  readonly app: string;
}

/**
 * An LRU map of parsed modules. Eviction takes the least recently used app's least recently used
 * modules first, and the app of the module being added last: apps other than the current one are
 * held to `otherApps` bytes, everything to `budget`. The module just added is never evicted.
 */
export class ParsedModules {
  private readonly entries = new Map<string, Kept>();
  /** Per app, its paths in recency order (least recent first); the map itself in app recency order. */
  private readonly apps = new Map<string, { bytes: number; paths: Set<string> }>();
  private bytes = 0;

  constructor(
    private budget = cacheBudgets(1, false).modules,
    private otherApps = cacheBudgets(1, false).otherApps,
  ) {}

  /** Change the budgets, evicting (least recently used app first) down to them at once. */
  resize(budget: number, otherApps: number): void {
    this.budget = budget;
    this.otherApps = otherApps;
    this.shrink(undefined);
  }

  /** Estimated bytes held (for tests and stats). */
  get size(): number {
    return this.bytes;
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  get(path: string): PyModule | ScriptModule | undefined {
    const e = this.entries.get(path);
    if (!e) return undefined;
    this.touch(path, e);
    return e.module;
  }

  set(path: string, module: PyModule | ScriptModule | undefined, bytes: number, app: string): void {
    const old = this.entries.get(path);
    if (old) this.evict(path, old);
    const e: Kept = { module, bytes, app };
    this.entries.set(path, e);
    this.bytes += bytes;
    this.touch(path, e);
    this.shrink(path);
  }

  /** Evict other apps' modules, then the most recently used app's own (never `keep`), until the budgets hold. */
  private shrink(keep: string | undefined): void {
    const mru = [...this.apps.keys()].at(-1);
    const current = mru === undefined ? undefined : this.apps.get(mru)!;
    const fits = () => this.bytes <= this.budget && this.bytes - (current?.bytes ?? 0) <= this.otherApps;
    for (const [root, a] of this.apps) {
      if (fits()) break;
      if (root === mru) continue;
      for (const p of a.paths) {
        this.evict(p, this.entries.get(p)!);
        if (fits()) break;
      }
    }
    for (const p of current?.paths ?? []) {
      if (this.bytes <= this.budget) break;
      if (p !== keep) this.evict(p, this.entries.get(p)!);
    }
  }

  private touch(path: string, e: Kept): void {
    let a = this.apps.get(e.app);
    if (a) this.apps.delete(e.app);
    else a = { bytes: 0, paths: new Set() };
    this.apps.set(e.app, a); // most recently used app last
    if (a.paths.delete(path)) a.bytes -= e.bytes;
    a.paths.add(path);
    a.bytes += e.bytes;
  }

  private evict(path: string, e: Kept): void {
    this.entries.delete(path);
    this.bytes -= e.bytes;
    const a = this.apps.get(e.app)!;
    a.paths.delete(path);
    a.bytes -= e.bytes;
    if (a.paths.size === 0) this.apps.delete(e.app);
  }
}

/** Set up one thread's pass: a reader, the facts (manifests read once), the rules by kind. */
export async function createPassEnv(input: PassInput): Promise<PassEnv> {
  if (input.loadPython !== false && input.files.some((f) => f.kind === 'python')) await initPython();
  const kinds = new Map(input.files.map((f) => [f.path, f.kind]));
  const reader = new SourceReader(input.root, (p) => kinds.get(p) !== undefined, input.hashing, input.overlay, input.sources);
  reader.limitRecent(cacheBudgets(input.threads ?? 1, false).recentChars);
  for (const [path, s] of input.seeded ?? []) reader.seed(path, s);
  const diagnostics: Diagnostic[] = [];
  const parses = new Map<string, number>();
  const budgets = cacheBudgets(input.threads ?? 1, false);
  const parsed = new ParsedModules(budgets.modules, budgets.otherApps);
  const parseOnDemand = <T extends PyModule | ScriptModule>(path: string, kind: FileKind, parse: (text: string) => T): T | undefined => {
    if (parsed.has(path)) return parsed.get(path) as T | undefined;
    const s = reader.readShared(path);
    if (s.text === undefined || kinds.get(path) !== kind) return undefined;
    parses.set(path, (parses.get(path) ?? 0) + 1);
    const m = safeParse(() => parse(s.text!), path, diagnostics);
    parsed.set(path, m, moduleBytes(m, s.text.length), facts.appOf(path).root);
    return m;
  };
  const facts = buildFacts({
    root: input.root,
    files: input.files,
    diagnostics,
    readText: (p) => {
      // Facts read manifests: keep them for the pass. Everything else read through facts is on demand.
      const s = reader.readShared(p);
      return s.text;
    },
    python: (p) => parseOnDemand(p, 'python', parsePython),
    script: (p) => parseOnDemand(p, 'script', (t) => parseScript(p, t)),
  });
  const enabled = input.rules;
  const options = new Map<string, unknown>();
  for (const r of enabled) options.set(r.meta.id, optionsOf(r, input.config));
  const env: PassEnv = {
    root: input.root,
    config: input.config,
    rules: enabled,
    rulesByKind: new Map(FILE_KINDS.map((k) => [k, enabled.filter((r) => r.check[k])])),
    facts,
    reader,
    parses,
    parsed,
    diagnostics,
    options,
    memo: new Map(),
    memoLog: [],
    ownDeps: new Map(),
    digests: new Map(),
    memoMs: new Map(),
    captures: [],
    refs: new WeakMap(),
    hashing: input.hashing,
  };
  return env;
}

/** A parse of this file a rule already asked for (project.python(p) from another file's check) in this thread. */
function reuse<T>(env: PassEnv, path: string): T | undefined {
  return env.parsed.get(path) as T | undefined;
}

/** Keep what the pass read and parsed for project checks (main thread), within the budgets. */
export function enableRetention(env: PassEnv): void {
  env.retention = { chars: 0, limit: 0 };
  setThreads(env, 1, true);
}

function retain(env: PassEnv, path: string, src: Source, module: PyModule | ScriptModule | undefined): void {
  const size = src.text?.length ?? 0;
  if (module) env.parsed.set(path, module, moduleBytes(module, size), env.facts.appOf(path).root);
  const r = env.retention;
  if (!r || size > RETAIN_FILE_MAX || r.chars + size > r.limit) return;
  r.chars += size;
  env.reader.keep(path, src);
}

/** Narrow the rules the pass runs (rules the deployment context makes moot everywhere are dropped). */
export function setRules(env: PassEnv, rules: readonly AnyRule[]): void {
  env.rulesByKind = new Map(FILE_KINDS.map((k) => [k, rules.filter((r) => r.check[k])]));
}

/** Manifests and other files facts read, to hand to worker threads. */
export async function loadParsersFor(files: readonly DiscoveredFile[]): Promise<void> {
  if (files.some((f) => f.kind === 'python')) await initPython();
}

export function pinManifests(env: PassEnv): void {
  for (const m of env.facts.apps.flatMap((a) => a.manifests)) env.reader.pin(m);
}

/** True when a file needs no work at all (no rule of its kind and no framework to sniff): it is not even read. */
export function skipsFile(env: PassEnv, file: DiscoveredFile): boolean {
  const kind = file.kind;
  if (kind === undefined) return true;
  const candidates = env.rulesByKind.get(kind) ?? [];
  return candidates.length === 0 && !sniffsFramework(env, file.path, kind);
}

function sniffsFramework(env: PassEnv, path: string, kind: FileKind): boolean {
  return (kind === 'python' || kind === 'script') && env.facts.appOf(path).frameworks.size === 0;
}

/** Audit one file (the Python grammar is loaded by createPassEnv when the repository has Python). */
export function auditFile(env: PassEnv, file: DiscoveredFile, preread?: Source): FileOutcome {
  const kind = file.kind!;
  const path = file.path;
  const src = preread ?? env.reader.read(path);
  const deps = noDependencies();
  const outcome = (o: Partial<FileOutcome>): FileOutcome => ({
    path,
    hash: src.hash,
    bytes: 0,
    parsed: false,
    frameworks: [],
    drafts: [],
    diagnostics: src.diagnostics,
    errors: [],
    deps,
    ...o,
  });
  const text = src.text;
  if (text === undefined) return outcome({});
  const candidates = env.rulesByKind.get(kind) ?? [];
  const app = env.facts.appOf(path);
  const triggered = candidates.filter((r) => matchesTriggers(r, text, env.options.get(r.meta.id), kind, app));
  const wantFramework = sniffsFramework(env, path, kind) && FRAMEWORK_HINT[kind]!.test(text);
  if (triggered.length === 0 && !wantFramework) {
    retain(env, path, src, undefined);
    return outcome({ bytes: text.length });
  }

  const diagnostics: Diagnostic[] = [...src.diagnostics];
  const count = () => env.parses.set(path, (env.parses.get(path) ?? 0) + 1);
  /** Report a parser's first error as a diagnostic; true when there was one. */
  const noteFirst = (errs: readonly { line: number; column: number; message: string }[], message: (m: string) => string): boolean => {
    const e = errs[0];
    if (e) diagnostics.push({ path, line: e.line, column: e.column, message: message(e.message), level: 'partial' });
    return e !== undefined;
  };
  let extra: Record<string, unknown> | undefined;
  let parsed = false;
  let modules: ReadonlySet<string> = new Set();
  let self: { py?: PyModule; js?: ScriptModule } = {};
  switch (kind) {
    case 'python': {
      const py = reuse<PyModule>(env, path) ?? safeParse(() => (count(), parsePython(text)), path, diagnostics);
      if (!py) return outcome({ bytes: text.length, diagnostics });
      noteFirst(py.syntaxErrors, (m) => `Python syntax error (${m}); syntax rules skipped this file`);
      parsed = true;
      modules = py.modules;
      self = { py };
      extra = { py };
      break;
    }
    case 'script': {
      const js = reuse<ScriptModule>(env, path) ?? safeParse(() => (count(), parseScript(path, text)), path, diagnostics);
      if (!js) return outcome({ bytes: text.length, diagnostics });
      noteFirst(js.syntaxErrors, (m) => `JS/TS syntax error (${m}); results for this file may be incomplete`);
      parsed = true;
      modules = js.modules;
      self = { js };
      extra = { js, ast: js.sf };
      break;
    }
    case 'yaml': {
      count();
      const y = safeParse(() => parseYaml(text), path, diagnostics);
      if (!y) return outcome({ bytes: text.length, diagnostics });
      parsed = true;
      noteFirst(y.errors, (m) => `YAML error: ${m}`);
      extra = { docs: y.docs.filter((d) => d.errors.length === 0), lineCounter: y.lineCounter };
      break;
    }
    case 'json': {
      count();
      const j = safeParse(() => parseJson(text), path, diagnostics);
      if (!j) return outcome({ bytes: text.length, diagnostics });
      parsed = true;
      if (noteFirst(j.errors, (m) => `JSON error: ${m}`)) return outcome({ bytes: text.length, parsed, diagnostics });
      extra = { doc: j.doc, value: j.value };
      break;
    }
    case 'env':
      count();
      parsed = true;
      extra = { entries: parseEnv(text).entries };
      break;
    case 'dockerfile':
      count();
      parsed = true;
      extra = { instructions: parseDockerfile(text) };
      break;
    case 'text':
      extra = {};
      break;
  }
  const frameworks = [...new Set([...modules].map(frameworkOfImport).filter((f): f is Framework => f !== undefined))].sort();
  retain(env, path, src, self.py ?? self.js);
  const project = trackedFacts(env, deps, { path, hash: src.hash, text, self }, frameworks.length ? { root: app.root, frameworks: new Set([...app.frameworks, ...frameworks]) } : undefined);
  const drafts: ResolvedDraft[] = [];
  const errors: { ruleId: string; message: string }[] = [];
  const resolver = new DraftResolver(path, text);
  const suppressions = text.includes('prodaudit-ignore') ? parseSuppressions(text) : undefined;
  const budget = fileBudgetMs();
  const started = performance.now();
  for (const [n, rule] of triggered.entries()) {
    const report = (d: ReportDescriptor<string>) => drafts.push(resolver.resolve(rule, d));
    try {
      (rule.check[kind] as (ctx: unknown) => void)({ path, text, project, options: env.options.get(rule.meta.id), report, ...extra });
    } catch (error) {
      errors.push({ ruleId: rule.meta.id, message: `${path}: ${firstLine(error)}` });
    }
    const spent = performance.now() - started;
    if (spent > budget && n < triggered.length - 1) {
      diagnostics.push({ path, message: `rules took ${Math.round(spent)} ms on this file, over the ${budget} ms budget (last: ${rule.meta.id}); ${triggered.length - 1 - n} other rule(s) skipped it`, level: 'partial' });
      break;
    }
  }
  return outcome({ bytes: text.length, parsed, frameworks, drafts, diagnostics, errors, ...(suppressions ? { suppressions } : {}) });
}

/**
 * Per-file time budget for the rules (ms; default 10 s, `PRODAUDIT_FILE_BUDGET_MS` overrides, also
 * in workers). Checks are synchronous, so a budget cannot interrupt one: once the rules on a file
 * have used it up, the remaining rules skip that file and a diagnostic says so.
 */
export const DEFAULT_FILE_BUDGET_MS = 10_000;
function fileBudgetMs(): number {
  const v = Number(process.env.PRODAUDIT_FILE_BUDGET_MS);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_FILE_BUDGET_MS;
}

/** Turns report descriptors on one text into resolved drafts (line index and suppressions built lazily). */
export class DraftResolver {
  private index: LineIndex | undefined;
  constructor(
    private readonly path: string,
    private readonly text: string,
  ) {}

  resolve(rule: AnyRule, d: Omit<ReportDescriptor<string>, 'at'> & { readonly at?: TextRange }): ResolvedDraft {
    const index = (this.index ??= new LineIndex(this.text));
    const at = d.at;
    const projectLevel = at === undefined;
    const start = index.position(at?.start ?? 0);
    const end = index.position(at ? Math.max(at.start, at.end - (at.end > at.start ? 1 : 0)) : 0);
    const secrets = d.secrets ?? [];
    return {
      ruleId: rule.meta.id,
      messageId: d.messageId,
      // Reported secrets first, then the scrubber for secrets no rule reported (a finding of another rule on their line).
      message: scrubSecrets(redact(fill(rule.meta.messages[d.messageId] ?? d.messageId, d.data), secrets)),
      snippet: projectLevel ? '' : scrubSecrets(redact(index.lineText(start.line).trim().slice(0, 4096), secrets)).slice(0, 240),
      location: {
        path: this.path,
        startLine: start.line,
        startColumn: start.column,
        endLine: projectLevel ? start.line : end.line,
        endColumn: projectLevel ? start.column : end.column + (at && at.end > at.start ? 1 : 0),
      },
      projectLevel,
      ...(d.severity ? { severity: d.severity } : {}),
      ...(d.confidence ? { confidence: d.confidence } : {}),
      ...(d.fix ? { fix: serializeFix(d.fix, this.path, index) } : {}),
    };
  }
}

/** The file a tracked view of the facts audits ('' for project checks and memo recomputation). */
interface TrackedFile {
  readonly path: string;
  readonly hash: string;
  readonly text: string;
  readonly self: { py?: PyModule; js?: ScriptModule };
}

/**
 * The facts a rule sees while one file is audited: apps' frameworks are those from manifests
 * plus the file's own imports (`extend`: that app's frameworks as the file sees them), and every
 * look at other files is recorded (for the cache). A Proxy, so facts fields added later pass through unchanged.
 */
function trackedFacts(env: PassEnv, deps: Dependencies, file: TrackedFile, extend: { readonly root: string; readonly frameworks: ReadonlySet<Framework> } | undefined): ProjectFacts {
  const { path, hash, text, self } = file;
  const base = env.facts;
  const views = new Map<App, App>();
  const view = (a: App): App => {
    if (!extend || a.root !== extend.root) return a;
    let v = views.get(a);
    if (!v) {
      v = { ...a, frameworks: new Set(extend.frameworks) };
      views.set(a, v);
    }
    return v;
  };
  if (path && env.hashing) for (const m of [self.py, self.js, self.js?.sf]) if (m) env.refs.set(m, `${path}\0${hash}`);
  /** Where a look goes: the innermost memo computing now (the file depends on that memo instead), else the file. */
  const sink = (): Dependencies => env.captures.at(-1) ?? deps;
  const record = (p: string): string => {
    const h = p === path ? hash : env.reader.readShared(p).hash;
    const s = sink();
    if (s !== deps || p !== path) s.files[p] = h;
    return h;
  };
  const listed = () => {
    sink().fileList = true;
  };
  /** A module handed to a rule: remembered by path and hash, for digests of memo values that hold it. */
  const module = <M extends PyModule | ScriptModule>(p: string, h: string, m: M | undefined): M | undefined => {
    if (m && env.hashing && !env.refs.has(m)) {
      env.refs.set(m, `${p}\0${h}`);
      if ('sf' in m) env.refs.set(m.sf, `${p}\0${h}`);
    }
    return m;
  };
  /**
   * `perApp`: one computation per memo, app and frameworks per thread instead of one per audited
   * file. The App a file sees can be a view with the file's own frameworks added, so the key holds
   * the app's root plus its frameworks: the value is the same whichever file asked first. The file
   * (or the memo computing now) records the key and the value's digest, not what the memo read.
   */
  const memoise = (def: MemoDef, app: App | undefined, file?: string): unknown => {
    const key = memoKey(def, app, file);
    let hit = env.memo.get(key);
    const stored = !hit && def.scope === 'file' ? env.storedMemo?.(key) : undefined;
    if (stored) {
      hit = { value: stored.value, deps: stored.deps, digest: stored.digest };
      env.memo.set(key, hit);
    }
    if (!hit) {
      const captured = noDependencies();
      const outer = env.captures.length === 0;
      const started = performance.now();
      env.captures.push(captured);
      let value: unknown;
      try {
        value = def.compute(facts, app, file);
        if (def.scope === 'file') value = asStored(value);
      } finally {
        env.captures.pop();
      }
      const digest = env.hashing ? shared(env.digests, digestValue(value, (o) => env.refs.get(o))) : '';
      if (outer) env.memoMs.set(def.name, (env.memoMs.get(def.name) ?? 0) + performance.now() - started);
      const deps = def.scope === 'file' && file !== undefined ? ownFileDeps(env, file, captured) : captured;
      hit = { value, deps, digest };
      env.memo.set(key, hit);
      env.memoLog.push([key, def.scope === 'file' ? { deps, digest, value } : { deps, digest }]);
    }
    sink().memos[key] = hit.digest;
    return hit.value;
  };
  const facts: ProjectFacts = new Proxy(base, {
    get(target, key, receiver) {
      if (key === PER_APP) return memoise;
      switch (key) {
        case 'files':
        case 'fileSet':
        case 'filesOf':
          listed();
          return Reflect.get(target, key, receiver);
        case 'apps':
          return target.apps.map(view);
        case 'frameworks':
          return extend ? new Set([...target.frameworks, ...extend.frameworks]) : target.frameworks;
        case 'appOf':
          return (p: string) => view(target.appOf(p));
        case 'readText':
          return (p: string) => {
            record(p);
            return p === path ? text : env.reader.readShared(p).text;
          };
        case 'python':
          return (p: string) => {
            const h = record(p); // the file's own parse too: a memo computing now depends on it
            return p === path ? self.py : module(p, h, target.python(p));
          };
        case 'script':
          return (p: string) => {
            const h = record(p);
            return p === path ? self.js : module(p, h, target.script(p));
          };
        default:
          return Reflect.get(target, key, receiver);
      }
    },
  });
  return facts;
}

/**
 * A 'file' memo result another thread computed, made this thread's: its digest and own-file
 * dependency record shared as if computed here, and the value available to this thread's memos
 * (the project checks combine every file's parts again: the main thread recomputed all 124,000
 * of the monorepo's after the pass, beside the workers' copies waiting for the cache). Other
 * results are returned as they are.
 */
export function adoptMemo(env: PassEnv, key: string, entry: MemoEntry): MemoEntry {
  const { name, path } = parseMemoKey(key);
  const def = memoByName(name);
  if (path === undefined || def?.scope !== 'file') return entry;
  const known = env.memo.get(key);
  if (known) return { deps: known.deps, digest: known.digest, value: known.value };
  const adopted = { deps: ownFileDeps(env, path, entry.deps), digest: env.hashing ? shared(env.digests, entry.digest) : entry.digest, value: entry.value };
  env.memo.set(key, adopted);
  return adopted;
}

/** The one string equal to `s` in `pool` (digests repeat: most parts have the same value, undefined). */
function shared(pool: Map<string, string>, s: string): string {
  const known = pool.get(s);
  if (known !== undefined) return known;
  pool.set(s, s);
  return s;
}

/**
 * A 'file' memo's dependency record: when it read its own file and nothing else (most parts), the
 * one record per path and hash that every such part of the file shares; else its own.
 */
function ownFileDeps(env: PassEnv, path: string, captured: Dependencies): Dependencies {
  const hash = ownFileHash(captured, path);
  if (hash === undefined) return captured;
  const known = env.ownDeps.get(path);
  if (known && known.files[path] === hash) return known;
  env.ownDeps.set(path, captured);
  return captured;
}

/** The facts project checks see: complete frameworks, and reads of files recorded for the cache. */
export function trackedProjectFacts(env: PassEnv, deps: Dependencies): ProjectFacts {
  return trackedFacts(env, deps, { path: '', hash: '', text: '', self: {} }, undefined);
}

/**
 * Compute a memo result no rule has asked for yet in this thread (a warm run re-validating what a
 * cached file used), on the facts as they stand: its digest, or undefined when the key names no
 * memo or app of this run (then nothing that used it can be reused).
 */
export function recomputeMemo(env: PassEnv, key: string): string | undefined {
  const known = env.memo.get(key);
  if (known) return known.digest;
  const { name, root, frameworks, path } = parseMemoKey(key);
  const def = memoByName(name);
  if (!def || (def.scope === 'app') !== (root !== undefined) || (def.scope === 'file') !== (path !== undefined)) return undefined;
  const app = root === undefined ? undefined : env.facts.apps.find((a) => a.root === root);
  if (root !== undefined && !app) return undefined;
  const extend = root === undefined ? undefined : { root, frameworks: new Set(frameworks as Framework[]) };
  const facts = trackedFacts(env, noDependencies(), { path: '', hash: '', text: '', self: {} }, extend);
  const memo = (facts as ProjectFacts & { [PER_APP]: PerAppMemo })[PER_APP];
  memo(def, app && facts.apps.find((a) => a.root === root), path);
  return env.memo.get(key)?.digest;
}

export function matchesTriggers(rule: AnyRule, text: string, options: unknown, kind: FileKind, app: TriggerApp): boolean {
  const t = rule.meta.triggers;
  if (!t || t.length === 0) return true;
  return t.some((x) => (typeof x === 'string' ? text.includes(x) : typeof x === 'function' ? x(text, options, kind, app) : x.test(text)));
}

export function optionsOf(rule: AnyRule, config: Config): unknown {
  const s = config.rules[rule.meta.id];
  const raw = typeof s === 'object' ? s.options : undefined;
  return rule.options ? rule.options.parse(raw ?? {}) : (raw ?? {});
}

function fill(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  if (!data) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in data ? String(data[k]) : m));
}

function serializeFix(fix: Fix, file: string, index: LineIndex): NonNullable<Finding['fix']> {
  const range = (e: TextRange) => {
    const a = index.position(e.start);
    const b = index.position(e.end);
    return { startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column };
  };
  return {
    title: fix.title,
    applicability: fix.applicability,
    edits: fix.edits.map((e) => ({ path: file, start: e.start, end: e.end, text: e.text, range: range(e) })),
    ...(fix.newFiles?.length ? { newFiles: fix.newFiles.map((n) => ({ ...n })) } : {}),
    ...(fix.envVars?.length ? { envVars: fix.envVars.map((v) => ({ ...v })) } : {}),
    ...(fix.followUp ? { followUp: fix.followUp } : {}),
  };
}

export function safeParse<T>(fn: () => T, path: string, diagnostics: Diagnostic[]): T | undefined {
  try {
    return fn();
  } catch (error) {
    diagnostics.push({ path, message: `could not parse: ${(error as Error).message}`, level: 'skipped' });
    return undefined;
  }
}

function firstLine(error: unknown): string {
  return ((error as Error)?.stack ?? String(error)).split('\n')[0]!;
}
