/**
 * The command line: args -> config -> engine -> reporter -> stdout / exit code.
 * Exit codes: 0 pass, 1 gate failed, 2 usage or config error, 3 internal error.
 * Only this file imports commander and ora, and only it decides the exit code.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Ora } from 'ora';
import { rules as allRules } from '../rules/index.js';
import { initConfig } from './ci/init.js';
import { CONFIG_FILES, ConfigError, findConfig, loadConfig, parseConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { DEPS_FORMATS, dependencyReport, type DepsFormat } from './deps/report.js';
import { ENV_FORMATS, envInventory, envReport, exampleUpdates, writeExamples, type EnvFormat } from './env/report.js';
import { explain } from './docs/explain.js';
import { BaselineError } from './ci/baseline.js';
import { GitError } from './ci/changed.js';
import { OutputSpecError } from './ci/outputs.js';
import { addCiOptions, emitReports, gateReasons, postProcess, withCiFlags, type CiCliOptions } from './ci/run.js';
import { auditDirectory, type RunStats } from './engine/audit.js';
import { combinedPatch } from './engine/diff.js';
import { computeFixes, writeFixes } from './engine/fix.js';
import { scrubSecrets } from './engine/redact.js';
import type { AuditResult } from './engine/result.js';
import type { AnyRule } from './engine/rule.js';
import { SEVERITIES, type Severity } from './engine/types.js';
import { fixSummary } from './reporters/fix-summary.js';
import { reporters, type ReporterName } from './reporters/index.js';
import { TOOL_VERSION } from './version.js';

const EXIT = { ok: 0, gate: 1, usage: 2, internal: 3 } as const;
const FORMATS = Object.keys(reporters) as ReporterName[];

export interface AuditCliOptions extends CiCliOptions {
  format: ReporterName[];
  failOn?: Severity;
  minScore?: number;
  ci?: boolean;
  config?: string;
  ignore: string[];
  color: boolean;
  includeNonProduction?: boolean;
  only?: string[];
  verbose?: boolean;
  workers?: number;
  cache?: boolean;
  fix?: boolean;
  unsafeFixes?: boolean;
  diff?: boolean;
  patch?: string;
  strict?: boolean;
}

class UsageError extends Error {}

export async function main(
  argv: readonly string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void } = defaultIo(),
  /** Docs generation: receive the configured program instead of running it. */
  inspect?: (program: Command) => void,
): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('prodaudit')
    .description('Production-readiness auditor for web backends (Flask, Django, FastAPI, Express, NestJS, Next.js).')
    .version(TOOL_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run `prodaudit --help` for usage)');

  const auditCmd = program
    .command('audit [path]', { isDefault: true })
    .description('audit a repository (default command); path defaults to the current folder')
    .addOption(new Option('-f, --format <format>', `report format (repeatable): ${FORMATS.join(', ')}`).choices(FORMATS).argParser(collectFormat).default([]));
  addCiOptions(auditCmd)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity is open').choices(SEVERITIES as string[]))
    .option('--min-score <n>', 'exit 1 when the overall score is below n (0-100)', parseScore)
    .option('--ci', 'CI mode: no spinner, no colour, --fail-on high unless set')
    .option('-c, --config <file>', 'config file (default: .prodaudit.yml in the audited folder)')
    .option('--ignore <pattern>', 'gitignore-style pattern to skip (repeatable)', collect, [])
    .option('--no-color', 'plain output (also when NO_COLOR is set or stdout is not a terminal)')
    .option('--include-non-production', 'also report findings in tests, examples and dev-only config (as info)')
    .option('--only <rules>', 'run only these rule ids (comma-separated)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--verbose', 'show passed and not-applicable categories')
    .option('--workers <n>', 'threads for parsing and rules (default: 2+ only on large repositories)', parseWorkers)
    .option('--no-cache', 'do not read or write the content-hash cache (.prodaudit-cache/)')
    .option('--strict', 'exit 1 when any diagnostic was raised (unreadable, binary, oversized or unparseable files)')
    .option('--fix', 'apply safe fixes, re-audit, repeat (at most 5 passes); the report shows the result')
    .option('--unsafe-fixes', 'with --fix, --diff or --patch: also apply unsafe fixes (review them)')
    .option('--diff', 'print the fixes as unified diffs instead of a report; writes nothing')
    .option('--patch <file>', 'write one patch with all selected fixes (for `git apply`)')
    .action(async (path: string | undefined, opts: AuditCliOptions) => {
      exitCode = await runAudit(path ?? '.', opts, io);
    });

  program
    .command('fix [path]')
    .description('apply fixes (same as `audit --fix`); --unsafe-fixes adds unsafe ones, --diff only shows them')
    .option('--unsafe-fixes', 'also apply unsafe fixes (review them)')
    .option('--diff', 'print unified diffs; writes nothing')
    .option('--patch <file>', 'write one patch instead of changing files')
    .option('-c, --config <file>', 'config file')
    .option('--ignore <pattern>', 'gitignore-style pattern to skip (repeatable)', collect, [])
    .option('--only <rules>', 'fix only findings of these rule ids (comma-separated)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--no-color', 'plain output')
    .action(async (path: string | undefined, opts: Partial<AuditCliOptions>) => {
      const fix = !opts.diff && !opts.patch;
      exitCode = await runAudit(path ?? '.', { format: [], ignore: [], color: true, ...opts, fix }, io);
    });

  program
    .command('checklist [path]')
    .description('write the markdown production-readiness checklist (for a pull request or a planning doc)')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('-c, --config <file>', 'config file')
    .option('--baseline <file>', 'show the score change against this baseline and mark new items')
    .action(async (path: string | undefined, opts: { output?: string; config?: string; baseline?: string }) => {
      exitCode = await runAudit(
        path ?? '.',
        { format: ['markdown'], output: opts.output ? [opts.output] : [], config: opts.config, baseline: opts.baseline, ignore: [], color: false },
        io,
        { checklist: true },
      );
    });

  program
    .command('init [path]')
    .description('write a commented .prodaudit.yml for the detected frameworks')
    .option('-o, --output <file>', 'config file to write (default: .prodaudit.yml in the folder)')
    .option('--force', 'overwrite an existing config file')
    .action(async (path: string | undefined, opts: { output?: string; force?: boolean }) => {
      exitCode = await runInit(path ?? '.', opts, io);
    });

  program
    .command('baseline [path]')
    .description('record the current findings as the baseline (default .prodaudit-baseline.json), so CI fails only on new ones')
    .option('-o, --output <file>', 'baseline file to write')
    .option('-c, --config <file>', 'config file')
    .action(async (path: string | undefined, opts: { output?: string; config?: string }) => {
      exitCode = await runAudit(path ?? '.', { format: [], updateBaseline: opts.output ?? true, config: opts.config, ignore: [], color: false }, io, { quiet: true });
    });

  program
    .command('rules')
    .description('list every rule with its category and default severity')
    .option('--format <format>', 'text or json', 'text')
    .action((opts: { format: string }) => {
      io.stdout(listRules(allRules, opts.format === 'json'));
    });

  reportCommand(program, 'deps', 'list runtimes and direct dependencies per app: pinned version, newest in the shipped table, EOL status, advisories (offline)', Object.keys(DEPS_FORMATS))
    .action(async (path: string | undefined, opts: ReportCliOptions<DepsFormat>) => {
      const root = projectRoot(path ?? '.');
      emitReport('deps', opts, DEPS_FORMATS[opts.format](await dependencyReport(root, { ignore: reportIgnores(root, opts) })), io);
    });

  reportCommand(program, 'env', 'list the environment variables the code reads: where, default, secret-looking, documented in .env.example, required; and documented ones never read', Object.keys(ENV_FORMATS))
    .option('--write-example', 'create .env.example or append the undocumented variables to it (never a secret value; existing lines untouched), then print what was written')
    .action(async (path: string | undefined, opts: ReportCliOptions<EnvFormat> & { writeExample?: boolean }) => {
      const root = projectRoot(path ?? '.');
      const inventory = await envInventory(root, { ignore: reportIgnores(root, opts) });
      if (opts.writeExample) {
        const written = writeExamples(inventory.root, exampleUpdates(inventory));
        io.stdout(written.text);
        if (!written.ok) exitCode = EXIT.gate;
      } else emitReport('env', opts, ENV_FORMATS[opts.format](envReport(inventory)), io);
    });

  program
    .command('explain <rule>')
    .description("print a rule's documentation: what it finds, why it matters, how to fix it")
    .action((id: string) => {
      const rule = allRules.find((r) => r.meta.id === id);
      if (!rule) {
        const near = allRules.map((r) => r.meta.id).filter((x) => x.includes(id) || id.includes(x.split('-')[0]!));
        throw new UsageError(`unknown rule "${id}"${near.length ? ` (did you mean ${near.slice(0, 3).join(', ')}?)` : ''}; run \`prodaudit rules\` for the list`);
      }
      io.stdout(explain(rule));
    });

  if (inspect) {
    inspect(program);
    return exitCode;
  }
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage; // commander already printed the message
    }
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof BaselineError || error instanceof GitError || error instanceof OutputSpecError) {
      io.stderr(`prodaudit: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`prodaudit: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.internal;
  }
}

