/**
 * The CI half of the command line, kept out of cli.ts: the flags for baselines, diff-aware runs,
 * suppression hygiene and several outputs; the post-processing of a result (suppression problems,
 * baseline, changed lines); writing every report; and the gate that decides exit code 1.
 */
import { execFileSync } from 'node:child_process';
import { SAFE_GIT } from '../engine/discover.js';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { rules as allRules } from '../../rules/index.js';
import { appConfig, type Config } from '../config/schema.js';
import type { AuditResult } from '../engine/result.js';
import type { AnyRule } from '../engine/rule.js';
import type { Severity } from '../engine/types.js';
import { githubSummary } from '../reporters/github.js';
import { reporters, type ReporterName, type ReporterOptions } from '../reporters/index.js';
import { applyBaseline, BASELINE_FILE, createBaseline, readBaseline, writeBaseline } from './baseline.js';
import { applyChangedSince, changedLines } from './changed.js';
import { planOutputs } from './outputs.js';
import { suppressionProblems } from './suppressions.js';

export interface CiCliOptions {
  output?: string[];
  outputSarif?: string;
  baseline?: string;
  updateBaseline?: string | boolean;
  changedSince?: string;
  requireReasons?: boolean;
  reportUnused?: boolean;
  failOnRegression?: boolean;
}

export type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

/** The audit command's CI flags. */
export function addCiOptions(cmd: Command): Command {
  return cmd
    .option('-o, --output <target>', 'write a report to a file: FORMAT=FILE (e.g. sarif=out.sarif; repeatable), or FILE for the first --format', collect, [])
    .option('--output-sarif <file>', 'also write SARIF to this file (same as --output sarif=FILE)')
    .option('--baseline <file>', 'report and gate only findings not in this baseline; list the fixed ones')
    .addOption(new Option('--update-baseline [file]', `write the current findings as the baseline (default: --baseline, config baseline, or ${BASELINE_FILE})`))
    .option('--changed-since <ref>', 'report only findings on files and lines changed since this git ref (project-level findings stay)', parseRef)
    .option('--require-reasons', 'a prodaudit-ignore comment without a reason suppresses nothing and fails the gate')
    .option('--report-unused', 'report prodaudit-ignore comments that suppress nothing (fails the gate)')
    .option('--fail-on-regression', "exit 1 when the score is below the baseline's score");
}

/** Flags that live in config too: the flag wins. */
export function withCiFlags(config: Config, opts: CiCliOptions): Config {
  return {
    ...config,
    suppressions: {
      requireReasons: opts.requireReasons ?? config.suppressions.requireReasons,
      reportUnused: opts.reportUnused ?? config.suppressions.reportUnused,
    },
    failOnRegression: opts.failOnRegression ?? config.failOnRegression,
  };
}

export function baselinePath(root: string, opts: CiCliOptions, config: Config): string | undefined {
  if (opts.baseline) return resolve(opts.baseline);
  if (config.baseline) return resolve(root, config.baseline);
  return undefined;
}

/**
 * After the engine: suppression problems, then (unless writing a new baseline) the baseline
 * filter, then the changed-lines filter. `keepKnown` keeps baseline findings (the checklist marks
 * new ones instead of hiding old ones).
 */
export function postProcess(
  raw: AuditResult,
  root: string,
  opts: CiCliOptions,
  config: Config,
  rules: readonly AnyRule[],
  io: Io,
  { keepKnown = false }: { keepKnown?: boolean } = {},
): AuditResult {
  let result = raw;
  // Every registered id is known, not only those selected with --only.
  const known = new Set([...allRules, ...rules].map((r) => r.meta.id));
  const problems = suppressionProblems(result, known, config.suppressions);
  if (problems.length || config.suppressions.requireReasons || config.suppressions.reportUnused) result = { ...result, suppressionProblems: problems };
  const base = baselinePath(root, opts, config);
  if (opts.updateBaseline) {
    const file = typeof opts.updateBaseline === 'string' ? resolve(opts.updateBaseline) : (base ?? resolve(root, BASELINE_FILE));
    writeBaseline(file, createBaseline(result));
    io.stderr(`prodaudit: baseline of ${result.findings.length} finding${result.findings.length === 1 ? '' : 's'} (score ${result.score ?? 'n/a'}) written to ${shown(file)}\n`);
  } else if (base) {
    result = applyBaseline(result, readBaseline(base, shown(base)), shown(base), { keepKnown });
  }
  if (opts.changedSince) result = applyChangedSince(result, opts.changedSince, changedLines(root, opts.changedSince));
  return result;
}

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel.split('\\').join('/') : file;
}

