/**
 * The audit pipeline: discover -> facts -> per-file pass (read once, parse once, run every
 * applicable rule, forget the file) -> project checks -> suppressions -> score.
 * Rules never print and never decide severity, applicability or scoring.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { appConfig, appIgnores, DEFAULT_CONFIG, mootReason, type AppConfig, type Config } from '../config/schema.js';
import { parseDockerfile } from '../parsers/dockerfile.js';
import { parseEnv } from '../parsers/env.js';
import { initPython, parsePython, type PyModule } from '../parsers/python.js';
import { parseScript, type ScriptModule } from '../parsers/script.js';
import { parseJson, parseYaml } from '../parsers/yaml.js';
import { discover, kindOf, type Diagnostic, type DiscoveredFile } from './discover.js';
import { contentHash, decodeSource, type SourceInfo } from './encoding.js';
import { buildFacts, frameworkOfImport, type App, type ProjectFacts } from './facts.js';
import { LineIndex } from './lines.js';
import { redact } from './redact.js';
import { opportunities } from './opportunities.js';
import type { AppResult, AuditResult, Finding, RuleOutcome, SuppressionRecord } from './result.js';
import { SCHEMA_VERSION } from './result.js';
import type { AnyRule } from './rule.js';
import { categoryScores, gradeFor, overallScore } from './scoring.js';
import { isSuppressed, parseSuppressions, type Suppression } from './suppress.js';
import { FILE_KINDS, type FileKind, type Fix, type ReportDescriptor, type Severity, type TextRange } from './types.js';
import { TOOL_VERSION } from '../version.js';

export interface AuditOptions {
  readonly rules: readonly AnyRule[];
  readonly config?: Config;
  /** Extra gitignore-style ignores (on top of config.ignore). */
  readonly ignore?: readonly string[];
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Fixes: file texts to audit instead of what is on disk (root-relative path -> text); a path
   * not on disk is audited as a new file. Lets `--fix` re-audit its result before writing.
   */
  readonly overlay?: ReadonlyMap<string, string>;
  /** Fixes: filled with the content hash and encoding of every file read from disk. */
  readonly sources?: Map<string, SourceInfo>;
}

/** A finding before the engine stamps location, snippet and fingerprint on it. */
interface Draft {
  readonly rule: AnyRule;
  readonly file: string;
  readonly descriptor: Omit<ReportDescriptor<string>, 'at'> & { readonly at?: TextRange };
}

const FRAMEWORK_HINT = /\b(flask|django|fastapi|express|@nestjs|next|fastify|koa)\b/;

