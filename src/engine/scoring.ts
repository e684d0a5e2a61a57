/**
 * Score, the Lighthouse way (docs/scoring.md): each applicable rule is an audit that passes
 * or fails; a category's score is the severity-weighted share of passed audits; the overall
 * score is the weighted mean of the categories that have audits; an open critical finding
 * caps the grade (as SSL Labs caps a grade). Weights live here, never in rule files.
 */
import type { CategoryScore, RuleOutcome } from './result.js';
import { CATEGORIES, type Category, type Severity } from './types.js';

export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { critical: 10, high: 5, medium: 3, low: 1, info: 0 };
export const CATEGORY_WEIGHT: Readonly<Record<Category, number>> = {
  security: 35,
  configuration: 15,
  data: 20,
  operations: 15,
  accounts: 10,
  performance: 5,
};
export const GRADES: readonly { readonly grade: string; readonly min: number }[] = [
  { grade: 'A', min: 90 },
  { grade: 'B', min: 80 },
  { grade: 'C', min: 70 },
  { grade: 'D', min: 60 },
  { grade: 'F', min: 0 },
];
/** The best grade a result with an open finding of this severity can have. */
export const GRADE_CAP: Partial<Record<Severity, string>> = { critical: 'D', high: 'B' };

/** Weighted share of passed audits, 0..100; not-applicable, off and crashed rules carry no weight. Null when nothing counted. */
export function score(outcomes: readonly RuleOutcome[], weights = SEVERITY_WEIGHT): number | null {
  let total = 0;
  let passed = 0;
  for (const o of outcomes) {
    if (o.status !== 'passed' && o.status !== 'failed') continue;
    total += weights[o.severity];
    if (o.status === 'passed') passed += weights[o.severity];
  }
  return total === 0 ? null : Math.round((passed / total) * 100);
}

export function categoryScores(outcomes: readonly RuleOutcome[]): CategoryScore[] {
  return CATEGORIES.map((category) => {
    const mine = outcomes.filter((o) => o.category === category);
    return {
      category,
      score: score(mine),
      passed: mine.filter((o) => o.status === 'passed').length,
      failed: mine.filter((o) => o.status === 'failed').length,
      notApplicable: mine.filter((o) => o.status === 'notApplicable').length,
    };
  });
}

export function overallScore(categories: readonly CategoryScore[]): number | null {
  let total = 0;
  let sum = 0;
  for (const c of categories) {
    if (c.score === null) continue;
    total += CATEGORY_WEIGHT[c.category];
    sum += CATEGORY_WEIGHT[c.category] * c.score;
  }
  return total === 0 ? null : Math.round(sum / total);
}

export function gradeFor(value: number | null, worstOpen: Severity | undefined): { grade: string; cap?: string } {
  if (value === null) return { grade: 'n/a' };
  const raw = GRADES.find((g) => value >= g.min)!.grade;
  const capGrade = worstOpen ? GRADE_CAP[worstOpen] : undefined;
  if (capGrade && raw < capGrade) return { grade: capGrade, cap: `capped at ${capGrade}: open ${worstOpen} finding` };
  return { grade: raw };
}
