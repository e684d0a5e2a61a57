import { z } from 'zod';
import { defineRule } from '../src/engine/rule.js';
import { collectRuntimePins, judgePin, TABLES } from '../src/engine/runtimes.js';

const NAMES = { node: 'Node.js', python: 'Python' } as const;
const SOURCES = { node: 'Node.js Release schedule', python: 'Python devguide' } as const;

export default defineRule({
  meta: {
    id: 'eol-runtime',
    title: 'Runtime past end of life',
    category: 'security',
    severity: 'high',
    confidence: 'high',
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-1104'],
    messages: {
      eol: '{runtime} {cycle} ({where} "{raw}") reached end of life on {eol} and gets no security fixes (EOL table of {asOf}, {source}).',
      nearEol: '{runtime} {cycle} ({where} "{raw}") reaches end of life on {eol}, in {days} days (EOL table of {asOf}, {source}).',
    },
    docs: {
      why:
        'A runtime past end of life gets no security releases: every vulnerability found in Node.js, OpenSSL as bundled, or CPython after that date stays open in production, and base images, buildpacks and hosting platforms drop it without notice, so a routine rebuild can fail on the day it is needed. The rule reads every place a repository fixes its runtime: package.json `engines.node`, `.nvmrc`, `.node-version`, `.python-version`, `.tool-versions`, `runtime.txt`, pyproject `requires-python` (and Poetry\'s `python`), Pipfile `[requires]`, Dockerfile `FROM node:14` / `python:3.7-slim` (ARG defaults resolved), and CI or compose YAML (`node-version`, `python-version`, matrices, `image:`). A range reports only when every version it admits is past end of life (`>=14` is fine, `14.x` is not); a line within 90 days of its end of life reports at medium severity. The dates come from a table shipped with the tool (Node.js Release working group schedule, Python devguide); each message names the table\'s date.',
      fix:
        'Move to a supported release line (the current Node.js LTS, a Python version with security support) everywhere the version is pinned, including the Dockerfile base image and the CI matrix, and run the test suite on it. Upgrade major versions one at a time and read the release notes for removed APIs.',
      whenNotTo:
        'A CI matrix that deliberately tests an old line for a library that still supports it; suppress the finding there with a reason.',
      references: [
        'https://github.com/nodejs/Release#release-schedule',
        'https://devguide.python.org/versions/',
        'https://endoflife.date/',
        'https://cwe.mitre.org/data/definitions/1104.html',
      ],
      examples: [
        { file: '.nvmrc', bad: '14', good: '22' },
        { file: 'Dockerfile', bad: 'FROM python:3.7-slim', good: 'FROM python:3.12-slim' },
      ],
    },
  },
  options: z.object({
    /** Evaluate EOL status as of this date (YYYY-MM-DD) instead of today: reproducible reports. */
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  }),
  check: {
    project(ctx) {
      const today = ctx.options.asOf ? new Date(`${ctx.options.asOf}T00:00:00Z`) : new Date();
      for (const pin of collectRuntimePins(ctx.project)) {
        const verdict = judgePin(pin, today);
        if (verdict.status !== 'eol' && verdict.status !== 'near-eol') continue;
        const table = TABLES[pin.runtime];
        ctx.report({
          messageId: verdict.status === 'eol' ? 'eol' : 'nearEol',
          file: pin.file,
          at: pin.at,
          severity: verdict.status === 'eol' ? 'high' : 'medium',
          data: {
            runtime: NAMES[pin.runtime],
            cycle: verdict.cycle!.cycle,
            where: pin.where,
            raw: pin.raw,
            eol: verdict.cycle!.eol,
            days: verdict.daysLeft ?? 0,
            asOf: table.asOf,
            source: SOURCES[pin.runtime],
          },
        });
      }
    },
  },
});
