/**
 * Suppression hygiene (like ESLint's --report-unused-disable-directives and Biome's required
 * explanations): with `requireReasons`, a `prodaudit-ignore` without a reason is reported (the
 * engine already refused to let it suppress); with `reportUnused`, a directive that suppressed
 * nothing for a rule that ran, or names a rule that does not exist, is reported.
 */
import type { AuditResult, SuppressionProblem } from '../engine/result.js';

export function suppressionProblems(result: AuditResult, knownRules: ReadonlySet<string>, opts: { requireReasons: boolean; reportUnused: boolean }): SuppressionProblem[] {
  const problems: SuppressionProblem[] = [];
  // A rule "ran" when it was applicable somewhere: a silent directive for it is really unused.
  const ran = new Set(result.outcomes.filter((o) => o.status === 'passed' || o.status === 'failed').map((o) => o.ruleId));
  for (const s of result.suppressions ?? []) {
    const directive = `prodaudit-ignore${s.file ? '-file' : ''} ${s.rules.join(', ')}`;
    if (opts.requireReasons && s.reason.trim() === '') {
      problems.push({ path: s.path, line: s.line, kind: 'missingReason', message: `"${directive}" has no reason; write one after a colon: "${directive}: why this is safe"` });
      continue;
    }
    if (!opts.reportUnused) continue;
    const unknown = s.rules.filter((r) => r !== 'all' && !knownRules.has(r));
    if (unknown.length) problems.push({ path: s.path, line: s.line, kind: 'unknownRule', message: `"${directive}" names unknown rule${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` });
    const idle = s.rules.includes('all') ? (s.used.length ? [] : ['all']) : s.rules.filter((r) => knownRules.has(r) && ran.has(r) && !s.used.includes(r));
    if (idle.length) problems.push({ path: s.path, line: s.line, kind: 'unused', message: `"${directive}" suppresses nothing${idle[0] === 'all' ? '' : ` for ${idle.join(', ')}`}: remove it` });
  }
  return problems;
}
