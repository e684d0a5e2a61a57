/**
 * The CI recipes users copy (docs/ci.md, action.yml, .pre-commit-hooks.yaml) use only flags the
 * CLI accepts, and the two YAML files parse with the fields GitHub and pre-commit need.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { cliProgram } from '../src/docs/cli-reference.js';

async function knownFlags(): Promise<Set<string>> {
  const program = await cliProgram();
  const flags = new Set<string>(['--help', '--version']);
  for (const cmd of program.commands) for (const o of cmd.options) for (const f of [o.long, o.short]) if (f) flags.add(f);
  return flags;
}

/** `--flag` tokens in prodaudit command lines of a text. */
function flagsIn(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!/prodaudit|args\+?=/.test(line)) continue;
    for (const m of line.matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)) out.push(m[1]!);
  }
  return out;
}

describe('CI recipes', () => {
  it('action.yml is a composite action whose command uses real flags', async () => {
    const text = readFileSync('action.yml', 'utf8');
    const action = parse(text) as { name: string; inputs: Record<string, unknown>; runs: { using: string; steps: { run?: string; uses?: string }[] } };
    assert.equal(action.runs.using, 'composite');
    for (const input of ['path', 'fail-on', 'min-score', 'baseline', 'sarif']) assert.ok(input in action.inputs, `input ${input}`);
    assert.ok(action.runs.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif')), 'uploads SARIF');
    const known = await knownFlags();
    const used = action.runs.steps.flatMap((s) => flagsIn(s.run ?? '')).filter((f) => f !== '--yes');
    assert.ok(used.length >= 6, `flags found: ${used.join(' ')}`);
    for (const f of used) assert.ok(known.has(f), `action.yml uses ${f}, which the CLI does not accept`);
  });

  it('.pre-commit-hooks.yaml hooks run the whole project with real flags', async () => {
    const hooks = parse(readFileSync('.pre-commit-hooks.yaml', 'utf8')) as { id: string; entry: string; language: string; pass_filenames: boolean }[];
    assert.ok(hooks.length >= 1);
    const known = await knownFlags();
    for (const h of hooks) {
      assert.equal(h.language, 'node');
      assert.equal(h.pass_filenames, false, `${h.id}: rules look across files; the file list must not be passed`);
      assert.match(h.entry, /^prodaudit /);
      for (const f of flagsIn(h.entry)) assert.ok(known.has(f), `${h.id} uses ${f}`);
    }
  });

  it('docs/ci.md uses only flags the CLI accepts', async () => {
    const known = await knownFlags();
    const used = flagsIn(readFileSync('docs/ci.md', 'utf8')).filter((f) => f !== '--yes');
    assert.ok(used.length >= 10);
    for (const f of used) assert.ok(known.has(f), `docs/ci.md uses ${f}, which the CLI does not accept`);
  });
});
