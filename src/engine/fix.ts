/**
 * Applying fixes (style.md §3.5). Everything happens in memory first: audit -> pick fixes ->
 * merge their edits per file -> re-parse -> re-audit the result through an overlay -> repeat
 * (at most `maxPasses` times) until nothing changes. Only then are files written (`writeFixes`)
 * or rendered as a patch (diff.ts), so `--fix` and `--patch` produce the same bytes.
 *
 * Guarantees: a fix is atomic (all its edits or none); an edit identical to one already accepted
 * (two fixes adding the same import) is applied once; a fix overlapping an accepted one is
 * skipped and retried in the next pass; a fix whose result does not parse or still has its
 * finding is rejected and reported; new files never overwrite; a file whose content changed
 * since the audit read it is refused; writes are atomic (temp file in the same folder + rename,
 * mode kept) and never leave the audited root.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { mentionedEnvNames, parseEnv } from '../parsers/env.js';
import { initPython, parsePython } from '../parsers/python.js';
import { parseScript } from '../parsers/script.js';
import { parseJson, parseYaml } from '../parsers/yaml.js';
import { auditDirectory, type AuditOptions } from './audit.js';
import { kindOf } from './discover.js';
import { applyEdits, eolOf } from './edits.js';
import { contentHash, decodeSource, encodeSource, type SourceEncoding, type SourceInfo } from './encoding.js';
import { LineIndex } from './lines.js';
import type { AuditResult, Finding } from './result.js';
import type { TextEdit } from './types.js';

export interface FixOptions {
  /** Also apply fixes marked `unsafe`. */
  readonly unsafe?: boolean;
  /** Audit -> fix rounds at most (default 5). */
  readonly maxPasses?: number;
}

/** A file as it will be written: `before` undefined means a new file. */
export interface FileChange {
  readonly path: string;
  readonly before: string | undefined;
  readonly after: string;
  readonly encoding: SourceEncoding;
  /** Content hash of the bytes `before` was decoded from; checked again just before writing. */
  readonly hash: string | undefined;
}

export interface SkippedFix {
  readonly finding: Finding;
  readonly reason: string;
}

export interface FixRun {
  readonly initial: AuditResult;
  /** The audit of the fixed files (through the overlay, before anything is written). */
  readonly final: AuditResult;
  readonly passes: number;
  readonly unsafe: boolean;
  /** Findings whose fix was applied, in every pass. */
  readonly fixed: readonly Finding[];
  /** Fixes selected but not applied: conflicts left after the last pass, rejected or refused ones. */
  readonly skipped: readonly SkippedFix[];
  readonly changes: readonly FileChange[];
  /** Commands the applied fixes ask the user to run afterwards. */
  readonly followUps: readonly string[];
}

interface Original {
  readonly text: string | undefined;
  readonly encoding: SourceEncoding;
  readonly hash: string | undefined;
}

const key = (e: TextEdit) => `${e.start}:${e.end}:${e.text}`;
const fixKey = (f: Finding) => `${f.fingerprint}\0${JSON.stringify(f.fix)}`;

export const DEFAULT_MAX_PASSES = 5;
const MAX_VERIFY_ROUNDS = 4;

export function selectable(f: Finding, unsafe: boolean): boolean {
  return !!f.fix && (unsafe || f.fix.applicability === 'safe') && (f.fix.edits.length > 0 || !!f.fix.newFiles?.length);
}

