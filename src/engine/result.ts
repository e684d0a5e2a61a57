/**
 * AuditResult: the only thing reporters see, and the versioned JSON contract
 * (`--format json`). Changing its shape means bumping SCHEMA_VERSION.
 */
import { z } from 'zod';

export const SCHEMA_VERSION = '1.1.0';

const Severity = z.enum(['critical', 'high', 'medium', 'low', 'info']);
const Category = z.enum(['security', 'configuration', 'data', 'operations', 'accounts', 'performance']);

export const LocationSchema = z.object({
  path: z.string(),
  startLine: z.number().int().min(1),
  startColumn: z.number().int().min(1),
  endLine: z.number().int().min(1),
  endColumn: z.number().int().min(1),
});

/** 1-based line/column span of an edit (end exclusive), for consumers that cannot use offsets (SARIF). */
export const EditRangeSchema = z.object({
  startLine: z.number().int().min(1),
  startColumn: z.number().int().min(1),
  endLine: z.number().int().min(1),
  endColumn: z.number().int().min(1),
});
export const EditSchema = z.object({
  path: z.string(),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  text: z.string(),
  range: EditRangeSchema.optional(),
});
export const FixSchema = z.object({
  title: z.string(),
  applicability: z.enum(['safe', 'unsafe']),
  edits: z.array(EditSchema),
  newFiles: z.array(z.object({ path: z.string(), text: z.string() })).optional(),
  envVars: z.array(z.object({ name: z.string(), description: z.string() })).optional(),
  followUp: z.string().optional(),
});

export const FindingSchema = z.object({
  ruleId: z.string(),
  title: z.string(),
  severity: Severity,
  confidence: z.enum(['high', 'medium', 'low']),
  category: Category,
  message: z.string(),
  location: LocationSchema,
  /** True when the finding is about the file or project as a whole (no meaningful range). */
  projectLevel: z.boolean(),
  snippet: z.string(),
  fingerprint: z.string(),
  app: z.string(),
  fix: FixSchema.optional(),
});

export const OutcomeSchema = z.object({
  ruleId: z.string(),
  title: z.string(),
  category: Category,
  severity: Severity,
  status: z.enum(['passed', 'failed', 'notApplicable', 'error', 'off']),
  findings: z.number().int().min(0),
  error: z.string().optional(),
  /** Why a not-applicable rule does not apply (the deployment context recorded in config). */
  reason: z.string().optional(),
});

export const CategoryScoreSchema = z.object({
  category: Category,
  score: z.number().nullable(),
  passed: z.number().int(),
  failed: z.number().int(),
  notApplicable: z.number().int(),
});

export const AppResultSchema = z.object({
  root: z.string(),
  name: z.string(),
  ecosystems: z.array(z.string()),
  frameworks: z.array(z.string()),
  score: z.number().nullable(),
  grade: z.string(),
  categories: z.array(CategoryScoreSchema),
  findings: z.number().int(),
});

export const DiagnosticSchema = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
  level: z.enum(['skipped', 'partial', 'warning']),
});

/** An inline `prodaudit-ignore` directive and the rules it actually suppressed in this run. */
export const SuppressionRecordSchema = z.object({
  path: z.string(),
  line: z.number().int().min(1),
  rules: z.array(z.string()),
  reason: z.string(),
  file: z.boolean(),
  used: z.array(z.string()),
});

/** A suppression comment that is wrong: suppresses nothing, has no reason, or names an unknown rule. */
export const SuppressionProblemSchema = z.object({
  path: z.string(),
  line: z.number().int().min(1),
  kind: z.enum(['unused', 'missingReason', 'unknownRule']),
  message: z.string(),
});

/** Fixing every finding of one rule: what the score would gain ("fix X: +N security, +M overall"). */
export const OpportunitySchema = z.object({
  ruleId: z.string(),
  title: z.string(),
  category: Category,
  findings: z.number().int(),
  /** Points the rule's category score gains. */
  categoryGain: z.number(),
  /** Points the overall score gains. */
  overallGain: z.number(),
  /** The grade after the fix, when it changes. */
  grade: z.string().optional(),
  autoFixable: z.boolean(),
});

export const FixedEntrySchema = z.object({ fingerprint: z.string(), ruleId: z.string(), path: z.string(), line: z.number().int().optional(), message: z.string() });

/** Set when the run compared against a baseline (`--baseline`): `findings` then holds only new ones. */
export const BaselineComparisonSchema = z.object({
  path: z.string(),
  score: z.number().nullable(),
  grade: z.string(),
  /** Findings present in the baseline too: hidden from `findings`, not gated. */
  unchanged: z.number().int(),
  /** Baseline entries no longer found. */
  fixed: z.array(FixedEntrySchema),
  /** Set when known findings were kept (checklist): the fingerprints that are new. */
  newFingerprints: z.array(z.string()).optional(),
});

export const AuditResultSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('prodaudit'), version: z.string() }),
  root: z.string(),
  score: z.number().nullable(),
  grade: z.string(),
  /** Why the grade is lower than the score alone would give ("open critical finding"). */
  gradeCap: z.string().optional(),
  categories: z.array(CategoryScoreSchema),
  apps: z.array(AppResultSchema),
  outcomes: z.array(OutcomeSchema),
  findings: z.array(FindingSchema),
  suppressed: z.number().int(),
  /** Inline suppression directives seen in audited files, with what each suppressed. */
  suppressions: z.array(SuppressionRecordSchema).optional(),
  /** Reported with --require-reasons / --report-unused (they fail the gate). */
  suppressionProblems: z.array(SuppressionProblemSchema).optional(),
  /** Top score gains, best first. */
  opportunities: z.array(OpportunitySchema).optional(),
  baseline: BaselineComparisonSchema.optional(),
  /** Set with --changed-since: findings are limited to changed files and lines (project-level ones stay). */
  changedSince: z.object({ ref: z.string(), files: z.number().int(), hidden: z.number().int() }).optional(),
  diagnostics: z.array(DiagnosticSchema),
  stats: z.object({ files: z.number().int(), parsed: z.number().int(), bytes: z.number().int(), durationMs: z.number() }),
});

export type Location = z.infer<typeof LocationSchema>;
export type Finding = z.infer<typeof FindingSchema>;
export type RuleOutcome = z.infer<typeof OutcomeSchema>;
export type CategoryScore = z.infer<typeof CategoryScoreSchema>;
export type AppResult = z.infer<typeof AppResultSchema>;
export type AuditResult = z.infer<typeof AuditResultSchema>;
export type SuppressionRecord = z.infer<typeof SuppressionRecordSchema>;
export type SuppressionProblem = z.infer<typeof SuppressionProblemSchema>;
export type Opportunity = z.infer<typeof OpportunitySchema>;
export type BaselineComparison = z.infer<typeof BaselineComparisonSchema>;
export type FixedEntry = z.infer<typeof FixedEntrySchema>;