async function runAudit(
  pathArg: string,
  opts: AuditCliOptions,
  io: { stdout: (s: string) => void; stderr: (s: string) => void },
  mode: { checklist?: boolean; quiet?: boolean } = {},
): Promise<number> {
  const root = projectRoot(pathArg);
  const ci = !!opts.ci;
  const knownIds = new Set(allRules.map((r) => r.meta.id));
  const { config: loaded } = loadConfig(root, opts.config ? resolve(opts.config) : undefined, knownIds);
  const config = withCiFlags(loaded, opts);
  let rules: readonly AnyRule[] = allRules;
  if (opts.only?.length) {
    const unknown = opts.only.filter((id) => !knownIds.has(id));
    if (unknown.length) throw new UsageError(`unknown rule id in --only: ${unknown.join(', ')}`);
    rules = allRules.filter((r) => opts.only!.includes(r.meta.id));
  }
  const effective: Config = { ...config, includeNonProduction: opts.includeNonProduction ?? config.includeNonProduction };
  const interactive = !ci && !process.env.CI && process.stderr.isTTY === true;
  let spinner: Ora | undefined;
  // Loaded only for a terminal: ora's string-width builds Unicode property regexes on load (38 ms).
  if (interactive) spinner = (await import('ora')).default({ text: 'Discovering files…', stream: process.stderr }).start();
  let raw: AuditResult;
  let fixNote: string | undefined;
  try {
    const auditOptions = {
      rules,
      config: effective,
      ignore: opts.ignore,
      workers: opts.workers,
      cache: opts.cache !== false,
      onStats: process.env.PRODAUDIT_STATS ? (s: RunStats) => io.stderr(`prodaudit: stats ${JSON.stringify(s)}\n`) : undefined,
      onProgress: spinner ? (done: number, total: number) => (spinner!.text = `Auditing ${done}/${total} files…`) : undefined,
    };
    if (opts.fix || opts.diff || opts.patch) {
      const fixed = await runFixes(root, auditOptions, opts, io);
      if (!fixed) return EXIT.ok; // --diff: the diff is the output
      ({ result: raw, note: fixNote } = fixed);
    } else raw = await auditDirectory(root, auditOptions);
  } finally {
    spinner?.stop();
  }
  const result = postProcess(raw, root, opts, config, rules, io, { keepKnown: mode.checklist });
  if (mode.quiet) return EXIT.ok;
  const color = !ci && opts.color !== false && !process.env.NO_COLOR && process.stdout.isTTY === true;
  emitReports(result, opts.format, opts, { root, color, rules, verbose: opts.verbose }, io);
  if (fixNote) (opts.format.length <= 1 && (opts.format[0] ?? 'text') === 'text' && !opts.output?.length ? io.stdout : io.stderr)(`\n${fixNote}`);
  // Writing a baseline accepts the findings it records: that run passes.
  if (opts.updateBaseline || mode.checklist) return EXIT.ok;
  return gate(result, opts, config, io);
}

