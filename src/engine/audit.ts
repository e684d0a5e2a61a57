/**
 * The audit pipeline: discover -> facts -> per-file pass (read once, parse once, run every
 * applicable rule, forget the file) -> project checks -> suppressions -> score.
 * Rules never print and never decide severity, applicability or scoring.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { appConfig, appIgnores, DEFAULT_CONFIG, mootReason, type AppConfig, type Config } from '../config/schema.js';
import { TOOL_VERSION } from '../version.js';
import { BUNDLE_REGISTRY, bundle } from './bundle-state.js';
import { AuditCache, appsDigest, configKey, fileListDigest } from './cache.js';
import { discover, kindOf, type Diagnostic } from './discover.js';
import type { SourceInfo } from './encoding.js';
import type { App } from './facts.js';
import { scrubSecrets } from './redact.js';
import { createPassEnv, DraftResolver, enableRetention, loadParsersFor, noDependencies, pinManifests, recomputeMemo, setRules, setThreads, skipsFile, trackedProjectFacts, type FileOutcome, type ResolvedDraft } from './file-pass.js';
import { autoThreads, endPoolHeapGrowth, runPass, type WorkItem } from './pool.js';
import { opportunities } from './opportunities.js';
import type { AppResult, AuditResult, Finding, RuleOutcome, SuppressionRecord } from './result.js';
import { SCHEMA_VERSION } from './result.js';
import type { AnyRule } from './rule.js';
import { categoryScores, gradeFor, overallScore } from './scoring.js';
import type { Source } from './source.js';
import { isSuppressed, parseSuppressions, type Suppression } from './suppress.js';
import type { Severity } from './types.js';

export interface AuditOptions {
  readonly rules: readonly AnyRule[];
  readonly config?: Config;
  /** Extra gitignore-style ignores (on top of config.ignore). */
  readonly ignore?: readonly string[];
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Fixes: file texts to audit instead of what is on disk (root-relative path -> text); a path
   * not on disk is audited as a new file. Lets `--fix` re-audit its result before writing.
   * Overlay and sources runs use the main thread only and no cache.
   */
  readonly overlay?: ReadonlyMap<string, string>;
  /** Fixes: filled with the content hash and encoding of every file read from disk. */
  readonly sources?: Map<string, SourceInfo>;
  /** Threads for the per-file pass: 1 = the main thread only, N = main + N-1 workers. Default: a pool only above a size threshold. */
  readonly workers?: number;
  /** Content-hash cache: true = `<root>/.prodaudit-cache/`, a string = that folder. Default off (the CLI turns it on). */
  readonly cache?: boolean | string;
  /** Counters for the benchmark and `PRODAUDIT_STATS` (never part of the report: output is identical cold and warm). */
  readonly onStats?: (stats: RunStats) => void;
}

export interface RunStats {
  readonly threads: number;
  readonly filesAudited: number;
  /** memosValid: memo results reused as they were; memosRecomputed: recomputed to compare their digest (early cutoff); saveError: why the cache file could not be written. */
  readonly cache: { readonly enabled: boolean; readonly hits: number; readonly misses: number; readonly statHits: number; readonly projectHits: number; readonly memosValid: number; readonly memosRecomputed: number; readonly saveError?: string };
  /** Reads and parses per file summed over threads (the contract: at most 1 each for the per-file pass). */
  readonly reads: { readonly total: number; readonly maxPerFile: number; readonly overOnce: readonly string[] };
  readonly parses: { readonly total: number; readonly maxPerFile: number; readonly overOnce: readonly string[] };
  readonly phasesMs: Readonly<Record<string, number>>;
  /** Project checks that took 50 ms or more, slowest first (where the project phase goes). */
  readonly projectChecksMs: Readonly<Record<string, number>>;
  /** Memos the main thread spent 50 ms or more computing (pass, project checks, recomputation), slowest first. */
  readonly memosMs: Readonly<Record<string, number>>;
}

/** A finding before the engine stamps severity, fingerprint and app on it. */
interface Draft {
  readonly rule: AnyRule;
  readonly file: string;
  readonly d: ResolvedDraft;
}

