/**
 * The rule contract: everything a rule author touches is defined here.
 * Rules find problems and describe them; the engine decides severity, scoring,
 * suppressions and which fixes apply (see ../../../shared/style.md §3).
 */
import type { ts } from 'ts-morph';
import type { Document, LineCounter } from 'yaml';
import type { PyModule } from '../parsers/python.js';
import type { ScriptModule } from '../parsers/script.js';
import type { EnvEntry } from '../parsers/env.js';
import type { DockerInstruction } from '../parsers/dockerfile.js';
import type { ProjectFacts } from './facts.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export type Confidence = 'high' | 'medium' | 'low';
export type Category = 'security' | 'configuration' | 'data' | 'operations' | 'accounts' | 'performance';
export const CATEGORIES: readonly Category[] = ['security', 'configuration', 'data', 'operations', 'accounts', 'performance'];

/**
 * How the engine hands files to rules. `json` is any *.json (parsed with positions);
 * `text` is every other file a rule may care about (Procfile, requirements*.txt,
 * *.toml, *.prisma, *.ini, .nvmrc, ...), given as text only.
 */
export const FILE_KINDS = ['python', 'script', 'yaml', 'json', 'env', 'dockerfile', 'text'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export type Framework = 'django' | 'flask' | 'fastapi' | 'express' | 'nestjs' | 'nextjs' | 'fastify' | 'koa' | 'react';
export const FRAMEWORKS: readonly Framework[] = ['django', 'flask', 'fastapi', 'express', 'nestjs', 'nextjs', 'fastify', 'koa', 'react'];
/** Every server framework: for rules about any web backend (not applicable to a front end or a library alone). */
export const BACKEND_FRAMEWORKS: readonly Framework[] = ['flask', 'django', 'fastapi', 'express', 'nestjs', 'nextjs', 'fastify', 'koa'];
export type Applicability = 'safe' | 'unsafe';

/**
 * Deployment facts a repository cannot show, declared in `.prodaudit.yml` under `context:`.
 * A rule lists in `meta.mootWhen` the keys that make it moot; the engine then reports it as
 * not applicable, with the reason the config recorded, instead of running it.
 */
export const CONTEXT_KEYS = ['tlsTerminatedAtProxy', 'platformHealthChecks', 'singleWorker'] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];
export const CONTEXT_DOCS: Readonly<Record<ContextKey, string>> = {
  tlsTerminatedAtProxy: 'TLS ends at a load balancer or reverse proxy in front of the app, which redirects HTTP to HTTPS and sets HSTS',
  platformHealthChecks: 'the platform (Kubernetes, ECS, Cloud Run, Heroku, ...) probes the app and restarts it; its probe is configured outside this repository',
  singleWorker: 'the app runs as exactly one process on purpose (in-process state, schedulers and caches are not shared across workers)',
};
export type FixAvailability = 'none' | 'sometimes' | 'always';
export type Effort = 'minutes' | 'hours' | 'days';

/** Half-open [start, end) offsets into the file text, in JS string indices (UTF-16 code units). */
export interface TextRange { readonly start: number; readonly end: number }
export interface TextEdit extends TextRange { readonly text: string }
/** A file a fix creates (e.g. `.env.example`, `migrations/env.py`). Never overwrites an existing file. */
export interface NewFile { readonly path: string; readonly text: string }

export interface Fix {
  /** Imperative: "Read FLASK_DEBUG from the environment". */
  readonly title: string;
  /** `safe`: applied by --fix. `unsafe`: needs --unsafe-fixes (behaviour may change). */
  readonly applicability: Applicability;
  /** Edits to the finding's own file: one logical change, never overlapping each other. */
  readonly edits: readonly TextEdit[];
  /** Files to create, paths relative to the audited root. */
  readonly newFiles?: readonly NewFile[];
  /** Environment variables the fix introduces: documented in .env.example. */
  readonly envVars?: readonly { readonly name: string; readonly description: string }[];
  /** A command the user must run afterwards ("flask db init && flask db migrate"). */
  readonly followUp?: string;
}

export interface RuleDocs {
  /** What goes wrong in production. */
  readonly why: string;
  /** What to do instead (and, for unsafe fixes, why the fix is unsafe). */
  readonly fix: string;
  readonly whenNotTo?: string;
  readonly references: readonly string[];
  readonly examples?: readonly { readonly file: string; readonly bad: string; readonly good: string }[];
}