/**
 * --fix / --diff / --patch: compute every fix in memory (audit, fix, re-audit, at most 5 passes),
 * then print the diff (--diff: returns undefined, nothing else is printed), write the patch, and
 * with --fix write the files. Returns the audit to report: after the fixes with --fix, else before.
 */
async function runFixes(root: string, auditOptions: Parameters<typeof computeFixes>[1], opts: AuditCliOptions, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<{ result: AuditResult; note: string } | undefined> {
  const run = await computeFixes(root, auditOptions, { unsafe: !!opts.unsafeFixes });
  const patch = combinedPatch(run.changes);
  if (opts.diff) {
    // --diff goes to terminals and CI logs: secrets on changed or context lines are masked
    // (docs/security.md). --patch FILE writes the exact text, so `git apply` can use it.
    io.stdout(scrubSecrets(patch.text));
    io.stderr(fixSummary(run, { mode: 'preview', omitted: patch.omitted }));
    return undefined;
  }
  if (opts.patch) {
    const out = resolve(opts.patch);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, patch.text);
  }
  if (!opts.fix) return { result: run.initial, note: fixSummary(run, { mode: 'preview', patchFile: opts.patch, omitted: patch.omitted }) };
  const write = writeFixes(root, run.changes);
  // A refused file keeps its findings: report what is on disk now.
  const result = write.refused.length ? await auditDirectory(root, auditOptions) : run.final;
  return { result, note: fixSummary(run, { mode: 'write', write, patchFile: opts.patch, omitted: patch.omitted }) };
}