export async function auditDirectory(rootArg: string, options: AuditOptions): Promise<AuditResult> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
  };
  const root = resolve(rootArg);
  const config = options.config ?? DEFAULT_CONFIG;
  const diagnostics: Diagnostic[] = [];
  const { files, diagnostics: discoverDiags } = discover(root, {
    ignore: [...config.ignore, ...appIgnores(config), ...(options.ignore ?? [])],
    maxFileSize: config.maxFileSize,
  });
  diagnostics.push(...discoverDiags);
  if (options.overlay?.size) {
    const listed = new Set(files.map((f) => f.path));
    for (const [path, text] of options.overlay) if (!listed.has(path)) files.push({ path, size: text.length, kind: kindOf(path) });
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
  const fixing = options.overlay !== undefined || options.sources !== undefined;
  const fileIndex = new Map(files.map((f, i) => [f.path, i]));
  // A rule runs unless it is off at the top level and in every per-app section.
  const enabled = options.rules.filter((r) => levelOf(r, config) !== 'off' || Object.values(config.apps).some((a) => levelOf(r, { rules: { ...config.rules, ...a.rules } }) !== 'off'));
  const ruleById = new Map(options.rules.map((r) => [r.meta.id, r]));
  const cacheDir = fixing ? undefined : options.cache === true ? join(root, '.prodaudit-cache') : typeof options.cache === 'string' ? resolve(options.cache) : undefined;
  const hashing = cacheDir !== undefined;
  phase('discover');

  // Facts (manifests read once, kept for the pass) and this thread's pass environment.
  const env = await createPassEnv({ root, config, rules: enabled, files, hashing, loadPython: false, overlay: options.overlay, sources: options.sources });
  pinManifests(env);
  if (enabled.some((r) => r.check.project)) enableRetention(env);
  const facts = env.facts;
  diagnostics.push(...env.diagnostics.splice(0));
  const cfgOf = (appRoot: string): AppConfig => appConfig(config, appRoot);
  // Rules the deployment context makes moot in every app are not run at all.
  const runnable = enabled.filter((r) => !r.meta.mootWhen || facts.apps.some((a) => !mootReason(r.meta.mootWhen, cfgOf(a.root).context)));
  setRules(env, runnable);
  phase('facts');

  // Cache: per-file outcomes valid for this configuration and these pre-pass facts.
  const listDigest = fileListDigest(files);
  const cache = cacheDir
    ? new AuditCache(
        cacheDir,
        configKey([runnable.map((r) => [r.meta.id, env.options.get(r.meta.id)]), appsDigest(facts.apps)]),
        listDigest,
      )
    : undefined;
  const hashes = new Map<string, string>();
  const prereads = new Map<string, Source>();
  const hashOf = (path: string): string => {
    let h = hashes.get(path);
    if (h !== undefined) return h;
    const i = fileIndex.get(path);
    const f = i === undefined ? undefined : files[i];
    if (!f || f.kind === undefined) h = '-';
    else {
      h = cache?.statHash(f);
      if (h === undefined) {
        const s = env.reader.read(path);
        prereads.set(path, s);
        h = s.hash;
        if (cache) cache.stats.hashed++;
      }
    }
    hashes.set(path, h);
    return h;
  };
  /**
   * The digest a memo result has in this run, for the outcomes that recorded one: computed this run
   * already, or the previous run's entry when what it read is unchanged, else recomputed here, once,
   * on the facts as they stand (before the pass for file outcomes, after it for project checks).
   * An outcome whose memos all have the digests it saw stays cached, however many files they read.
   */
  const memoDigests = new Map<string, string | undefined>();
  const passMemos = new Map<string, string>();
  const memoDigest = (key: string): string | undefined => {
    if (memoDigests.has(key)) return memoDigests.get(key);
    let digest = env.memo.get(key)?.digest ?? passMemos.get(key);
    if (digest === undefined && cache) {
      const old = storedMemo(key);
      if (old) {
        digest = old.digest;
      } else {
        try {
          digest = recomputeMemo(env, key);
        } catch {
          digest = undefined; // the rule fails again in the pass, and reports it there
        }
        cache.stats.memosRecomputed++;
      }
    }
    memoDigests.set(key, digest);
    return digest;
  };
  /** The previous run's result of a memo, when what it read still holds (carried to the next run). */
  const storedMemo = (key: string) => {
    const old = cache?.memo(key, hashOf, memoDigest);
    if (old) {
      cache!.storeMemo(key, old, false);
      cache!.stats.memosValid++;
    }
    return old;
  };
  if (cache) env.storedMemo = storedMemo;
  // Recomputing a memo parses: load the grammar first (project checks need it on a warm run anyway).
  if (cache?.hasMemos()) await loadParsersFor(files);

  const slots: (FileOutcome | undefined)[] = new Array(files.length);
  const work: WorkItem[] = [];
  let audited = 0;
  if (cache?.mayBeUnchanged()) {
    // Hash (from the stat index) every file a lookup or a recorded dependency can name first: when
    // none had to be read, nothing changed and dependencies need no one-by-one validation. (A cold
    // run, or a changed file list, skips this: it would only read files early.)
    for (const file of files) if (file.kind !== undefined) hashOf(file.path);
    cache.markUnchanged();
  }
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    if (skipsFile(env, file)) continue;
    audited++;
    if (cache) {
      const hit = cache.lookup(file.path, hashOf, memoDigest);
      if (hit) {
        slots[i] = { path: file.path, ...hit };
        continue;
      }
    }
    const source = prereads.get(file.path);
    prereads.delete(file.path);
    work.push(source ? { i, source } : { i });
  }
  prereads.clear();
  phase('cache');

  // The pass: inline or on a pool; results land in file order whatever ran them.
  const threads = fixing ? 1 : Math.max(1, options.workers ?? autoThreads(work, files, (p) => facts.appOf(p).root));
  const registry = threads > 1 ? await registryFor(options.rules) : undefined;
  setThreads(env, registry ? threads : 1, true);
  const hits = audited - work.length;
  await loadParsersFor(work.map((it) => files[it.i]!));
  if (enabled.some((r) => r.check.project)) await loadParsersFor(files);
  const { outcomes: passed, counts, memos } = await runPass(env, files, work, {
    threads: registry ? threads : 1,
    registry: registry ?? '',
    init: { ruleIds: runnable.map((r) => r.meta.id), root, config, files, hashing, seeded: env.reader.pinnedEntries() },
    onProgress: options.onProgress ? (done) => options.onProgress!(hits + done, audited) : undefined,
  });
  work.forEach((it, k) => (slots[it.i] = passed[k]));
  for (const [key, entry] of memos) {
    passMemos.set(key, entry.digest);
    cache?.storeMemo(key, entry, true);
  }
  phase('pass');

  // Merge in file order.
  const drafts: Draft[] = [];
  const errors = new Map<string, string>();
  const suppressionsByFile = new Map<string, readonly Suppression[]>();
  let parsed = 0;
  let bytes = 0;
  const fresh = new Set(work.map((it) => it.i));
  for (let i = 0; i < files.length; i++) {
    const o = slots[i];
    if (!o) continue;
    hashes.set(o.path, o.hash);
    cache?.store(files[i], o, fresh.has(i));
    if (o.parsed) parsed++;
    bytes += o.bytes;
    diagnostics.push(...o.diagnostics);
    if (o.suppressions) suppressionsByFile.set(o.path, o.suppressions);
    const app = facts.appOf(o.path);
    for (const fw of o.frameworks) app.frameworks.add(fw);
    for (const e of o.errors) if (!errors.has(e.ruleId)) errors.set(e.ruleId, e.message);
    for (const d of o.drafts) drafts.push({ rule: ruleById.get(d.ruleId)!, file: o.path, d });
  }
  options.onProgress?.(audited, audited);

  // Project checks (after the pass: frameworks found from imports are in the apps now).
  const factsAfter = appsDigest(facts.apps);
  const projectMs = new Map<string, number>();
  for (const rule of runnable) {
    const check = rule.check.project;
    if (!check || errors.has(rule.meta.id)) continue;
    const cached = cache?.project(rule.meta.id, factsAfter, hashOf, memoDigest);
    if (cached) {
      cache!.storeProject(rule.meta.id, cached, false);
      if (cached.error) errors.set(rule.meta.id, cached.error);
      for (const d of cached.drafts) drafts.push({ rule, file: d.location.path, d });
      continue;
    }
    const checkStarted = performance.now();
    const deps = noDependencies();
    const mine: ResolvedDraft[] = [];
    let error: string | undefined;
    const resolvers = new Map<string, DraftResolver>();
    try {
      check({
        project: trackedProjectFacts(env, deps),
        options: env.options.get(rule.meta.id),
        report: ({ file, ...d }) => {
          let r = resolvers.get(file);
          if (!r) {
            deps.files[file] = env.reader.readShared(file).hash;
            r = new DraftResolver(file, env.reader.readShared(file).text ?? '');
            resolvers.set(file, r);
          }
          mine.push(r.resolve(rule, d));
        },
      });
    } catch (e) {
      error = ((e as Error).stack ?? String(e)).split('\n')[0]!;
      errors.set(rule.meta.id, error);
    }
    diagnostics.push(...env.diagnostics.splice(0));
    for (const d of mine) drafts.push({ rule, file: d.location.path, d });
    cache?.storeProject(rule.meta.id, { facts: factsAfter, deps, drafts: mine, ...(error ? { error } : {}) }, true);
    projectMs.set(rule.meta.id, Math.round(performance.now() - checkStarted));
  }
  for (const f of files) if (hashes.has(f.path)) cache?.storeHash(f, hashes.get(f.path)!);
  // Memo results the main thread computed (pass, project checks, recomputation), for the next run.
  for (const [key, entry] of env.memoLog.splice(0)) cache?.storeMemo(key, entry, true);
  phase('project');

  // Stamp severity, fingerprint and app; drop non-production and suppressed findings.
  const findings: Finding[] = [];
  let suppressed = 0;
  const occurrences = new Map<string, number>();
  const requireReasons = config.suppressions.requireReasons;
  const usedSuppressions = new Map<string, Set<string>>(); // "path:line" -> rule ids it suppressed
  const suppressionsOf = (file: string): readonly Suppression[] => {
    let sups = suppressionsByFile.get(file);
    if (!sups) {
      const text = env.reader.readShared(file).text ?? '';
      sups = text.includes('prodaudit-ignore') ? parseSuppressions(text) : [];
      suppressionsByFile.set(file, sups);
    }
    return sups;
  };
  for (const { rule, file, d } of drafts) {
    const appCfg = cfgOf(facts.appOf(file).root);
    if (levelOf(rule, appCfg) === 'off' || mootReason(rule.meta.mootWhen, appCfg.context)) continue;
    const ctx = facts.contextOf(file);
    const nonProd = ctx !== 'production' && !rule.meta.includeNonProduction;
    if (nonProd && !config.includeNonProduction) continue;
    const hit = isSuppressed(suppressionsOf(file), rule.meta.id, d.projectLevel ? undefined : d.location.startLine, requireReasons);
    if (hit) {
      const key = `${file}:${hit.line}`;
      usedSuppressions.set(key, (usedSuppressions.get(key) ?? new Set()).add(rule.meta.id));
      suppressed++;
      continue;
    }
    const severity: Severity = nonProd ? 'info' : effectiveSeverity(rule, appCfg, d.severity);
    const app = facts.appOf(file);
    const fpBase = `${rule.meta.id}\0${file}\0${d.messageId}\0${d.snippet.replace(/\s+/g, ' ')}`;
    const n = occurrences.get(fpBase) ?? 0;
    occurrences.set(fpBase, n + 1);
    findings.push({
      ruleId: rule.meta.id,
      title: rule.meta.title,
      severity,
      confidence: d.confidence ?? rule.meta.confidence,
      category: rule.meta.category,
      message: d.message,
      location: d.location,
      projectLevel: d.projectLevel,
      snippet: d.snippet,
      fingerprint: createHash('sha256').update(`${fpBase}\0${n}`).digest('hex').slice(0, 20),
      app: app.root,
      ...(d.fix ? { fix: d.fix } : {}),
    });
  }
  findings.sort(compareFindings);
  // What only the pass and the project checks needed goes before the cache is written (its peak).
  env.memo.clear();
  passMemos.clear();
  memoDigests.clear();
  cache?.save();
  if (registry && threads > 1) endPoolHeapGrowth();

  // With --report-unused, directives in files no rule had to read count too.
  if (config.suppressions.reportUnused) {
    for (const f of files) {
      if (f.kind === undefined || suppressionsByFile.has(f.path)) continue;
      const t = env.reader.readShared(f.path).text;
      if (t?.includes('prodaudit-ignore')) suppressionsByFile.set(f.path, parseSuppressions(t));
    }
  }
  const suppressionRecords: SuppressionRecord[] = [];
  for (const [path, sups] of [...suppressionsByFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const s of sups) {
      suppressionRecords.push({ path, line: s.line, rules: [...s.rules], reason: s.reason, file: s.file, used: [...(usedSuppressions.get(`${path}:${s.line}`) ?? [])].sort() });
    }
  }
  phase('finalize');

  const outcomesFor = (apps: readonly App[], subset: readonly Finding[]): RuleOutcome[] =>
    options.rules.map((rule) => {
      const mine = subset.filter((f) => f.ruleId === rule.meta.id);
      const sev = worst([effectiveSeverity(rule, config), ...mine.map((f) => f.severity)]);
      const base = { ruleId: rule.meta.id, title: rule.meta.title, category: rule.meta.category, severity: sev, findings: mine.length };
      const on = apps.length ? apps.filter((a) => levelOf(rule, cfgOf(a.root)) !== 'off') : levelOf(rule, config) === 'off' ? [] : [undefined];
      if (on.length === 0) return { ...base, status: 'off' as const };
      if (errors.has(rule.meta.id)) return { ...base, status: 'error' as const, error: errors.get(rule.meta.id)!.split('\n')[0] };
      const live = on.filter((a) => !mootReason(rule.meta.mootWhen, a ? cfgOf(a.root).context : config.context));
      if (live.length === 0) {
        const reason = mootReason(rule.meta.mootWhen, on[0] ? cfgOf(on[0].root).context : config.context);
        return { ...base, status: 'notApplicable' as const, ...(reason ? { reason } : {}) };
      }
      if (!live.some((a) => a !== undefined && applicable(rule, a))) return { ...base, status: 'notApplicable' as const };
      return { ...base, status: mine.length ? ('failed' as const) : ('passed' as const) };
    });

  const outcomes = outcomesFor(facts.apps, findings);
  const categories = categoryScores(outcomes);
  const total = overallScore(categories);
  const g = gradeFor(total, worstOpen(findings));
  const apps: AppResult[] = facts.apps.map((a) => {
    const mine = findings.filter((f) => f.app === a.root);
    const cats = categoryScores(outcomesFor([a], mine));
    const s = overallScore(cats);
    return {
      root: a.root,
      name: a.name,
      ecosystems: [...a.ecosystems].sort(),
      frameworks: [...a.frameworks].sort(),
      score: s,
      grade: gradeFor(s, worstOpen(mine)).grade,
      categories: cats,
      findings: mine.length,
    };
  });
  if (options.onStats) {
    const tally = (key: 'reads' | 'parses') => {
      const sum = new Map<string, number>();
      for (const c of counts) for (const [p, n] of c[key]) sum.set(p, (sum.get(p) ?? 0) + n);
      let total = 0;
      let max = 0;
      const over: string[] = [];
      for (const [p, n] of sum) {
        total += n;
        max = Math.max(max, n);
        if (n > 1) over.push(p);
      }
      return { total, maxPerFile: max, overOnce: over.sort().slice(0, 20) };
    };
    phase('report');
    options.onStats({
      threads: registry ? threads : 1,
      filesAudited: audited,
      cache: {
        enabled: !!cache,
        hits: cache?.stats.hits ?? 0,
        misses: cache?.stats.misses ?? 0,
        statHits: cache?.stats.statHits ?? 0,
        projectHits: cache?.stats.projectHits ?? 0,
        memosValid: cache?.stats.memosValid ?? 0,
        memosRecomputed: cache?.stats.memosRecomputed ?? 0,
        ...(cache?.stats.saveError ? { saveError: cache.stats.saveError } : {}),
      },
      reads: tally('reads'),
      parses: tally('parses'),
      phasesMs: phases,
      projectChecksMs: Object.fromEntries([...projectMs].filter(([, ms]) => ms >= 50).sort((a, b) => b[1] - a[1])),
      memosMs: Object.fromEntries([...env.memoMs].map(([n, ms]) => [n, Math.round(ms)] as const).filter(([, ms]) => ms >= 50).sort((a, b) => b[1] - a[1])),
    });
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'prodaudit', version: TOOL_VERSION },
    root,
    score: total,
    grade: g.grade,
    ...(g.cap ? { gradeCap: g.cap } : {}),
    categories,
    apps,
    outcomes,
    findings,
    suppressed,
    suppressions: suppressionRecords,
    opportunities: opportunities(outcomes, findings),
    diagnostics: dedupeDiagnostics(diagnostics),
    stats: { files: files.length, parsed, bytes, durationMs: Math.round(performance.now() - started) },
  };
}

