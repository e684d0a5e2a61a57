import { defineRule } from '../src/engine/rule.js';
import { stagesOf, type Stage } from './_shared/docker.js';

type Verdict = { messageId: 'untagged' | 'latest' } | { messageId: 'argNoDefault'; arg: string } | undefined;

/**
 * What is wrong with a stage's base image reference, if anything. The tag is what follows the
 * last `:` after the last `/` (`localhost:5000/app` has a registry port and no tag); a digest pins
 * whatever the tag says. A variable without a value that may hold the tag leaves the choice to
 * whoever runs the build.
 */
function judge(stage: Stage): Verdict {
  const { ref, unresolved } = stage.base;
  if (!stage.image || stage.parent || ref.toLowerCase() === 'scratch') return undefined;
  const [nameTag, digest] = ref.split('@') as [string, string | undefined];
  if (digest) return undefined;
  const lastPart = nameTag.slice(nameTag.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  const tag = colon === -1 ? undefined : lastPart.slice(colon + 1);
  const openArg = unresolved.find((name) => new RegExp(`\\$\\{?${name}\\b`).test(tag ?? lastPart));
  if (openArg !== undefined) return { messageId: 'argNoDefault', arg: openArg };
  if (tag === undefined || tag === '') return { messageId: 'untagged' };
  return tag === 'latest' ? { messageId: 'latest' } : undefined;
}

export default defineRule({
  meta: {
    id: 'docker-unpinned-base',
    title: 'Docker base image not pinned',
    category: 'configuration',
    severity: 'medium',
    confidence: 'high',
    fixable: 'none',
    effort: 'minutes',
    cwe: ['CWE-1357'],
    triggers: [/^\s*from\s/im],
    messages: {
      untagged: 'Base image "{image}"{via} has no tag: it means :latest, whatever that is on the day of the build.',
      latest: 'Base image "{image}"{via} uses the :latest tag: builds pick up new versions, major ones included, unannounced.',
      argNoDefault: 'Base image "{image}" depends on build argument {arg}, which has no default: the Dockerfile does not say which image it builds on.',
    },
    docs: {
      why:
        'A base image without a tag, or tagged `:latest`, is whatever the registry serves on the day of the build. The next rebuild, often an unrelated fix shipped in a hurry, can move to a new major version of the runtime or the distribution (Python 3.12 to 3.13, Debian bookworm to trixie) and break or subtly change production; the image that worked cannot be rebuilt to roll back, and two builds of the same commit can differ. Every stage counts: a build stage on `:latest` changes the compiler, the package manager and what gets copied into the final image. A `FROM ${BASE}` is only as pinned as the default of `ARG BASE`.',
      fix:
        'Pin every FROM to a version tag that names the runtime and distribution (`python:3.12-slim-bookworm`, `node:22.11-alpine3.20`), and for full reproducibility add the digest (`python:3.12-slim@sha256:...`, from `docker buildx imagetools inspect python:3.12-slim`); let Dependabot or Renovate propose updates so that new versions arrive as reviewed pull requests. Give every `ARG` used in a FROM a pinned default. There is no automatic fix: only you can choose the version to pin.',
      whenNotTo: 'Images pinned by digest, `scratch` and references to earlier stages (`FROM build`) are not reported. Only a missing tag and `:latest` are: other moving tags (`python:3`, `node:lts`) say how far the project chose to follow updates.',
      references: [
        'https://docs.docker.com/build/building/best-practices/#pin-base-image-versions',
        'https://github.com/hadolint/hadolint/wiki/DL3006',
        'https://github.com/hadolint/hadolint/wiki/DL3007',
        'https://cwe.mitre.org/data/definitions/1357.html',
      ],
      examples: [
        { file: 'Dockerfile', bad: 'FROM python\nCMD ["gunicorn", "app:app"]', good: 'FROM python:3.12-slim\nCMD ["gunicorn", "app:app"]' },
        { file: 'Dockerfile', bad: 'ARG BASE=node:latest\nFROM ${BASE}\nCMD ["node", "server.js"]', good: 'ARG BASE=node:22-slim\nFROM ${BASE}\nCMD ["node", "server.js"]' },
      ],
    },
  },
  check: {
    dockerfile(ctx) {
      for (const stage of stagesOf(ctx.text, ctx.instructions)) {
        const verdict = judge(stage);
        if (!verdict) continue;
        const { image, ref, imageRange } = stage.base;
        const via = ref === image ? '' : ` (from ${image})`;
        const data: Record<string, string> = verdict.messageId === 'argNoDefault' ? { image, arg: verdict.arg } : { image: ref, via };
        // From the FROM keyword (where a suppression comment goes) to the end of the image reference.
        ctx.report({ messageId: verdict.messageId, data, at: { start: stage.from.range.start, end: imageRange.end } });
      }
    },
  },
});
