/**
 * The audit engine's discovery and project facts without any rule: for commands that report on a
 * repository (`prodaudit deps`, `prodaudit env`) rather than audit it. Ignores, .gitignore, size
 * limits, manifests and frameworks seen in imports are exactly what an audit would use.
 */
import { auditDirectory } from './audit.js';
import type { ProjectFacts } from './facts.js';
import type { AnyRule } from './rule.js';

/**
 * Scan `root` and hand the project facts to `inspect`, which runs where a project-level rule would
 * (after the per-file pass, so parsing on demand works). Returns the absolute root and its result.
 */
export async function inspectProject<T>(root: string, options: { readonly ignore?: readonly string[] }, inspect: (facts: ProjectFacts) => T): Promise<{ root: string; value: T }> {
  let value: { v: T } | undefined;
  let failure: unknown;
  const capture: AnyRule = {
    meta: {
      id: 'inspect-project',
      title: 'Project facts',
      category: 'configuration',
      severity: 'info',
      confidence: 'high',
      fixable: 'none',
      effort: 'minutes',
      messages: { none: '' },
      docs: { why: '', fix: '', references: [] },
    },
    check: {
      project(ctx) {
        try {
          value = { v: inspect(ctx.project) };
        } catch (error) {
          failure = error; // the engine would turn it into a rule error: the command fails with it instead
        }
      },
    },
  };
  const result = await auditDirectory(root, { rules: [capture], ignore: options.ignore });
  if (failure !== undefined) throw failure;
  if (!value) throw new Error('project facts were not computed');
  return { root: result.root, value: value.v };
}