/** Write every requested report; stdout ones in order. Appends the job summary under GitHub Actions. */
export function emitReports(
  result: AuditResult,
  formats: readonly ReporterName[],
  opts: CiCliOptions,
  base: Omit<ReporterOptions, 'pathPrefix' | 'linkBase'> & { root: string },
  io: Io,
): void {
  const known = Object.keys(reporters) as ReporterName[];
  const outputs = [...(opts.output ?? []), ...(opts.outputSarif ? [`sarif=${opts.outputSarif}`] : [])];
  const plan = planOutputs(known, formats, outputs, 'text');
  const needsRepo = plan.some((t) => t.format !== 'text' && t.format !== 'json');
  const pathPrefix = needsRepo ? gitPrefix(base.root) : '';
  const linkBase = process.env.PRODAUDIT_LINK_BASE ?? githubBlobBase();
  for (const target of plan) {
    const color = base.color && !target.file && target.format === 'text';
    const text = reporters[target.format](result, { ...base, color, pathPrefix, ...(linkBase ? { linkBase } : {}) });
    if (target.file) {
      const out = resolve(target.file);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text);
      io.stderr(`prodaudit: ${target.format} report written to ${target.file}\n`);
    } else io.stdout(text);
  }
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary && plan.some((t) => t.format === 'github')) {
    try {
      appendFileSync(summary, githubSummary(result, { pathPrefix, ...(linkBase ? { linkBase } : {}) }));
    } catch (error) {
      io.stderr(`prodaudit: cannot append the job summary to GITHUB_STEP_SUMMARY (${(error as Error).message})\n`);
    }
  }
}

/** Root's path inside its git repository ("backend/"), so SARIF and annotations use repository paths. */
export function gitPrefix(root: string): string {
  try {
    return execFileSync('git', ['-C', root, ...SAFE_GIT, 'rev-parse', '--show-prefix'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function githubBlobBase(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = process.env;
  return server && repo && sha ? `${server}/${repo}/blob/${sha}/` : undefined;
}

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export interface GateOptions {
  failOn?: Severity;
  minScore?: number;
  ci?: boolean;
}

/** Every reason the run fails (exit 1); empty when it passes. */
export function gateReasons(result: AuditResult, opts: GateOptions, config: Config): string[] {
  const reasons: string[] = [];
  const thresholdFor = (app: string): Severity | undefined => {
    const level = opts.failOn ?? appConfig(config, app).failOn ?? (opts.ci ? 'high' : undefined);
    return level === 'off' ? undefined : level;
  };
  const over = result.findings.filter((f) => {
    const t = thresholdFor(f.app);
    return t !== undefined && RANK[f.severity] >= RANK[t];
  });
  if (over.length) {
    const levels = [...new Set(result.findings.map((f) => thresholdFor(f.app)).filter(Boolean))];
    reasons.push(`${over.length} ${result.baseline ? 'new ' : ''}finding${over.length === 1 ? '' : 's'} at or above ${levels.join('/')}`);
  }
  const minScore = opts.minScore ?? config.minScore;
  if (minScore !== undefined && result.score !== null && result.score < minScore) reasons.push(`score ${result.score} is below the minimum ${minScore}`);
  for (const app of result.apps) {
    const own = opts.minScore === undefined ? appConfig(config, app.root).minScore : undefined;
    if (own !== undefined && own !== config.minScore && app.score !== null && app.score < own) reasons.push(`app ${app.root || '.'} scores ${app.score}, below its minimum ${own}`);
  }
  if (config.failOnRegression) {
    if (!result.baseline) reasons.push('--fail-on-regression needs a baseline (--baseline FILE or `baseline:` in config)');
    else if (result.baseline.score !== null && result.score !== null && result.score < result.baseline.score) reasons.push(`score ${result.score} dropped below the baseline's ${result.baseline.score}`);
  }
  const problems = result.suppressionProblems?.length ?? 0;
  if (problems) reasons.push(`${problems} suppression problem${problems === 1 ? '' : 's'}`);
  return reasons;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseRef(value: string): string {
  if (!value || value.startsWith('-')) throw new InvalidArgumentError('expected a git ref (branch, tag or commit)');
  return value;
}
