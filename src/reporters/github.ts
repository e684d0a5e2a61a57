/**
 * GitHub Actions: one workflow command per finding (`::error file=..,line=..::message`), which the
 * runner turns into annotations on the pull request's diff, plus `githubSummary`, the markdown the
 * CLI appends to $GITHUB_STEP_SUMMARY. Both pure: the CLI does the writing.
 */
import { describeOpportunity } from '../engine/opportunities.js';
import type { AuditResult, Finding } from '../engine/result.js';
import { SEVERITIES, type Severity } from '../engine/types.js';
import { cell, code, countBySeverity, fileLink, scoreDelta } from './common.js';
import type { Reporter, ReporterOptions } from './index.js';

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' };

/** Workflow-command escaping: message data escapes %, CR, LF; property values also `:` and `,`. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const github: Reporter = (result, { rules, pathPrefix = '' }) => {
  const meta = new Map(rules.map((r) => [r.meta.id, r.meta]));
  const lines: string[] = [];
  for (const f of result.findings) lines.push(annotation(f, pathPrefix, meta.get(f.ruleId)?.docs.fix));
  for (const p of result.suppressionProblems ?? []) {
    lines.push(`::error ${props({ file: `${pathPrefix}${p.path}`, line: String(p.line), title: `prodaudit: suppression ${p.kind}` })}::${escapeData(p.message)}`);
  }
  for (const d of result.diagnostics) {
    if (d.level === 'skipped') lines.push(`::warning ${props({ file: `${pathPrefix}${d.path}`, ...(d.line ? { line: String(d.line) } : {}), title: 'prodaudit: file not audited' })}::${escapeData(d.message)}`);
  }
  const counts = countBySeverity(result.findings);
  const tally = SEVERITIES.filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`).join(', ') || 'no findings';
  lines.push(`::notice title=prodaudit::${escapeData(`Score ${result.score ?? 'n/a'}/100, grade ${result.grade}${scoreDelta(result.score, result.baseline?.score)}; ${tally}${result.baseline ? ` new (${result.baseline.fixed.length} fixed since the baseline)` : ''}`)}`);
  return `${lines.join('\n')}\n`;
};

function annotation(f: Finding, pathPrefix: string, fix: string | undefined): string {
  const loc = f.location;
  const p: Record<string, string> = { file: `${pathPrefix}${loc.path}` };
  if (!f.projectLevel) {
    p.line = String(loc.startLine);
    p.endLine = String(loc.endLine);
    if (loc.startLine === loc.endLine) {
      p.col = String(loc.startColumn);
      p.endColumn = String(loc.endColumn);
    }
  }
  p.title = `${f.title} (${f.ruleId}, ${f.severity})`;
  const body = `${f.message}${f.fix ? `\nFix: ${f.fix.title}` : fix ? `\nFix: ${fix}` : ''}`;
  return `::${COMMAND[f.severity]} ${props(p)}::${escapeData(body)}`;
}

function props(p: Record<string, string>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
}

/** The job summary: score, counts, categories, top opportunities, the findings as a table. */
export function githubSummary(result: AuditResult, { pathPrefix = '', linkBase }: Pick<ReporterOptions, 'pathPrefix' | 'linkBase'>): string {
  const out: string[] = [];
  const counts = countBySeverity(result.findings);
  out.push(`### prodaudit: ${result.score ?? 'n/a'}/100, grade ${result.grade}${scoreDelta(result.score, result.baseline?.score)}`);
  out.push('');
  if (result.gradeCap) out.push(`> ${result.gradeCap}`, '');
  const scope = [result.baseline ? `new since \`${result.baseline.path}\`` : '', result.changedSince ? `in files changed since \`${result.changedSince.ref}\`` : ''].filter(Boolean).join(', ');
  out.push(`${SEVERITIES.map((s) => `${counts[s]} ${s}`).join(' · ')}${scope ? ` (${scope})` : ''}`);
  if (result.baseline) out.push('', `${result.baseline.fixed.length} fixed since the baseline, ${result.baseline.unchanged} unchanged (not shown).`);
  out.push('', '| Category | Score | Passed | Failed |', '| --- | --- | --- | --- |');
  for (const c of result.categories) if (c.passed + c.failed > 0) out.push(`| ${c.category} | ${c.score ?? 'n/a'} | ${c.passed} | ${c.failed} |`);
  const ops = (result.opportunities ?? []).filter((o) => o.overallGain > 0 || o.categoryGain > 0).slice(0, 5);
  if (ops.length) {
    out.push('', '**Top opportunities**', '');
    for (const o of ops) out.push(`- ${describeOpportunity(o)}${o.autoFixable ? ' (auto-fixable)' : ''}`);
  }
  if (result.findings.length) {
    out.push('', '| Severity | Rule | Location | Message |', '| --- | --- | --- | --- |');
    for (const f of result.findings.slice(0, 100)) out.push(`| ${f.severity} | ${code(f.ruleId)} | ${fileLink(f, linkBase, pathPrefix)} | ${cell(f.message)} |`);
    if (result.findings.length > 100) out.push('', `… and ${result.findings.length - 100} more (see the SARIF or JSON report).`);
  }
  if (result.suppressionProblems?.length) {
    out.push('', '**Suppression problems**', '');
    for (const p of result.suppressionProblems) out.push(`- ${code(`${pathPrefix}${p.path}:${p.line}`)}: ${p.message}`);
  }
  return `${out.join('\n')}\n`;
}
