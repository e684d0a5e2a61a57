/**
 * JUnit XML for CI systems that read test reports (GitLab, Jenkins, Azure Pipelines, CircleCI):
 * one test suite per category, one test case per rule (an audit passes or fails, as in the
 * score), a <failure> listing the rule's findings, <skipped> for rules that do not apply or are
 * off. No timestamps or durations, so the output is stable.
 */
import type { Finding, RuleOutcome } from '../engine/result.js';
import { CATEGORIES } from '../engine/types.js';
import { where } from './common.js';
import type { Reporter } from './index.js';

export const junit: Reporter = (result, { rules, pathPrefix = '' }) => {
  const docs = new Map(rules.map((r) => [r.meta.id, r.meta.docs]));
  const byRule = new Map<string, Finding[]>();
  for (const f of result.findings) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  // The baseline or --changed-since may hide every finding of a failed rule: it passes this run.
  const failing = (o: RuleOutcome) => (byRule.get(o.ruleId)?.length ?? 0) > 0;
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const category of CATEGORIES) {
    const outcomes = result.outcomes.filter((o) => o.category === category);
    if (!outcomes.length) continue;
    const cases: string[] = [];
    let f = 0;
    let e = 0;
    let s = 0;
    for (const o of outcomes) {
      const open = `    <testcase classname="prodaudit.${category}" name="${attr(`${o.ruleId}: ${o.title}`)}"`;
      if (o.status === 'error') {
        e++;
        cases.push(`${open}>\n      <error message="${attr(`rule crashed: ${o.error ?? 'unknown error'}`)}" type="internal"/>\n    </testcase>`);
      } else if (o.status === 'notApplicable' || o.status === 'off') {
        s++;
        cases.push(`${open}>\n      <skipped message="${attr(o.status === 'off' ? 'turned off in config' : (o.reason ?? 'not applicable to the detected frameworks'))}"/>\n    </testcase>`);
      } else if (failing(o)) {
        f++;
        const list = byRule.get(o.ruleId)!;
        const worst = list[0]!.severity;
        const body = list.map((x) => `${x.severity.toUpperCase()} ${pathPrefix}${where(x)}: ${x.message}${x.snippet ? `\n    ${x.snippet}` : ''}`).join('\n');
        const fix = docs.get(o.ruleId)?.fix;
        cases.push(
          `${open} file="${attr(`${pathPrefix}${list[0]!.location.path}`)}">\n      <failure message="${attr(`${list.length} finding${list.length === 1 ? '' : 's'} (${worst})`)}" type="${worst}">${text(`${body}${fix ? `\n\nHow to fix: ${fix}` : ''}`)}</failure>\n    </testcase>`,
        );
      } else cases.push(`${open}/>`);
    }
    tests += outcomes.length;
    failures += f;
    errors += e;
    skipped += s;
    suites.push(`  <testsuite name="prodaudit.${category}" tests="${outcomes.length}" failures="${f}" errors="${e}" skipped="${s}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  const problems = result.suppressionProblems ?? [];
  if (problems.length) {
    tests += problems.length;
    failures += problems.length;
    suites.push(
      `  <testsuite name="prodaudit.suppressions" tests="${problems.length}" failures="${problems.length}" errors="0" skipped="0">\n${problems
        .map((p) => `    <testcase classname="prodaudit.suppressions" name="${attr(`${pathPrefix}${p.path}:${p.line}`)}" file="${attr(`${pathPrefix}${p.path}`)}">\n      <failure message="${attr(p.message)}" type="${p.kind}"/>\n    </testcase>`)
        .join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="prodaudit" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
};

/** XML 1.0 cannot carry most control characters even escaped: drop them. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}
function attr(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
