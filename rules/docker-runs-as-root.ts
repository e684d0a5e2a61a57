import { insertAt } from '../src/engine/edits.js';
import { defineRule } from '../src/engine/rule.js';
import type { Fix, TextRange } from '../src/engine/types.js';
import type { DockerInstruction } from '../src/parsers/dockerfile.js';
import { composeServices, rangeOf } from './_shared/config-files.js';
import { rootStage, stagesOf, type Stage } from './_shared/docker.js';
import { isMap, isScalar } from '../src/parsers/yaml.js';

/**
 * Base images whose default user is not root, so a final stage built FROM them without a USER
 * instruction still runs unprivileged: distroless `:nonroot` tags, Chainguard images (uid 65532
 * unless the `-dev` variant), Bitnami images (uid 1001) and the unprivileged nginx build.
 */
function nonRootBase(image: string): boolean {
  const ref = image.toLowerCase();
  const colon = ref.lastIndexOf(':');
  const slash = ref.lastIndexOf('/');
  const name = colon > slash ? ref.slice(0, colon) : ref;
  const tag = colon > slash ? ref.slice(colon + 1).replace(/@.*$/, '') : '';
  if (/(^|\/)distroless\//.test(name)) return /(^|-)nonroot$/.test(tag);
  if (/^cgr\.dev\/chainguard\//.test(name)) return !/-dev$/.test(tag) && tag !== 'latest-dev';
  if (/^(docker\.io\/)?bitnami\//.test(name)) return true;
  if (/^(docker\.io\/)?nginxinc\/nginx-unprivileged$/.test(name)) return true;
  return false;
}

/** `USER root`, `USER 0`, `USER root:root`, `USER 0:0` (a group alone does not matter). */
function isRootUser(spec: string): boolean {
  const user = spec.trim().replace(/^["']|["']$/g, '').split(':')[0]!.trim();
  return user === 'root' || user === '0';
}

/** Entrypoints that start as root only to drop privileges themselves (gosu, su-exec, setpriv, runuser, chroot --userspec). */
const PRIV_DROP = /^(\/\S*\/)?(gosu|su-exec|setpriv|runuser|s6-setuidgid|chpst)$/;

type Effective = { kind: 'root-default'; stage: Stage } | { kind: 'root-user'; user: DockerInstruction } | { kind: 'non-root' };

/** The user the stage's processes run as: its last USER, else inherited from a `FROM <stage>` or the base image. */
function effectiveUser(stage: Stage): Effective {
  const lastUser = stage.instructions.filter((i) => i.keyword === 'USER').at(-1);
  if (lastUser) return isRootUser(lastUser.args) ? { kind: 'root-user', user: lastUser } : { kind: 'non-root' };
  if (stage.parent) {
    const inherited = effectiveUser(stage.parent);
    return inherited.kind === 'root-default' ? { kind: 'root-default', stage } : inherited;
  }
  return nonRootBase(stage.image) ? { kind: 'non-root' } : { kind: 'root-default', stage };
}

/** The process the container starts drops privileges itself (exec form or shell form of ENTRYPOINT, else CMD). */
function dropsPrivileges(stage: Stage): boolean {
  const entry = stage.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1) ?? stage.instructions.filter((i) => i.keyword === 'CMD').at(-1);
  if (!entry) return false;
  const first = entry.exec?.[0] ?? entry.args.split(/\s+/)[0] ?? '';
  return PRIV_DROP.test(first);
}

/** Lines that create and switch to an unprivileged user, for the base image's family. */
function userLines(image: string): string[] {
  const ref = image.toLowerCase();
  if (/^(docker\.io\/)?(library\/)?node(:|$)/.test(ref)) return ['USER node'];
  if (/alpine/.test(ref)) return ['RUN addgroup -S app && adduser -S -G app app', 'USER app'];
  if (/^(docker\.io\/)?(library\/)?(python|debian|ubuntu|ruby|golang|openjdk|eclipse-temurin|php)(:|$)/.test(ref)) {
    return ['RUN useradd --create-home --shell /usr/sbin/nologin app', 'USER app'];
  }
  return ['USER 10001:10001'];
}

/** A non-root user an earlier USER of this stage or a stage it builds on already switched to. */
function existingUser(stage: Stage): string | undefined {
  for (let cur: Stage | undefined = stage; cur; cur = cur.parent) {
    const users = cur.instructions.filter((x) => x.keyword === 'USER' && !isRootUser(x.args));
    if (users.length) return users.at(-1)!.args.trim();
  }
  return undefined;
}

function addUserFix(text: string, stage: Stage): Fix {
  const image = rootStage(stage).image;
  const known = existingUser(stage);
  // Before the CMD/ENTRYPOINT that follows the last build step, so build steps still run as root.
  const lastBuild = stage.instructions.filter((i) => ['RUN', 'COPY', 'ADD', 'USER'].includes(i.keyword)).at(-1);
  const start = stage.instructions.find((i) => (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && (!lastBuild || i.line > lastBuild.line));
  const lines = known ? [`USER ${known}`] : userLines(image);
  let edit;
  if (start) {
    const lineStart = text.lastIndexOf('\n', start.range.start - 1) + 1;
    edit = insertAt(lineStart, `${lines.join('\n')}\n`);
  } else {
    const end = stage.instructions.at(-1)?.range.end ?? stage.from.range.end;
    edit = insertAt(end, `\n${lines.join('\n')}`);
  }
  return { title: `Run the container as a non-root user (${lines.at(-1)})`, applicability: 'unsafe', edits: [edit] };
}

export default defineRule({
  meta: {
    id: 'docker-runs-as-root',
    title: 'Container runs as root',
    category: 'configuration',
    severity: 'medium',
    confidence: 'high',
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-250'],
    // Dockerfile instructions are case-insensitive (`from python:3.12`); `user` is compose's user: key.
    triggers: [/^\s*from\s/im, 'user'],
    messages: {
      noUser: 'The final stage (FROM {image}) sets no USER: the container runs as root.',
      inheritedRoot: 'The final stage (FROM {image}) sets no USER and its base stage runs as root.',
      rootUser: 'USER {user} is the last USER of the final stage: the container runs as root.',
      composeRoot: 'Service "{service}" runs as user "{user}" (root).',
    },
    docs: {
      why:
        'A process running as root inside a container is root on the container\'s filesystem and, after any container escape (a kernel bug, a mounted Docker socket, a privileged flag added later), root on the host. An attacker who gets code execution through the app can also rewrite the app itself, install tools and read every secret mounted into the container. Official images such as python, node and debian default to root unless the Dockerfile switches user.',
      fix:
        'Create an unprivileged user in the final stage and switch to it before CMD/ENTRYPOINT: `RUN useradd --create-home app` + `USER app` (Alpine: `adduser -S app`; the node images ship a `node` user: `USER node`), or build FROM an image that is non-root by default (distroless `:nonroot`, Chainguard). Only the final stage of a multi-stage build matters; build stages may stay root. In docker-compose, drop `user: root`. The fix is unsafe: files the app writes at run time (uploads, caches, sockets) must be owned by the new user (`COPY --chown=app:app`, `chown` the data directory), and ports below 1024 need a higher port.',
      whenNotTo: 'Images whose entrypoint drops privileges itself (gosu, su-exec) are recognised and not reported.',
      references: [
        'https://docs.docker.com/build/building/best-practices/#user',
        'https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-2-set-a-user',
        'https://github.com/nodejs/docker-node/blob/main/docs/BestPractices.md#non-root-user',
        'https://cwe.mitre.org/data/definitions/250.html',
      ],
      examples: [{ file: 'Dockerfile', bad: 'FROM python:3.12-slim\nCOPY . /app\nCMD ["gunicorn", "app:app"]', good: 'FROM python:3.12-slim\nCOPY . /app\nRUN useradd --create-home app\nUSER app\nCMD ["gunicorn", "app:app"]' }],
    },
  },
  check: {
    dockerfile(ctx) {
      const final = stagesOf(ctx.text, ctx.instructions).at(-1);
      if (!final) return;
      const user = effectiveUser(final);
      if (user.kind === 'non-root') return;
      if (dropsPrivileges(final)) return;
      if (user.kind === 'root-user') {
        ctx.report({ messageId: 'rootUser', data: { user: user.user.args }, at: user.user.range, fix: addUserFix(ctx.text, final) });
        return;
      }
      const inherited = final.parent !== undefined;
      ctx.report({
        messageId: inherited ? 'inheritedRoot' : 'noUser',
        data: { image: final.image },
        at: final.from.range,
        fix: addUserFix(ctx.text, final),
      });
    },
    yaml(ctx) {
      for (const doc of ctx.docs) {
        for (const svc of composeServices(doc)) {
          if (!isMap(svc.node)) continue;
          const user = svc.node.get('user', true);
          if (!isScalar(user) || user.value === null || user.value === undefined) continue;
          const value = String(user.value);
          if (!isRootUser(value)) continue;
          const at: TextRange = rangeOf(user);
          ctx.report({ messageId: 'composeRoot', data: { service: svc.name, user: value }, at });
        }
      }
    },
  },
});
