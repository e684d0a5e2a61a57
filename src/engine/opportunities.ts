/**
 * Score explanations: for each failed rule, re-score as if its findings were gone (its audit
 * passes) and report what the category and the overall score gain. The same scoring functions
 * as the real score, so an explanation can never disagree with it.
 */
import type { Finding, Opportunity, RuleOutcome } from './result.js';
import { categoryScores, gradeFor, overallScore } from './scoring.js';
import type { Severity } from './types.js';

const ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export function opportunities(outcomes: readonly RuleOutcome[], findings: readonly Finding[], limit = 10): Opportunity[] {
  const before = categoryScores(outcomes);
  const overallBefore = overallScore(before);
  const gradeBefore = gradeFor(overallBefore, worstOf(findings)).grade;
  const out: Opportunity[] = [];
  for (const o of outcomes) {
    if (o.status !== 'failed') continue;
    const after = categoryScores(outcomes.map((x) => (x === o ? { ...x, status: 'passed' as const, findings: 0 } : x)));
    const overallAfter = overallScore(after);
    const rest = findings.filter((f) => f.ruleId !== o.ruleId);
    const gradeAfter = gradeFor(overallAfter, worstOf(rest)).grade;
    const catBefore = before.find((c) => c.category === o.category)?.score ?? 0;
    const catAfter = after.find((c) => c.category === o.category)?.score ?? 0;
    const mine = findings.filter((f) => f.ruleId === o.ruleId);
    out.push({
      ruleId: o.ruleId,
      title: o.title,
      category: o.category,
      findings: o.findings,
      categoryGain: catAfter - catBefore,
      overallGain: (overallAfter ?? 0) - (overallBefore ?? 0),
      ...(gradeAfter !== gradeBefore ? { grade: gradeAfter } : {}),
      autoFixable: mine.length > 0 && mine.every((f) => f.fix),
    });
  }
  return out
    .sort((a, b) => b.overallGain - a.overallGain || b.categoryGain - a.categoryGain || Number(!!b.grade) - Number(!!a.grade) || (a.ruleId < b.ruleId ? -1 : 1))
    .slice(0, limit);
}

function worstOf(findings: readonly Finding[]): Severity | undefined {
  let w: Severity | undefined;
  for (const f of findings) if (!w || ORDER[f.severity] < ORDER[w]) w = f.severity;
  return w;
}

/** "fix debug-mode-enabled: +12 security, +4 overall (grade D → B)". */
export function describeOpportunity(o: Opportunity): string {
  const grade = o.grade ? `, grade → ${o.grade}` : '';
  return `fix ${o.ruleId}: +${o.categoryGain} ${o.category}, +${o.overallGain} overall${grade}`;
}
