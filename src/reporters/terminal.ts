/**
 * Terminal report: score and grade, category bars, findings grouped by category and severity,
 * each with a one-line code frame, why it matters and how to fix. The only file that knows colour.
 */
import { Chalk } from 'chalk';
import Table from 'cli-table3';
import type { Finding } from '../engine/result.js';
import { CATEGORIES, SEVERITIES, type Severity } from '../engine/types.js';
import { countBySeverity, ruleMap, SEVERITY_LABEL, where } from './common.js';
import type { Reporter } from './index.js';

export const terminal: Reporter = (result, { color, rules, verbose }) => {
  const c = new Chalk({ level: color ? 1 : 0 }); // never the global chalk: output must not depend on the TTY
  const paint: Record<Severity, (s: string) => string> = {
    critical: (s) => c.bgRed.white.bold(s),
    high: (s) => c.red.bold(s),
    medium: (s) => c.yellow(s),
    low: (s) => c.cyan(s),
    info: (s) => c.dim(s),
  };
  const meta = ruleMap(rules);
  const out: string[] = [];
  const scoreText = result.score === null ? 'n/a' : `${result.score}/100`;
  out.push(`${c.bold('prodaudit')} ${result.tool.version}  ${c.dim(result.root)}`);
  out.push('');
  out.push(`${c.bold('Readiness score:')} ${c.bold(scoreText)}  grade ${c.bold(result.grade)}${result.gradeCap ? c.dim(` (${result.gradeCap})`) : ''}`);
  const counts = countBySeverity(result.findings);
  out.push(SEVERITIES.filter((s) => counts[s] > 0).map((s) => paint[s](`${counts[s]} ${s}`)).join('  ') || c.green('no findings'));
  out.push('');
  const table = new Table({
    head: ['Category', 'Score', 'Passed', 'Failed', 'N/A'].map((h) => c.bold(h)),
    style: { head: [], border: [], compact: true },
  });
  for (const cat of result.categories) {
    if (cat.passed + cat.failed === 0 && !verbose) continue;
    table.push([cat.category, cat.score === null ? 'n/a' : bar(cat.score, c), String(cat.passed), String(cat.failed), String(cat.notApplicable)]);
  }
  out.push(table.toString());
  if (result.apps.length > 1) {
    out.push('');
    out.push(c.bold('Apps'));
    for (const a of result.apps) {
      out.push(`  ${a.name.padEnd(24)} ${a.score === null ? 'n/a' : `${a.score}/100`.padEnd(8)} ${a.grade.padEnd(4)} ${a.frameworks.join(', ') || a.ecosystems.join(', ')}`);
    }
  }
  for (const category of CATEGORIES) {
    const inCat = result.findings.filter((f) => f.category === category);
    if (!inCat.length) continue;
    out.push('');
    out.push(c.bold.underline(`${category[0]!.toUpperCase()}${category.slice(1)}`));
    for (const sev of SEVERITIES) {
      for (const f of inCat.filter((x) => x.severity === sev)) out.push(...renderFinding(f));
    }
  }
  const moot = result.outcomes.filter((o) => o.status === 'notApplicable' && o.reason);
  if (moot.length) {
    out.push('');
    out.push(c.bold('Not applicable here') + c.dim(' (deployment context in the config)'));
    for (const o of moot) out.push(`  ${o.ruleId.padEnd(26)} ${o.reason}`);
  }
  if (result.diagnostics.length) {
    out.push('');
    out.push(c.bold('Diagnostics') + c.dim(' (the audit went on)'));
    for (const d of result.diagnostics.slice(0, 50)) out.push(`  ${c.dim(d.level.padEnd(8))} ${d.path}${d.line ? `:${d.line}` : ''}  ${d.message}`);
    if (result.diagnostics.length > 50) out.push(c.dim(`  … and ${result.diagnostics.length - 50} more (see --format json)`));
  }
  const fixable = result.findings.filter((f) => f.fix);
  out.push('');
  out.push(
    `${result.findings.length} finding${result.findings.length === 1 ? '' : 's'} in ${result.stats.files} files (${result.stats.parsed} parsed) in ${(result.stats.durationMs / 1000).toFixed(2)} s` +
      (result.suppressed ? `, ${result.suppressed} suppressed` : '') +
      (fixable.length ? `; ${fixable.length} with an automatic fix (${fixable.filter((f) => f.fix!.applicability === 'safe').length} safe: run with --fix)` : ''),
  );
  return `${out.join('\n')}\n`;

  function renderFinding(f: Finding): string[] {
    const rule = meta.get(f.ruleId);
    const lines: string[] = [];
    lines.push(`  ${paint[f.severity](` ${SEVERITY_LABEL[f.severity].toUpperCase()} `)} ${c.bold(f.message)} ${c.dim(f.ruleId)}`);
    lines.push(`    ${c.cyan(where(f))}${f.app && f.app !== '' ? c.dim(`  [${f.app}]`) : ''}`);
    if (!f.projectLevel && f.snippet) {
      const num = String(f.location.startLine);
      lines.push(c.dim(`    ${num} | `) + f.snippet);
    }
    if (rule) {
      lines.push(`    ${c.dim('why:')} ${rule.meta.docs.why}`);
      lines.push(`    ${c.dim('fix:')} ${f.fix ? `${f.fix.title} ${c.dim(`(${f.fix.applicability} auto-fix)`)}` : rule.meta.docs.fix}`);
    }
    return lines;
  }
};

function bar(score: number, c: InstanceType<typeof Chalk>): string {
  const filled = Math.round(score / 10);
  const paint = score >= 90 ? c.green : score >= 70 ? c.yellow : c.red;
  return `${paint('█'.repeat(filled))}${c.dim('░'.repeat(10 - filled))} ${String(score).padStart(3)}`;
}
