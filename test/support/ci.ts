/** Shared by the CI-integration tests: the SARIF schema validator, snapshots, temp copies, the built CLI. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import AjvModule from 'ajv-draft-04';
import formatsModule from 'ajv-formats';

// CommonJS packages: under NodeNext their default export is module.exports, which holds `.default`.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default;
const addFormats = (formatsModule as unknown as { default: typeof formatsModule.default }).default;

type Validator = ((data: unknown) => boolean) & { errors?: unknown };
let validator: Validator | undefined;

/** The OASIS SARIF 2.1.0 schema (errata 01, JSON Schema draft-04), shipped in test/data. */
export function validateSarif(log: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync('test/data/sarif-schema-2.1.0.json', 'utf8'))) as Validator;
  }
  const v = validator;
  if (v(log)) return [];
  return ((v.errors ?? []) as { instancePath: string; message?: string }[]).map((e) => `${e.instancePath}: ${e.message}`);
}

/** Compare with test/snapshots/NAME; `UPDATE_SNAPSHOTS=1 npm test` rewrites them. */
export function matchSnapshot(name: string, actual: string): void {
  const file = join('test', 'snapshots', name);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    if (process.env.UPDATE_SNAPSHOTS !== '1' && process.env.CI) assert.fail(`snapshot ${file} was missing (written now; commit it)`);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${file} differs (UPDATE_SNAPSHOTS=1 npm test to accept)`);
}

/** A small repository written into a fresh temp dir: root-relative path -> text. */
export function tempRepo(files: Record<string, string>, prefix = 'prodaudit-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A fresh copy of a folder in a temp dir (tests edit it freely). */
export function tempCopy(src: string, prefix = 'prodaudit-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(src, dir, { recursive: true });
  return dir;
}

export const BIN = resolve('bin/prodaudit.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built bin as a user would. */
export function cli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): CliRun {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', CI: '', GITHUB_STEP_SUMMARY: '', GITHUB_ACTIONS: '', GITHUB_SHA: '', GITHUB_REPOSITORY: '', GITHUB_SERVER_URL: '', PRODAUDIT_LINK_BASE: '', ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined || env[k] === '') delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? process.cwd(), env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=prodaudit-test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
}
