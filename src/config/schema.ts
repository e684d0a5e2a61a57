/** `.prodaudit.yml`, validated here; defaults filled here. */
import { z } from 'zod';

export const Level = z.enum(['off', 'info', 'low', 'medium', 'high', 'critical']);
export type Level = z.infer<typeof Level>;

export const RuleSetting = z.union([Level, z.strictObject({ level: Level.optional(), options: z.unknown().optional() })]);

export const ConfigSchema = z.strictObject({
  /** Rule levels and options: `debug-mode-enabled: off`, `cors-wildcard: { level: critical }`. */
  rules: z.record(z.string(), RuleSetting).default({}),
  /** gitignore-style patterns on top of .gitignore and the built-in ignores. */
  ignore: z.array(z.string()).default([]),
  /** Exit 1 when a finding at or above this severity is open (with --ci or --fail-on). */
  failOn: Level.optional(),
  /** Exit 1 when the overall score is below this. */
  minScore: z.number().min(0).max(100).optional(),
  /** Also report findings in tests, examples and dev-only config (as info, unscored). */
  includeNonProduction: z.boolean().default(false),
  /** Files larger than this many bytes are skipped with a diagnostic. */
  maxFileSize: z.number().int().positive().optional(),
});
export type Config = z.infer<typeof ConfigSchema>;

export const DEFAULT_CONFIG: Config = ConfigSchema.parse({});