export async function auditDirectory(rootArg: string, options: AuditOptions): Promise<AuditResult> {
  const started = performance.now();
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
  const byPath = new Map(files.map((f) => [f.path, f]));
  // A rule runs unless it is off at the top level and in every per-app section.
  const enabled = options.rules.filter((r) => levelOf(r, config) !== 'off' || Object.values(config.apps).some((a) => levelOf(r, { rules: { ...config.rules, ...a.rules } }) !== 'off'));
  const needsPython = files.some((f) => f.kind === 'python');
  if (needsPython) await initPython();

  // Text and parse caches shared by facts and project checks. Per-file rule checks get the
  // parse directly and the cache keeps only modules small enough to be worth keeping.
  const textCache = new Map<string, string | undefined>();
  const diagnosed = new Set<string>();
  const readText = (path: string): string | undefined => {
    if (textCache.has(path)) return textCache.get(path);
    if (options.overlay?.has(path)) return options.overlay.get(path);
    const f = byPath.get(path);
    const text = f && f.kind !== undefined ? readSource(root, f, diagnostics, diagnosed, options.sources) : undefined;
    if (text !== undefined && text.length < 256 * 1024) textCache.set(path, text);
    return text;
  };
  const pyCache = new Map<string, PyModule | undefined>();
  const jsCache = new Map<string, ScriptModule | undefined>();
  let cachedChars = 0;
  const CACHE_LIMIT = 32 * 1024 * 1024;
  const keep = <T>(cache: Map<string, T>, path: string, value: T, size: number) => {
    if (cachedChars + size > CACHE_LIMIT) return;
    cachedChars += size;
    cache.set(path, value);
  };
  const parsePy = (path: string, text: string): PyModule | undefined => {
    if (pyCache.has(path)) return pyCache.get(path);
    const m = safeParse(() => parsePython(text), path, diagnostics);
    if (m?.syntaxErrors.length) {
      const e = m.syntaxErrors[0]!;
      diagnostics.push({ path, line: e.line, column: e.column, message: `Python syntax error (${e.message}); syntax rules skipped this file`, level: 'partial' });
    }
    keep(pyCache, path, m, text.length);
    return m;
  };
  const parseJs = (path: string, text: string): ScriptModule | undefined => {
    if (jsCache.has(path)) return jsCache.get(path);
    const m = safeParse(() => parseScript(path, text), path, diagnostics);
    if (m?.syntaxErrors.length) {
      const e = m.syntaxErrors[0]!;
      diagnostics.push({ path, line: e.line, column: e.column, message: `JS/TS syntax error (${e.message}); results for this file may be incomplete`, level: 'partial' });
    }
    keep(jsCache, path, m, text.length);
    return m;
  };
  const facts = buildFacts({
    root,
    files,
    readText,
    diagnostics,
    python: (p) => {
      const t = readText(p);
      return t === undefined || byPath.get(p)?.kind !== 'python' ? undefined : parsePy(p, t);
    },
    script: (p) => {
      const t = readText(p);
      return t === undefined || byPath.get(p)?.kind !== 'script' ? undefined : parseJs(p, t);
    },
  });

  const drafts: Draft[] = [];
  const errors = new Map<string, string>();
  const suppressionsByFile = new Map<string, Suppression[]>();
  const lineIndexes = new Map<string, LineIndex>();
  const cfgOf = (appRoot: string): AppConfig => appConfig(config, appRoot);
  // Rules the deployment context makes moot in every app are not run at all.
  const runnable = enabled.filter((r) => !r.meta.mootWhen || facts.apps.some((a) => !mootReason(r.meta.mootWhen, cfgOf(a.root).context)));
  const rulesByKind = new Map<FileKind, AnyRule[]>(FILE_KINDS.map((k) => [k, runnable.filter((r) => r.check[k])]));
  let parsed = 0;
  let bytes = 0;
  const readable = files.filter((f) => f.kind !== undefined);

  for (let i = 0; i < readable.length; i++) {
    const file = readable[i]!;
    options.onProgress?.(i, readable.length);
    const kind = file.kind!;
    const candidates = rulesByKind.get(kind) ?? [];
    const app = facts.appOf(file.path);
    const sniffFramework = (kind === 'python' || kind === 'script') && app.frameworks.size === 0;
    if (candidates.length === 0 && !sniffFramework) continue;
    const text = readText(file.path);
    if (text === undefined) continue;
    bytes += text.length;
    const triggered = candidates.filter((r) => matchesTriggers(r, text));
    const wantFramework = sniffFramework && FRAMEWORK_HINT.test(text);
    if (triggered.length === 0 && !wantFramework) continue;
    if (text.includes('prodaudit-ignore')) suppressionsByFile.set(file.path, parseSuppressions(text));
    const base = (rule: AnyRule) => ({
      path: file.path,
      text,
      project: facts,
      options: optionsOf(rule, config),
      report: (d: ReportDescriptor<string>) => drafts.push({ rule, file: file.path, descriptor: d }),
    });
    let extra: Record<string, unknown> | undefined;
    switch (kind) {
      case 'python': {
        const py = parsePy(file.path, text);
        if (!py) continue;
        parsed++;
        for (const m of py.modules) addFramework(app, frameworkOfImport(m));
        extra = { py };
        break;
      }
      case 'script': {
        const js = parseJs(file.path, text);
        if (!js) continue;
        parsed++;
        for (const m of js.modules) addFramework(app, frameworkOfImport(m));
        extra = { js, ast: js.sf };
        break;
      }
      case 'yaml': {
        const y = safeParse(() => parseYaml(text), file.path, diagnostics);
        if (!y) continue;
        parsed++;
        if (y.errors.length) {
          const e = y.errors[0]!;
          diagnostics.push({ path: file.path, line: e.line, column: e.column, message: `YAML error: ${e.message}`, level: 'partial' });
        }
        extra = { docs: y.docs.filter((d) => d.errors.length === 0), lineCounter: y.lineCounter };
        break;
      }
      case 'json': {
        const j = safeParse(() => parseJson(text), file.path, diagnostics);
        if (!j) continue;
        parsed++;
        if (j.errors.length) {
          const e = j.errors[0]!;
          diagnostics.push({ path: file.path, line: e.line, column: e.column, message: `JSON error: ${e.message}`, level: 'partial' });
          continue;
        }
        extra = { doc: j.doc, value: j.value };
        break;
      }
      case 'env': {
        const env = parseEnv(text);
        parsed++;
        extra = { entries: env.entries };
        break;
      }
      case 'dockerfile':
        parsed++;
        extra = { instructions: parseDockerfile(text) };
        break;
      case 'text':
        extra = {};
        break;
    }
    for (const rule of triggered) {
      if (errors.has(rule.meta.id)) continue;
      try {
        (rule.check[kind] as (ctx: unknown) => void)({ ...base(rule), ...extra });
      } catch (error) {
        errors.set(rule.meta.id, `${file.path}: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }
  options.onProgress?.(readable.length, readable.length);

  for (const rule of runnable) {
    const check = rule.check.project;
    if (!check || errors.has(rule.meta.id)) continue;
    try {
      check({
        project: facts,
        options: optionsOf(rule, config),
        report: ({ file, at, ...d }) => drafts.push({ rule, file, descriptor: { ...d, at } }),
      });
    } catch (error) {
      errors.set(rule.meta.id, (error as Error).stack ?? String(error));
    }
  }

  // Stamp location, snippet, severity and fingerprint; drop non-production and suppressed findings.
  const findings: Finding[] = [];
  let suppressed = 0;
  const occurrences = new Map<string, number>();
  const requireReasons = config.suppressions.requireReasons;
  const usedSuppressions = new Map<string, Set<string>>(); // "path:line" -> rule ids it suppressed
  const suppressionsOf = (file: string, text: string): Suppression[] => {
    let sups = suppressionsByFile.get(file);
    if (!sups) {
      sups = text.includes('prodaudit-ignore') ? parseSuppressions(text) : [];
      suppressionsByFile.set(file, sups);
    }
    return sups;
  };
  for (const d of drafts) {
    const { rule, file, descriptor } = d;
    const appCfg = cfgOf(facts.appOf(file).root);
    if (levelOf(rule, appCfg) === 'off' || mootReason(rule.meta.mootWhen, appCfg.context)) continue;
    const ctx = facts.contextOf(file);
    const nonProd = ctx !== 'production' && !rule.meta.includeNonProduction;
    if (nonProd && !config.includeNonProduction) continue;
    const text = readText(file) ?? '';
    let index = lineIndexes.get(file);
    if (!index) {
      index = new LineIndex(text);
      lineIndexes.set(file, index);
    }
    const at = descriptor.at;
    const projectLevel = at === undefined;
    const start = index.position(at?.start ?? 0);
    const end = index.position(at ? Math.max(at.start, at.end - (at.end > at.start ? 1 : 0)) : 0);
    const hit = isSuppressed(suppressionsOf(file, text), rule.meta.id, projectLevel ? undefined : start.line, requireReasons);
    if (hit) {
      const key = `${file}:${hit.line}`;
      usedSuppressions.set(key, (usedSuppressions.get(key) ?? new Set()).add(rule.meta.id));
      suppressed++;
      continue;
    }
    const secrets = descriptor.secrets ?? [];
    const message = redact(fill(rule.meta.messages[descriptor.messageId] ?? descriptor.messageId, descriptor.data), secrets);
    const snippet = projectLevel ? '' : redact(index.lineText(start.line).trim().slice(0, 240), secrets);
    const severity: Severity = nonProd ? 'info' : effectiveSeverity(rule, appCfg, descriptor.severity);
    const app = facts.appOf(file);
    const fpBase = `${rule.meta.id}\0${file}\0${descriptor.messageId}\0${snippet.replace(/\s+/g, ' ')}`;
    const n = occurrences.get(fpBase) ?? 0;
    occurrences.set(fpBase, n + 1);
    findings.push({
      ruleId: rule.meta.id,
      title: rule.meta.title,
      severity,
      confidence: descriptor.confidence ?? rule.meta.confidence,
      category: rule.meta.category,
      message,
      location: { path: file, startLine: start.line, startColumn: start.column, endLine: projectLevel ? start.line : end.line, endColumn: projectLevel ? start.column : end.column + (at && at.end > at.start ? 1 : 0) },
      projectLevel,
      snippet,
      fingerprint: createHash('sha256').update(`${fpBase}\0${n}`).digest('hex').slice(0, 20),
      app: app.root,
      ...(descriptor.fix ? { fix: serializeFix(descriptor.fix, file, index) } : {}),
    });
  }
  findings.sort(compareFindings);

  // With --report-unused, directives in files no rule had to read count too.
  if (config.suppressions.reportUnused) {
    for (const f of readable) {
      if (suppressionsByFile.has(f.path)) continue;
      const t = readText(f.path);
      if (t?.includes('prodaudit-ignore')) suppressionsByFile.set(f.path, parseSuppressions(t));
    }
  }
  const suppressionRecords: SuppressionRecord[] = [];
  for (const [path, sups] of [...suppressionsByFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const s of sups) {
      suppressionRecords.push({ path, line: s.line, rules: [...s.rules], reason: s.reason, file: s.file, used: [...(usedSuppressions.get(`${path}:${s.line}`) ?? [])].sort() });
    }
  }

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

function addFramework(app: App, fw: ReturnType<typeof frameworkOfImport>): void {
  if (fw) app.frameworks.add(fw);
}

/** A rule applies to an app when its frameworks (if any) are detected there and the app has files of a kind it checks. */
export function applicable(rule: AnyRule, app: App): boolean {
  const fws = rule.meta.frameworks;
  if (fws && fws.length && !fws.some((f) => app.frameworks.has(f))) return false;
  return true;
}

function matchesTriggers(rule: AnyRule, text: string): boolean {
  const t = rule.meta.triggers;
  if (!t || t.length === 0) return true;
  return t.some((x) => (typeof x === 'string' ? text.includes(x) : x.test(text)));
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

function optionsOf(rule: AnyRule, config: Config): unknown {
  const s = config.rules[rule.meta.id];
  const raw = typeof s === 'object' ? s.options : undefined;
  return rule.options ? rule.options.parse(raw ?? {}) : (raw ?? {});
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

function safeParse<T>(fn: () => T, path: string, diagnostics: Diagnostic[]): T | undefined {
  try {
    return fn();
  } catch (error) {
    diagnostics.push({ path, message: `could not parse: ${(error as Error).message}`, level: 'skipped' });
    return undefined;
  }
}

/** Read a source file as text: binary files are skipped, UTF-16 (BOM) is decoded, invalid UTF-8 is replaced and reported. */
function readSource(root: string, f: DiscoveredFile, diagnostics: Diagnostic[], diagnosed: Set<string>, sources?: Map<string, SourceInfo>): string | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(resolve(root, f.path));
  } catch (error) {
    if (!diagnosed.has(f.path)) {
      diagnosed.add(f.path);
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') diagnostics.push({ path: f.path, message: `cannot read file (${code ?? (error as Error).message}); skipped`, level: 'skipped' });
    }
    return undefined;
  }
  const once = (d: Diagnostic) => {
    if (diagnosed.has(f.path)) return;
    diagnosed.add(f.path);
    diagnostics.push(d);
  };
  const decoded = decodeSource(buf);
  if ('binary' in decoded) {
    once({ path: f.path, message: 'binary content in a source file; skipped', level: 'skipped' });
    return undefined;
  }
  if (decoded.encoding === 'utf8-lossy') once({ path: f.path, message: 'not valid UTF-8; invalid bytes were replaced before auditing', level: 'partial' });
  sources?.set(f.path, { hash: contentHash(buf), encoding: decoded.encoding });
  return decoded.text;
}

function dedupeDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of list) {
    const k = `${d.path}\0${d.line ?? ''}\0${d.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0)));
}

/** Exposed for tests and reporters: effective severity order. */
export const SEVERITY_ORDER = ORDER;