/** Audit `root`, then fix, re-audit and repeat in memory. Nothing is written: see `writeFixes`. */
export async function computeFixes(rootArg: string, audit: Omit<AuditOptions, 'overlay' | 'sources'>, options: FixOptions = {}): Promise<FixRun> {
  const root = resolve(rootArg);
  const unsafe = !!options.unsafe;
  const maxPasses = options.maxPasses ?? DEFAULT_MAX_PASSES;
  const sources = new Map<string, SourceInfo>();
  const originals = new Map<string, Original>();
  let overlay = new Map<string, string>();
  const run = (o: Map<string, string>) => auditDirectory(root, { ...audit, overlay: o, sources });
  let result = await run(overlay);
  const initial = result;
  const fixed: Finding[] = [];
  const skipped = new Map<string, SkippedFix>();
  const rejected = new Set<string>();
  const followUps: string[] = [];
  let passes = 0;
  await initPython();

  /** The current text of a file: overlay first, else disk (checked against the audit's hash). */
  const current = (path: string): { text: string | undefined } | { refused: string } => {
    if (overlay.has(path)) return { text: overlay.get(path) };
    const known = originals.get(path);
    if (known) return { text: known.text };
    const abs = join(root, path);
    let buf: Buffer;
    try {
      if (!inside(root, abs)) return { refused: 'path is outside the audited root' };
      if (lstatSync(abs).isSymbolicLink()) return { refused: 'file is a symbolic link; not rewritten' };
      buf = readFileSync(abs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        originals.set(path, { text: undefined, encoding: 'utf8', hash: undefined });
        return { text: undefined };
      }
      return { refused: `cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
    }
    const hash = contentHash(buf);
    const seen = sources.get(path);
    if (seen && seen.hash !== hash) return { refused: 'file changed since it was audited; re-run prodaudit' };
    const decoded = decodeSource(buf);
    if ('binary' in decoded) return { refused: 'binary file' };
    if (decoded.encoding === 'utf8-lossy') return { refused: 'file is not valid UTF-8; rewriting it would change bytes no fix touched' };
    originals.set(path, { text: decoded.text, encoding: decoded.encoding, hash });
    return { text: decoded.text };
  };

  for (let pass = 1; pass <= maxPasses; pass++) {
    let candidates = result.findings.filter((f) => selectable(f, unsafe) && !rejected.has(fixKey(f)));
    if (candidates.length === 0) break;
    let plan: Plan | undefined;
    let after: AuditResult | undefined;
    for (let round = 0; round < MAX_VERIFY_ROUNDS; round++) {
      plan = planPass(candidates, current, root);
      for (const s of plan.skipped) {
        skipped.set(s.finding.fingerprint, s);
        if (s.final) rejected.add(fixKey(s.finding));
      }
      if (plan.applied.length === 0) break;
      const next = new Map([...overlay, ...plan.texts]);
      after = await run(next);
      const left = plan.applied.filter((f) => stillReported(f, after!, plan!));
      if (left.length === 0) break;
      for (const f of left) {
        skipped.set(f.fingerprint, { finding: f, reason: 'the fix did not remove the finding; not applied' });
        rejected.add(fixKey(f));
      }
      candidates = candidates.filter((f) => !left.includes(f));
      after = undefined;
      plan = undefined;
    }
    if (!plan || plan.applied.length === 0 || !after) break;
    passes = pass;
    for (const f of plan.applied) {
      fixed.push(f);
      skipped.delete(f.fingerprint);
      if (f.fix?.followUp && !followUps.includes(f.fix.followUp)) followUps.push(f.fix.followUp);
    }
    overlay = new Map([...overlay, ...plan.texts]);
    result = after;
  }

  const stillOpen = new Set(result.findings.map((f) => f.fingerprint));
  const leftovers = [...skipped.values()].filter((s) => stillOpen.has(s.finding.fingerprint));
  for (const f of result.findings) {
    if (selectable(f, unsafe) && !skipped.has(f.fingerprint) && !rejected.has(fixKey(f))) {
      leftovers.push({ finding: f, reason: `still open after ${maxPasses} passes (its fix kept conflicting with others)` });
    }
  }
  const changes: FileChange[] = [];
  for (const [path, text] of [...overlay].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const o = originals.get(path);
    if (!o || o.text === text) continue;
    changes.push({ path, before: o.text, after: text, encoding: o.encoding, hash: o.hash });
  }
  return { initial, final: result, passes, unsafe, fixed, skipped: leftovers, changes, followUps };
}

interface Plan {
  readonly texts: Map<string, string>;
  readonly applied: Finding[];
  readonly skipped: (SkippedFix & { final: boolean })[];
  /** Per changed file: the text the edits were made on and the edits (with EOLs adjusted). */
  readonly files: Map<string, { before: string; edits: TextEdit[] }>;
}

type Current = (path: string) => { text: string | undefined } | { refused: string };

/** One pass: pick non-conflicting fixes, merge them per file, keep the result parseable. */
function planPass(candidates: readonly Finding[], current: Current, root: string): Plan {
  const plan: Plan = { texts: new Map(), applied: [], skipped: [], files: new Map() };
  const byFile = new Map<string, Finding[]>();
  for (const f of candidates) {
    const path = f.fix!.edits[0]?.path ?? f.location.path;
    if (f.fix!.edits.some((e) => e.path !== path)) {
      plan.skipped.push({ finding: f, reason: 'the fix edits several files (unsupported)', final: true });
      continue;
    }
    const list = byFile.get(path) ?? [];
    list.push(f);
    byFile.set(path, list);
  }
  const newFiles = new Map<string, { text: string; by: Finding }>();
  for (const [path, findings] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const cur = current(path);
    if ('refused' in cur) {
      for (const f of findings) plan.skipped.push({ finding: f, reason: `${path}: ${cur.refused}`, final: true });
      continue;
    }
    if (cur.text === undefined && findings.some((f) => f.fix!.edits.length)) {
      for (const f of findings) plan.skipped.push({ finding: f, reason: `${path} no longer exists`, final: true });
      continue;
    }
    const text = cur.text ?? '';
    const eol = eolOf(text);
    const bom = text.charCodeAt(0) === 0xfeff;
    const adjust = (e: TextEdit): TextEdit => ({
      start: bom && e.start === 0 && e.end === 0 ? 1 : e.start, // nothing goes before a byte-order mark
      end: bom && e.start === 0 && e.end === 0 ? 1 : e.end,
      text: eol === '\r\n' ? e.text.replace(/\r?\n/g, '\r\n') : e.text,
    });
    const order = (f: Finding) => Math.min(...f.fix!.edits.map((e) => e.start), Number.MAX_SAFE_INTEGER);
    const accepted: { finding: Finding; edits: TextEdit[] }[] = [];
    const seen = new Set<string>();
    for (const f of [...findings].sort((a, b) => order(a) - order(b))) {
      const edits = f.fix!.edits.map(adjust);
      if (edits.some((e) => e.start < 0 || e.end < e.start || e.end > text.length)) {
        plan.skipped.push({ finding: f, reason: 'the fix has an edit outside the file; not applied', final: true });
        continue;
      }
      const fresh = edits.filter((e) => !seen.has(key(e)));
      const clash = accepted.find((a) => a.edits.some((x) => fresh.some((e) => overlaps(e, x))));
      if (clash) {
        plan.skipped.push({ finding: f, reason: `its edits overlap the fix for ${clash.finding.ruleId} at line ${clash.finding.location.startLine}; left for the next pass`, final: false });
        continue;
      }
      const files = newFileProblem(f, newFiles, current, root);
      if (files) {
        plan.skipped.push({ finding: f, reason: files, final: true });
        continue;
      }
      for (const e of fresh) seen.add(key(e));
      accepted.push({ finding: f, edits: fresh });
      for (const nf of f.fix!.newFiles ?? []) newFiles.set(nf.path, { text: nf.text, by: f });
    }
    if (!accepted.length) continue;
    const kind = kindOf(path);
    const baseErrors = parseErrors(kind, path, text);
    const build = (list: typeof accepted) => applyEdits(text, list.flatMap((a) => a.edits));
    let kept = accepted;
    let output = build(kept);
    const broken = parseErrors(kind, path, output);
    if (broken.length > baseErrors.length) {
      // Find the culprits: keep each fix only if the text still parses with it.
      kept = [];
      for (const a of accepted) {
        const errs = parseErrors(kind, path, build([...kept, a]));
        if (errs.length > baseErrors.length) {
          plan.skipped.push({ finding: a.finding, reason: `the fixed file would not parse (${errs[0]}); not applied`, final: true });
          for (const nf of a.finding.fix!.newFiles ?? []) if (newFiles.get(nf.path)?.by === a.finding) newFiles.delete(nf.path);
        } else kept.push(a);
      }
      // An edit shared by a dropped fix and a kept one must stay: rebuild from the kept fixes' own edits.
      kept = kept.map((a) => ({ finding: a.finding, edits: a.finding.fix!.edits.map(adjust) }));
      output = applyEdits(text, kept.flatMap((a) => a.edits));
    }
    if (!kept.length) continue;
    for (const a of kept) plan.applied.push(a.finding);
    if (output !== text) {
      plan.texts.set(path, output);
      plan.files.set(path, { before: text, edits: dedupe(kept.flatMap((a) => a.edits)) });
    }
  }
  for (const [path, nf] of newFiles) if (plan.applied.includes(nf.by)) plan.texts.set(path, nf.text);
  addEnvExamples(plan, current);
  return plan;
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (key(a) === key(b)) return false;
  if (a.start === a.end && b.start === b.end) return a.start === b.start; // two insertions at one point: order unknown
  return a.start < b.end && b.start < a.end || (a.start === a.end && a.start > b.start && a.start < b.end) || (b.start === b.end && b.start > a.start && b.start < a.end);
}

function dedupe(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => !seen.has(key(e)) && !!seen.add(key(e))).sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Why a fix's new files cannot be created (exists with other content, escapes the root), or undefined. */
function newFileProblem(f: Finding, planned: Map<string, { text: string; by: Finding }>, current: Current, root: string): string | undefined {
  for (const nf of f.fix!.newFiles ?? []) {
    if (!safeRelative(nf.path) || !inside(root, join(root, nf.path))) return `the fix would create ${nf.path}, outside the audited root; not applied`;
    const other = planned.get(nf.path);
    if (other && other.text !== nf.text) return `another fix (${other.by.ruleId}) creates ${nf.path} with other content; not applied`;
    const cur = current(nf.path);
    if ('refused' in cur) return `${nf.path}: ${cur.refused}`;
    if (cur.text !== undefined && cur.text !== nf.text) return `${nf.path} already exists; a fix never overwrites a file`;
  }
  return undefined;
}

/** `.env.example` of each app gains the variables the applied fixes introduce, one comment each, never twice. */
function addEnvExamples(plan: Plan, current: Current): void {
  const byApp = new Map<string, { name: string; description: string }[]>();
  for (const f of plan.applied) {
    for (const v of f.fix!.envVars ?? []) {
      const list = byApp.get(f.app) ?? [];
      if (!list.some((x) => x.name === v.name)) list.push(v);
      byApp.set(f.app, list);
    }
  }
  for (const [app, vars] of byApp) {
    const path = app ? `${app}/.env.example` : '.env.example';
    const cur = plan.texts.get(path) !== undefined ? { text: plan.texts.get(path) } : current(path);
    if ('refused' in cur) continue;
    const text = cur.text ?? '';
    const out = appendEnvVars(text, vars);
    if (out !== text) plan.texts.set(path, out);
  }
}

/**
 * Append `# description\nNAME=value` blocks for variables the file does not mention yet (set or
 * commented out): existing lines are never reordered, rewritten or removed. `value` defaults to
 * empty; callers never pass a secret.
 */
export function appendEnvVars(text: string, vars: readonly { name: string; description: string; value?: string }[]): string {
  const known = mentionedEnvNames(text);
  const eol = eolOf(text);
  const blocks: string[] = [];
  for (const v of vars) {
    if (known.has(v.name)) continue;
    known.add(v.name);
    blocks.push(`# ${v.description.replace(/\r?\n/g, ' ')}${eol}${v.name}=${v.value ?? ''}${eol}`);
  }
  if (!blocks.length) return text;
  let out = text;
  if (out !== '' && !out.endsWith('\n')) out += eol;
  if (out.trim() !== '' && !/\n\s*\n$/.test(out)) out += eol;
  return out + blocks.join(eol);
}

/** Syntax errors the parser for this kind of file reports (messages). */
export function parseErrors(kind: ReturnType<typeof kindOf>, path: string, text: string): string[] {
  try {
    switch (kind) {
      case 'python':
        return parsePython(text).syntaxErrors.map((e) => `line ${e.line}: ${e.message}`);
      case 'script':
        return parseScript(path, text).syntaxErrors.map((e) => `line ${e.line}: ${e.message}`);
      case 'yaml':
        return parseYaml(text).errors.map((e) => `line ${e.line}: ${e.message}`);
      case 'json':
        return parseJson(text).errors.map((e) => `line ${e.line}: ${e.message}`);
      case 'env':
        return parseEnv(text).invalidLines.map((l) => `line ${l}: not KEY=value`);
      default:
        return [];
    }
  } catch (error) {
    return [(error as Error).message];
  }
}

/** Does the re-audit still report `f` where its fix was applied? */
function stillReported(f: Finding, after: AuditResult, plan: Plan): boolean {
  const same = after.findings.filter((g) => g.ruleId === f.ruleId && g.location.path === f.location.path && g.projectLevel === f.projectLevel);
  if (f.projectLevel) return same.some((g) => g.message === f.message);
  const file = plan.files.get(f.location.path);
  const before = file?.before;
  const newText = plan.texts.get(f.location.path);
  if (before === undefined || newText === undefined) {
    return same.some((g) => g.location.startLine === f.location.startLine && g.location.startColumn === f.location.startColumn);
  }
  const oldIndex = new LineIndex(before);
  const newIndex = new LineIndex(newText);
  const start = mapOffset(oldIndex.lineStart(f.location.startLine) + f.location.startColumn - 1, file!.edits, false);
  const end = mapOffset(oldIndex.lineStart(f.location.endLine) + f.location.endColumn - 1, file!.edits, true);
  return same.some((g) => {
    const at = newIndex.lineStart(g.location.startLine) + g.location.startColumn - 1;
    return at >= start && at <= Math.max(start, end);
  });
}

/** Where an offset of the old text lands in the edited text (inside a replaced span: its start, or its end for `after`). */
export function mapOffset(offset: number, edits: readonly TextEdit[], after: boolean): number {
  let delta = 0;
  for (const e of edits) {
    if (e.end < offset || (e.end === offset && (e.start < offset || after))) {
      delta += e.text.length - (e.end - e.start);
      continue;
    }
    if (e.start < offset && offset < e.end) return e.start + delta + (after ? e.text.length : 0);
    break;
  }
  return offset + delta;
}

/** A root-relative POSIX path with no `..`, no absolute start, no empty or NUL segment. */
function safeRelative(path: string): boolean {
  if (!path || isAbsolute(path) || path.includes('\0') || path.includes('\\')) return false;
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** Is `abs` inside `root`, also after resolving symbolic links of its nearest existing ancestor? */
function inside(root: string, abs: string): boolean {
  const r = resolve(root);
  const a = resolve(abs);
  if (a !== r && !a.startsWith(r + sep)) return false;
  let realRoot: string;
  try {
    realRoot = realpathSync(r);
  } catch {
    return false;
  }
  let probe = a;
  for (;;) {
    try {
      const real = realpathSync(probe);
      return real === realRoot || real.startsWith(realRoot + sep);
    } catch {
      const up = dirname(probe);
      if (up === probe) return false;
      probe = up;
    }
  }
}

export interface WriteReport {
  readonly written: readonly string[];
  readonly refused: readonly { readonly path: string; readonly reason: string }[];
}

/** Write the computed changes: each file atomically, only if it is still what the audit read. */
export function writeFixes(rootArg: string, changes: readonly FileChange[]): WriteReport {
  const root = resolve(rootArg);
  const written: string[] = [];
  const refused: { path: string; reason: string }[] = [];
  for (const c of changes) {
    try {
      if (safeRelative(c.path)) removeStaleTemps(dirname(join(root, c.path)), basename(c.path));
      crashPoint('before-write');
      const reason = writeOne(root, c);
      crashPoint('after-rename');
      if (reason) refused.push({ path: c.path, reason });
      else written.push(c.path);
    } catch (error) {
      refused.push({ path: c.path, reason: `write failed: ${(error as Error).message}` });
    }
  }
  return { written, refused };
}

function writeOne(root: string, c: FileChange): string | undefined {
  if (!safeRelative(c.path)) return 'path is not a plain root-relative path';
  const abs = join(root, c.path);
  if (!inside(root, abs)) return 'path is outside the audited root';
  const data = encodeSource(c.after, c.encoding);
  if (c.before === undefined) {
    let exists = true;
    try {
      lstatSync(abs);
    } catch {
      exists = false;
    }
    if (exists) return 'file appeared since it was audited; a fix never overwrites a file';
    mkdirSync(dirname(abs), { recursive: true });
    if (!inside(root, dirname(abs))) return 'folder is outside the audited root';
    const tmp = writeTemp(dirname(abs), basename(abs), data, 0o666 & ~process.umask());
    try {
      linkSync(tmp, abs); // fails if the file exists: never overwrites
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'file appeared since it was audited; a fix never overwrites a file';
      throw error;
    } finally {
      unlinkSync(tmp);
    }
    return undefined;
  }
  if (lstatSync(abs).isSymbolicLink()) return 'file is a symbolic link; not rewritten';
  const st = statSync(abs);
  const hash = contentHash(readFileSync(abs));
  if (hash !== c.hash) return 'file changed since it was audited; not written (re-run prodaudit)';
  const tmp = writeTemp(dirname(abs), basename(abs), data, st.mode & 0o7777);
  crashPoint('before-rename');
  try {
    renameSync(tmp, abs);
  } catch (error) {
    unlinkSync(tmp);
    throw error;
  }
  return undefined;
}

const TEMP_NAME = /^\.(.+)\.prodaudit-(\d+)-[0-9a-f]{8}\.tmp$/;

function writeTemp(dir: string, base: string, data: Buffer, mode: number): string {
  const tmp = join(dir, `.${base}.prodaudit-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    let off = 0;
    const half = data.length >> 1;
    if (crashHere('mid-write')) {
      while (off < half) off += writeSync(fd, data, off, half - off);
      fsyncSync(fd);
      process.kill(process.pid, 'SIGKILL');
    }
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode); // openSync's mode is filtered by the umask
  return tmp;
}

/**
 * A run killed between writing a temp file and renaming it (power loss, SIGKILL, OOM) leaves
 * `.NAME.prodaudit-PID-XXXXXXXX.tmp` next to NAME; the original is intact. The next run that
 * writes NAME removes such leftovers of processes that are no longer alive.
 */
function removeStaleTemps(dir: string, base: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || m[1] !== base || alive(Number(m[2]))) continue;
    try {
      if (lstatSync(join(dir, name)).isFile()) unlinkSync(join(dir, name));
    } catch {
      // gone already, or not ours to remove
    }
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Crash injection for test/fix-crash.test.ts only: PRODAUDIT_TEST_KILL_AT=PHASE:N kills this
 * process with SIGKILL (no handlers, no cleanup, like a power cut) at PHASE of the N-th file
 * written. Phases: before-write, mid-write (half the temp file written), before-rename,
 * after-rename. Unset in normal runs: one string comparison per file written.
 */
const KILL_AT = /^(before-write|mid-write|before-rename|after-rename):(\d+)$/.exec(process.env.PRODAUDIT_TEST_KILL_AT ?? '');
const killCounts = new Map<string, number>();

/** Counts PHASE; true at the N-th time when PRODAUDIT_TEST_KILL_AT names it. */
function crashHere(phase: string): boolean {
  if (!KILL_AT || KILL_AT[1] !== phase) return false;
  const n = (killCounts.get(phase) ?? 0) + 1;
  killCounts.set(phase, n);
  return n === Number(KILL_AT[2]);
}

function crashPoint(phase: string): void {
  if (crashHere(phase)) process.kill(process.pid, 'SIGKILL');
}