/** A rule applies to an app when its frameworks (if any) are detected there and the app has files of a kind it checks. */
export function applicable(rule: AnyRule, app: App): boolean {
  const fws = rule.meta.frameworks;
  if (fws && fws.length && !fws.some((f) => app.frameworks.has(f))) return false;
  return true;
}

function levelOf(rule: AnyRule, config: Pick<AppConfig, 'rules'>): Severity | 'off' {
  const s = config.rules[rule.meta.id];
  if (s === undefined) return rule.meta.severity;
  if (typeof s === 'string') return s;
  return s.level ?? rule.meta.severity;
}

function effectiveSeverity(rule: AnyRule, config: Pick<AppConfig, 'rules'>, variant?: Severity): Severity {
  const s = config.rules[rule.meta.id];
  const explicit = typeof s === 'string' ? s : s?.level;
  if (explicit && explicit !== 'off') return explicit;
  return variant ?? rule.meta.severity;
}

const ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

function worst(list: readonly Severity[]): Severity {
  return [...list].sort((a, b) => ORDER[a] - ORDER[b])[0] ?? 'info';
}

function worstOpen(findings: readonly Finding[]): Severity | undefined {
  return findings.length ? worst(findings.map((f) => f.severity)) : undefined;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    ORDER[a.severity] - ORDER[b.severity] ||
    (a.location.path < b.location.path ? -1 : a.location.path > b.location.path ? 1 : 0) ||
    a.location.startLine - b.location.startLine ||
    a.location.startColumn - b.location.startColumn ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}

function dedupeDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of list) {
    const k = `${d.path}\0${d.line ?? ''}\0${d.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ ...d, message: scrubSecrets(d.message) }); // parser messages can quote the file
  }
  // A total order, so diagnostics read the same whichever thread produced them first.
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return out.sort((a, b) => cmp(a.path, b.path) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || cmp(a.message, b.message) || cmp(a.level, b.level));
}

/**
 * The module workers load the rules from: the registry, when every rule given is one of its
 * rules (same objects). Custom rule objects (tests, API users) run on the main thread only.
 */
async function registryFor(rules: readonly AnyRule[]): Promise<string | undefined> {
  const own = bundle();
  if (own) {
    const known = new Set(own.rules);
    return rules.every((r) => known.has(r)) ? BUNDLE_REGISTRY : undefined;
  }
  const url = new URL('../../rules/index.js', import.meta.url).href;
  try {
    const mod = (await import(url)) as { rules?: readonly AnyRule[] };
    const known = new Set(mod.rules ?? []);
    return rules.every((r) => known.has(r)) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Exposed for tests and reporters: effective severity order. */
export const SEVERITY_ORDER = ORDER;
