/**
 * Production context of a path. Tests, fixtures, examples and dev-only config are not
 * production: by default the engine drops findings there (rules that are about such files
 * opt in with `meta.includeNonProduction`).
 */
export type PathContext = 'production' | 'test' | 'fixture' | 'example' | 'development';

const TEST = [
  /(^|\/)(tests?|__tests__|spec|specs|testing|e2e|cypress|playwright)\//,
  /(^|\/)test_[^/]*\.py$/,
  /(^|\/)tests?\.py$/, // Django's per-app tests.py, single-module test suites
  /(^|\/)[^/]*_tests?\.py$/,
  /(^|\/)conftest\.py$/,
  /\.(spec|test|e2e)\.[cm]?[jt]sx?$/,
];
const FIXTURE = [/(^|\/)(fixtures?|__fixtures__|__mocks__|mocks?|testdata|test_data)\//];
const EXAMPLE = [
  /\.(example|sample|template|tmpl|dist|orig)$/i,
  /(^|\/)[^/]*\.(example|sample|template)\.[^/]+$/i,
  /(^|\/)(examples?|samples?|docs?)\//,
];
const DEVELOPMENT = [
  /(^|\/)settings\/(dev|development|local|test|testing|ci)\.py$/,
  /(^|\/)settings_(dev|development|local|test|testing)\.py$/,
  /(^|\/)(dev|development|local)_settings\.py$/,
  /(^|\/)(docker-)?compose\.(override|dev|development|local|test)\.ya?ml$/,
  /(^|\/)docker-compose[-.](override|dev|development|local|test)\.ya?ml$/,
  /(^|\/)\.env\.(development|dev|local|test|testing|ci)(\.local)?$/,
  /(^|\/)(Dockerfile|Containerfile)[.-](dev|development|local|test|e2e|ci|playwright|cypress)$/i,
  /(^|\/)(dev|development)\.Dockerfile$/i,
  /(^|\/)(vite|webpack|jest|vitest|babel|eslint|prettier|tailwind|postcss|karma|rollup|playwright|cypress)\.config\.[cm]?[jt]s$/,
  /(^|\/)(jest|vitest)\.(preset|setup|global-setup|teardown)\.[cm]?[jt]s$/, // Nx's jest.preset.js, jest.setup.ts
  /(^|\/)\.eslintrc(\.[cm]?js)?$/,
];

export function classifyPath(path: string): PathContext {
  if (TEST.some((r) => r.test(path))) return 'test';
  if (FIXTURE.some((r) => r.test(path))) return 'fixture';
  if (EXAMPLE.some((r) => r.test(path))) return 'example';
  if (DEVELOPMENT.some((r) => r.test(path))) return 'development';
  return 'production';
}

/** Config class / settings names that only development or tests select. */
export const DEV_CONFIG_NAME = /^(Dev|Development|Local|Test|Testing|Debug)(Config|Settings|Configuration)?$|^(Config|Settings)(Dev|Development|Local|Test|Testing)$/i;
