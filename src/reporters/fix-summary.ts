/**
 * What a --fix / --diff / --patch run did, in a few lines: findings fixed, fixes left unapplied
 * (and the flag that would apply them), fixes that failed and why, findings that need a human,
 * follow-up commands. Pure function of the run, like every reporter.
 */
import type { FixRun, WriteReport } from '../engine/fix.js';

export interface FixSummaryOptions {
  /** `write`: files were written; `preview`: --diff/--patch only. */
  readonly mode: 'write' | 'preview';
  readonly write?: WriteReport;
  readonly patchFile?: string;
  readonly omitted?: readonly { readonly path: string; readonly reason: string }[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function fixSummary(run: FixRun, options: FixSummaryOptions): string {
  const out: string[] = [];
  const refused = new Set((options.write?.refused ?? []).map((r) => r.path));
  const fixedFiles = new Set(run.changes.map((c) => c.path));
  const lost = run.fixed.filter((f) => refused.has(f.fix?.edits[0]?.path ?? f.location.path));
  const fixed = run.fixed.length - lost.length;
  const verb = options.mode === 'write' ? 'fixed' : 'fixable now';
  out.push(
    `Fixes: ${plural(fixed, 'finding')} ${verb}` +
      (fixedFiles.size ? ` (${plural(fixedFiles.size - refused.size, 'file')} ${options.mode === 'write' ? 'changed' : 'to change'}${run.passes > 1 ? `, ${run.passes} passes` : ''})` : '') +
      (options.mode === 'preview' ? '; nothing was written' : '') +
      '.',
  );
  if (options.patchFile) out.push(`  Patch written to ${options.patchFile} (apply with \`git apply ${options.patchFile}\`).`);
  for (const o of options.omitted ?? []) out.push(`  Not in the patch: ${o.path}: ${o.reason}.`);
  for (const r of options.write?.refused ?? []) out.push(`  Not written: ${r.path}: ${r.reason}.`);

  const open = options.mode === 'write' ? run.final.findings : run.initial.findings.filter((f) => !run.fixed.some((x) => x.fingerprint === f.fingerprint));
  const unsafeLeft = open.filter((f) => f.fix && f.fix.applicability === 'unsafe' && !run.unsafe).length;
  if (unsafeLeft) out.push(`  ${plural(unsafeLeft, 'finding has an unsafe fix', 'findings have unsafe fixes')} not applied: review them, then add --unsafe-fixes.`);
  const failed = [...run.skipped, ...lost.map((finding) => ({ finding, reason: 'its file was not written' }))];
  if (failed.length) {
    out.push(`  ${plural(failed.length, 'fix', 'fixes')} could not be applied:`);
    for (const s of failed.slice(0, 20)) out.push(`    ${s.finding.location.path}:${s.finding.location.startLine} ${s.finding.ruleId}: ${s.reason}`);
    if (failed.length > 20) out.push(`    … and ${failed.length - 20} more`);
  }
  const human = open.filter((f) => !f.fix).length + failed.length;
  out.push(`  ${plural(human, 'finding needs', 'findings need')} a human${human ? ' (no automatic fix, or its fix failed)' : ''}.`);
  for (const cmd of run.followUps) out.push(`  Then run: ${cmd}`);
  const envFiles = run.changes.filter((c) => /(^|\/)\.env\.example$/.test(c.path));
  for (const c of envFiles) out.push(`  ${c.path} ${c.before === undefined ? 'created' : 'updated'} with the variables the fixes read.`);
  return `${out.join('\n')}\n`;
}
