import { readFileSync } from 'node:fs';

/** The package version, read from package.json next to dist/ (works from source and from the built bin). */
export const TOOL_VERSION: string = (() => {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'prodaudit' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
})();

/**
 * The date this version was released (YYYY-MM-DD). Bump it together with package.json's
 * `version`. The shipped data tables (src/data/) must be no more than 180 days older than this
 * date: test/data.test.ts fails otherwise, so a release cannot ship stale EOL or advisory data.
 */
export const RELEASE_DATE = '2026-11-22';