function gate(result: AuditResult, opts: AuditCliOptions, config: Config, io: { stderr: (s: string) => void }): number {
  const failOn = opts.failOn;
  const reasons = gateReasons(result, { ...(failOn ? { failOn } : {}), ...(opts.minScore !== undefined ? { minScore: opts.minScore } : {}), ci: !!opts.ci }, config);
  const n = result.diagnostics.length;
  if (opts.strict && n) reasons.push(`--strict: ${n} diagnostic${n === 1 ? '' : 's'} (files that could not be fully audited)`);
  if (reasons.length) {
    io.stderr(`prodaudit: gate failed: ${reasons.join('; ')}\n`);
    return EXIT.gate;
  }
  return EXIT.ok;
}

async function runInit(pathArg: string, opts: { output?: string; force?: boolean }, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const root = projectRoot(pathArg);
  const target = opts.output ? resolve(opts.output) : resolve(root, CONFIG_FILES[0]!);
  const existing = opts.output ? (existsSync(target) ? target : undefined) : findConfig(root);
  if (existing && !opts.force) throw new UsageError(`${existing} already exists (use --force to overwrite)`);
  const result = await auditDirectory(root, { rules: allRules });
  const text = initConfig(result, allRules);
  parseConfig(text, target, new Set(allRules.map((r) => r.meta.id))); // what init writes must load
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  io.stderr(`prodaudit: wrote ${target} (${result.apps.map((a) => a.frameworks.join('+') || a.ecosystems.join('+') || 'no framework').join(', ') || 'no app'} detected)\n`);
  return EXIT.ok;
}

/** The folder a command works on, resolved; a clear usage error when it is missing or not a folder. */
function projectRoot(pathArg: string): string {
  const root = resolve(pathArg);
  if (!existsSync(root)) throw new UsageError(`path does not exist: ${pathArg}`);
  if (!statSync(root).isDirectory()) throw new UsageError(`not a directory: ${pathArg} (prodaudit works on a project folder)`);
  return root;
}

interface ReportCliOptions<F extends string> {
  format: F;
  output?: string;
  config?: string;
  ignore: string[];
}

/** A report command (`deps`, `env`): a path, a format, an output file, and the config's and command line's ignores. */
function reportCommand(program: Command, name: string, description: string, formats: readonly string[]): Command {
  return program
    .command(`${name} [path]`)
    .description(description)
    .addOption(new Option('-f, --format <format>', 'text, json or markdown').choices(formats).default('text'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('-c, --config <file>', 'config file (its ignore patterns apply)')
    .option('--ignore <pattern>', 'gitignore-style pattern to skip (repeatable)', collect, []);
}

function reportIgnores(root: string, opts: ReportCliOptions<string>): string[] {
  const { config } = loadConfig(root, opts.config ? resolve(opts.config) : undefined, new Set(allRules.map((r) => r.meta.id)));
  return [...config.ignore, ...opts.ignore];
}

function emitReport(name: string, opts: ReportCliOptions<string>, text: string, io: { stdout: (s: string) => void; stderr: (s: string) => void }): void {
  if (!opts.output) return io.stdout(text);
  mkdirSync(dirname(resolve(opts.output)), { recursive: true });
  writeFileSync(resolve(opts.output), text);
  io.stderr(`prodaudit: ${name} ${opts.format} report written to ${opts.output}\n`);
}

function listRules(rules: readonly AnyRule[], asJson: boolean): string {
  const sorted = [...rules].sort((a, b) => a.meta.category.localeCompare(b.meta.category) || a.meta.id.localeCompare(b.meta.id));
  if (asJson) {
    return `${JSON.stringify(
      sorted.map(({ meta: m }) => ({ id: m.id, title: m.title, category: m.category, severity: m.severity, frameworks: m.frameworks ?? [], fixable: m.fixable })),
      null,
      2,
    )}\n`;
  }
  const w = Math.max(...sorted.map((r) => r.meta.id.length), 4);
  const lines = [`${'RULE'.padEnd(w)}  ${'CATEGORY'.padEnd(13)}  ${'SEVERITY'.padEnd(8)}  FIX  TITLE`];
  for (const { meta: m } of sorted) lines.push(`${m.id.padEnd(w)}  ${m.category.padEnd(13)}  ${m.severity.padEnd(8)}  ${m.fixable === 'none' ? '   ' : 'yes'}  ${m.title}`);
  lines.push('', `${sorted.length} rules. \`prodaudit explain <rule>\` prints a rule's documentation.`);
  return `${lines.join('\n')}\n`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function collectFormat(value: string, previous: ReporterName[] | undefined): ReporterName[] {
  if (!FORMATS.includes(value as ReporterName)) throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`);
  return [...(previous ?? []), value as ReporterName];
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('expected a whole number from 1 to 64');
  return n;
}

function parseScore(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('expected a number from 0 to 100');
  return n;
}

function defaultIo() {
  return { stdout: (s: string) => void process.stdout.write(s), stderr: (s: string) => void process.stderr.write(s) };
}
