/**
 * Is a file ignored by the .gitignore files inside the audited root (root and nested ones, each
 * applying to its own folder), evaluated with the `ignore` package as git does. Used for files
 * the engine discovered anyway: tracked files (git lists them even when ignored) and audits of a
 * folder inside a larger work tree, where only the folder's own .gitignore files are its policy.
 */
import ignore, { type Ignore } from 'ignore';
import type { ProjectFacts } from '../../src/engine/facts.js';

const cache = new WeakMap<ProjectFacts, Map<string, Ignore | null>>();

function ignoreFor(project: ProjectFacts, dir: string): Ignore | null {
  let byDir = cache.get(project);
  if (!byDir) {
    byDir = new Map();
    cache.set(project, byDir);
  }
  if (byDir.has(dir)) return byDir.get(dir)!;
  const path = dir ? `${dir}/.gitignore` : '.gitignore';
  const text = project.fileSet.has(path) ? project.readText(path) : undefined;
  const ig = text === undefined ? null : ignore().add(text);
  byDir.set(dir, ig);
  return ig;
}

/** The .gitignore (root-relative path) whose rules ignore `path`, or undefined when none does. */
export function ignoredBy(project: ProjectFacts, path: string): string | undefined {
  const parts = path.split('/');
  let verdict: string | undefined;
  // Deeper .gitignore files override shallower ones (negations included), as in git.
  for (let i = 0; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    const ig = ignoreFor(project, dir);
    if (!ig) continue;
    const rel = parts.slice(i).join('/');
    // An ignored parent folder ignores everything below it.
    for (let j = 1; j < parts.length - i; j++) {
      if (ig.ignores(`${parts.slice(i, i + j).join('/')}/`)) return dir ? `${dir}/.gitignore` : '.gitignore';
    }
    const r = ig.test(rel);
    if (r.ignored) verdict = dir ? `${dir}/.gitignore` : '.gitignore';
    else if (r.unignored) verdict = undefined;
  }
  return verdict;
}