/**
 * A substring, a regular expression, or a predicate on the text (with the rule's parsed options
 * and the file's kind) for conditions a regex says badly, such as "more than maxLines lines".
 */
export type Trigger = string | RegExp | ((text: string, options: unknown, kind: FileKind, app: TriggerApp) => boolean);

/**
 * What a trigger may know about the file's app: its manifests' dependencies and the frameworks
 * they (and manage.py) show, before the pass adds those of imports (both in the cache key already:
 * appsDigest of the pre-pass facts).
 */
export interface TriggerApp {
  readonly root: string;
  readonly dependencies: ReadonlyMap<string, { readonly name: string; readonly ecosystem: 'python' | 'node'; readonly dev: boolean }>;
  readonly frameworks: ReadonlySet<Framework>;
}

export interface RuleMeta<M extends string = string> {
  /** kebab-case; = file name in rules/ = folder in fixtures/ */
  readonly id: string;
  /** Short noun phrase for tables and SARIF shortDescription. */
  readonly title: string;
  readonly category: Category;
  /** Default; config can override or turn the rule off. */
  readonly severity: Severity;
  readonly confidence: Confidence;
  /** The rule is "not applicable" (unscored) unless one of these is detected. Omit: any backend. */
  readonly frameworks?: readonly Framework[];
  readonly fixable: FixAvailability;
  /** Rough effort to fix one finding by hand, for checklists. */
  readonly effort: Effort;
  readonly cwe?: readonly string[];
  /**
   * Cheap text triggers: a file matching none of these is never parsed for this rule. Omit: every
   * file of its kinds. A trigger must hold on every file the rule could report on: it is the
   * shape of the problem ("DEBUG" near "True"), not its topic ("settings"), so most files fail it.
   */
  readonly triggers?: readonly Trigger[];
  /** Deployment-context keys (`.prodaudit.yml` `context:`) that make this rule moot: reported as not applicable. */
  readonly mootWhen?: readonly ContextKey[];
  /** By default findings in tests, examples and dev-only config are dropped; a rule about such files sets this. */
  readonly includeNonProduction?: boolean;
  /** Message templates with {placeholders}, one per variant. */
  readonly messages: Readonly<Record<M, string>>;
  readonly docs: RuleDocs;
}

export interface ReportDescriptor<M extends string> {
  readonly messageId: M;
  readonly data?: Readonly<Record<string, string | number>>;
  readonly at: TextRange;
  readonly fix?: Fix;
  /** Override severity for this variant (e.g. wildcard CORS + credentials is critical). */
  readonly severity?: Severity;
  /** Override confidence for this variant. */
  readonly confidence?: Confidence;
  /** Secret values inside `at` to redact from snippets and messages. */
  readonly secrets?: readonly string[];
}

interface BaseContext<M extends string, O> {
  /** Root-relative POSIX path. */
  readonly path: string;
  readonly text: string;
  readonly project: ProjectFacts;
  readonly options: O;
  report(descriptor: ReportDescriptor<M>): void;
}

export interface YamlFile {
  readonly docs: readonly Document.Parsed[];
  readonly lineCounter: LineCounter;
}

export interface ContextByKind<M extends string, O> {
  python: BaseContext<M, O> & { readonly py: PyModule };
  script: BaseContext<M, O> & { readonly js: ScriptModule; readonly ast: ts.SourceFile };
  yaml: BaseContext<M, O> & YamlFile;
  json: BaseContext<M, O> & { readonly doc: Document.Parsed; readonly value: unknown };
  env: BaseContext<M, O> & { readonly entries: readonly EnvEntry[] };
  dockerfile: BaseContext<M, O> & { readonly instructions: readonly DockerInstruction[] };
  text: BaseContext<M, O>;
}

/** Project-level checks report against a file, optionally without a range (whole-file finding). */
export interface ProjectContext<M extends string, O> {
  readonly project: ProjectFacts;
  readonly options: O;
  report(descriptor: Omit<ReportDescriptor<M>, 'at'> & { readonly file: string; readonly at?: TextRange }): void;
}

export type Checks<M extends string, O> = {
  readonly [K in FileKind]?: (ctx: ContextByKind<M, O>[K]) => void;
} & {
  readonly project?: (ctx: ProjectContext<M, O>) => void;
};
