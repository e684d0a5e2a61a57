/**
 * Baselines: adopt prodaudit on an old codebase without drowning in old findings. The file is
 * JSON of the stable fingerprints (rule + path + message + normalised line text + occurrence, so
 * it survives line moves and unrelated edits) plus the score it was taken at. Sorted and without
 * timestamps, so re-running on an unchanged tree gives the same bytes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { AuditResult, FixedEntry } from '../engine/result.js';

export const BASELINE_FILE = '.prodaudit-baseline.json';

const EntrySchema = z.object({ fingerprint: z.string(), ruleId: z.string(), path: z.string(), line: z.number().int().optional(), message: z.string() });
export const BaselineSchema = z.object({
  version: z.literal(1),
  tool: z.string(),
  score: z.number().nullable(),
  grade: z.string(),
  categories: z.record(z.string(), z.number().nullable()),
  findings: z.array(EntrySchema),
});
export type Baseline = z.infer<typeof BaselineSchema>;

export class BaselineError extends Error {}

export function createBaseline(result: AuditResult): Baseline {
  const findings: FixedEntry[] = result.findings
    .map((f) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, path: f.location.path, ...(f.projectLevel ? {} : { line: f.location.startLine }), message: f.message }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || (a.line ?? 0) - (b.line ?? 0) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || (a.fingerprint < b.fingerprint ? -1 : 1));
  return {
    version: 1,
    tool: `prodaudit ${result.tool.version}`,
    score: result.score,
    grade: result.grade,
    categories: Object.fromEntries(result.categories.map((c) => [c.category, c.score])),
    findings,
  };
}

export function writeBaseline(file: string, baseline: Baseline): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
}

export function readBaseline(file: string, shown = file): Baseline {
  if (!existsSync(file)) throw new BaselineError(`baseline file not found: ${shown} (create it with \`prodaudit baseline\`)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BaselineError(`${shown}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = BaselineSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BaselineError(`${shown}: not a prodaudit baseline (${issue.path.join('.') || '(root)'}: ${issue.message})`);
  }
  return parsed.data;
}

/**
 * Keep only findings the baseline does not know; list the baseline's findings that are gone.
 * With `keepKnown` every finding stays and `baseline.newFingerprints` says which are new.
 */
export function applyBaseline(result: AuditResult, baseline: Baseline, shown: string, { keepKnown = false }: { keepKnown?: boolean } = {}): AuditResult {
  const known = new Set(baseline.findings.map((f) => f.fingerprint));
  const current = new Set(result.findings.map((f) => f.fingerprint));
  const fresh = result.findings.filter((f) => !known.has(f.fingerprint));
  const fixed = baseline.findings.filter((f) => !current.has(f.fingerprint));
  return {
    ...result,
    findings: keepKnown ? result.findings : fresh,
    baseline: {
      path: shown,
      score: baseline.score,
      grade: baseline.grade,
      unchanged: result.findings.length - fresh.length,
      fixed,
      ...(keepKnown ? { newFingerprints: fresh.map((f) => f.fingerprint) } : {}),
    },
  };
}
