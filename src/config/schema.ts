/** `.prodaudit.yml`, validated here; defaults filled here. `npm run schema` writes schema/prodaudit.schema.json from it. */
import { z } from 'zod';
import { CONTEXT_DOCS, CONTEXT_KEYS, type ContextKey } from '../engine/types.js';

export const Level = z.enum(['off', 'info', 'low', 'medium', 'high', 'critical']);
export type Level = z.infer<typeof Level>;

export const RuleSetting = z.union([Level, z.strictObject({ level: Level.optional(), options: z.unknown().optional() })]);
export type RuleSetting = z.infer<typeof RuleSetting>;

const RulesSchema = z
  .record(z.string(), RuleSetting)
  .describe('Rule levels and options by rule id: `debug-mode-enabled: off`, `cors-wildcard: { level: critical }`.');

/** `true`, or the reason as a string (shown where the rules it makes moot are reported as not applicable). */
const ContextValue = z.union([z.boolean(), z.string().min(1)]);
export const ContextSchema = z
  .strictObject(Object.fromEntries(CONTEXT_KEYS.map((k) => [k, ContextValue.optional().describe(`${CONTEXT_DOCS[k]}. true, or the reason as a string.`)])) as Record<ContextKey, z.ZodOptional<typeof ContextValue>>)
  .describe('Deployment facts the repository cannot show. Rules these make moot are reported as not applicable, with the reason.');
export type DeploymentContext = z.infer<typeof ContextSchema>;

/** Config comes from the audited repository, which is not trusted: its paths stay inside the audited folder. */
const noParent = (p: string) => !p.replace(/\\/g, '/').split('/').includes('..');
const InsidePattern = z.string().refine(noParent, { message: 'a pattern with `..` would reach outside the audited folder; refused' });
const InsidePath = z
  .string()
  .refine((p) => noParent(p) && !/^([A-Za-z]:)?[\\/]/.test(p), { message: 'must be a path inside the audited folder (relative, no `..`); refused' });

const FailOn = Level.describe('Exit 1 when a finding at or above this severity is open (with --ci or --fail-on).');
const MinScore = z.number().min(0).max(100).describe('Exit 1 when the score is below this.');

/** Settings for one app of a monorepo, keyed by its root folder (as `prodaudit` lists it). */
export const AppSettings = z.strictObject({
  rules: RulesSchema.optional(),
  /** gitignore-style patterns, relative to the app's folder. */
  ignore: z.array(InsidePattern).optional().describe("gitignore-style patterns relative to the app's folder."),
  failOn: FailOn.optional(),
  minScore: MinScore.optional(),
  context: ContextSchema.optional(),
});
export type AppSettings = z.infer<typeof AppSettings>;

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional().describe('JSON schema for editors; ignored by prodaudit.'),
  rules: RulesSchema.default({}),
  /** gitignore-style patterns on top of .gitignore and the built-in ignores. */
  ignore: z.array(InsidePattern).default([]).describe('gitignore-style patterns to skip, on top of .gitignore and the built-in ignores.'),
  failOn: FailOn.optional(),
  minScore: MinScore.optional(),
  /** Exit 1 when the score drops below the baseline's (with --baseline). */
  failOnRegression: z.boolean().default(false).describe("Exit 1 when the score drops below the baseline's score (needs a baseline)."),
  /** Baseline file (relative to the audited folder): only findings not in it are reported and gated. */
  baseline: InsidePath.optional().describe('Baseline file, relative to the audited folder: only new findings are reported and gated.'),
  /** Also report findings in tests, examples and dev-only config (as info, unscored). */
  includeNonProduction: z.boolean().default(false).describe('Also report findings in tests, examples and dev-only config, as info.'),
  /** Files larger than this many bytes are skipped with a diagnostic. */
  maxFileSize: z.number().int().positive().optional().describe('Files larger than this many bytes are skipped with a diagnostic.'),
  suppressions: z
    .strictObject({
      requireReasons: z.boolean().default(false).describe('A prodaudit-ignore comment without a reason suppresses nothing and is reported.'),
      reportUnused: z.boolean().default(false).describe('Report prodaudit-ignore comments that suppress nothing.'),
    })
    .default({ requireReasons: false, reportUnused: false }),
  context: ContextSchema.default({}),
  apps: z.record(InsidePath, AppSettings).default({}).describe('Per-app settings in a monorepo, keyed by the app folder (e.g. services/api).'),
});
export type Config = z.infer<typeof ConfigSchema>;

export const DEFAULT_CONFIG: Config = ConfigSchema.parse({});

/** The settings that apply inside one app: the app's entries win over the top-level ones. */
export interface AppConfig {
  readonly rules: Readonly<Record<string, RuleSetting>>;
  readonly context: DeploymentContext;
  readonly failOn?: Level;
  readonly minScore?: number;
}

export function appConfig(config: Config, appRoot: string): AppConfig {
  const own = Object.entries(config.apps).find(([k]) => normalizeAppKey(k) === appRoot)?.[1];
  if (!own) return config;
  return {
    rules: { ...config.rules, ...own.rules },
    context: { ...config.context, ...own.context },
    failOn: own.failOn ?? config.failOn,
    minScore: own.minScore ?? config.minScore,
  };
}

/** Why a rule is moot in this context ("tlsTerminatedAtProxy: TLS ends at the ALB"), or undefined. */
export function mootReason(mootWhen: readonly ContextKey[] | undefined, context: DeploymentContext): string | undefined {
  for (const key of mootWhen ?? []) {
    const v = context[key];
    if (v === undefined || v === false) continue;
    return typeof v === 'string' ? `context ${key}: ${v}` : `context ${key}: ${CONTEXT_DOCS[key]}`;
  }
  return undefined;
}

/** `./services/api/` -> `services/api`; `.` -> '' (the root app). */
export function normalizeAppKey(key: string): string {
  return key.replace(/^\.?\/+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

/** Per-app ignore patterns, rewritten relative to the audited root. */
export function appIgnores(config: Config): string[] {
  const out: string[] = [];
  for (const [root, app] of Object.entries(config.apps)) {
    const base = normalizeAppKey(root);
    for (const raw of app.ignore ?? []) {
      const neg = raw.startsWith('!');
      const p = neg ? raw.slice(1) : raw;
      const rel = p.startsWith('/') ? p.slice(1) : p.replace(/\/$/, '').includes('/') ? p : `**/${p}`;
      out.push(`${neg ? '!' : ''}${base ? `/${base}/` : '/'}${rel}`);
    }
  }
  return out;
}
