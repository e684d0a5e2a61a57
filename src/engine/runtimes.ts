/**
 * Runtime pins: every place a repository fixes the Node or Python version it runs on, with the
 * range it occupies in its file: package.json `engines.node`, `.nvmrc`, `.node-version`,
 * `.python-version`, `.tool-versions`, `runtime.txt`, pyproject `requires-python` and Poetry's
 * `python`, Pipfile `[requires]`, Dockerfile `FROM node:14` / `python:3.7-slim` (ARG defaults
 * resolved), and CI / compose YAML (`node-version`, `python-version`, matrices, `image:`).
 * Judged against the shipped EOL tables (src/data/runtimes.ts).
 */
import semver from 'semver';
import { parse as parseToml } from 'smol-toml';
import { isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { NODE_RUNTIMES, PYTHON_RUNTIMES } from '../data/runtimes.js';
import type { RuntimeCycle, RuntimeTable } from '../data/schema.js';
import { dockerFroms, parseDockerfile, type DockerInstruction } from '../parsers/dockerfile.js';
import { parseJson, parseYaml } from '../parsers/yaml.js';
import { parseSpecifiers, poetryToPep440, satisfies } from './pep440.js';
import type { ProjectFacts } from './facts.js';
import type { TextRange } from './types.js';

export type Runtime = 'node' | 'python';

export interface RuntimePin {
  readonly runtime: Runtime;
  readonly file: string;
  readonly at: TextRange;
  /** Where in the file, for messages: "engines.node", ".nvmrc", "FROM", "node-version", "image". */
  readonly where: string;
  /** The value as written ("14", ">=3.8,<3.10", "node:14-alpine"). */
  readonly raw: string;
  /** Release lines of the table the pin admits; `beyond`: it also admits lines newer than the table knows. */
  readonly cycles: readonly RuntimeCycle[];
  readonly beyond: boolean;
}

export type RuntimeStatus = 'eol' | 'near-eol' | 'supported' | 'unknown';
export interface RuntimeVerdict {
  readonly status: RuntimeStatus;
  /** The newest line the pin admits, and its EOL date. */
  readonly cycle?: RuntimeCycle;
  readonly daysLeft?: number;
}

export const NEAR_EOL_DAYS = 90;
export const TABLES: Record<Runtime, RuntimeTable> = { node: NODE_RUNTIMES, python: PYTHON_RUNTIMES };
const DAY = 86_400_000;

/** EOL verdict of a pin: `eol` when every line it admits is past EOL, `near-eol` when all are within 90 days of it. */
export function judgePin(pin: Pick<RuntimePin, 'cycles' | 'beyond'>, today: Date = new Date()): RuntimeVerdict {
  if (pin.cycles.length === 0 || pin.beyond) return { status: pin.beyond ? 'supported' : 'unknown' };
  const newest = [...pin.cycles].sort((a, b) => (a.eol < b.eol ? -1 : 1)).at(-1)!;
  const daysLeft = Math.floor((Date.parse(`${newest.eol}T00:00:00Z`) - today.getTime()) / DAY);
  if (daysLeft < 0) return { status: 'eol', cycle: newest, daysLeft };
  if (daysLeft <= NEAR_EOL_DAYS) return { status: 'near-eol', cycle: newest, daysLeft };
  return { status: 'supported', cycle: newest, daysLeft };
}

const NODE_CODENAMES = new Map(NODE_RUNTIMES.cycles.filter((c) => c.codename).map((c) => [c.codename!, c]));

/** Lines a version constraint admits. Node: a semver range or codename; Python: PEP 440, Poetry, or a bare version. */
export function cyclesOf(runtime: Runtime, value: string): { cycles: RuntimeCycle[]; beyond: boolean } | undefined {
  const v = value.trim().replace(/^["']|["']$/g, '');
  const table = TABLES[runtime].cycles;
  if (runtime === 'node') {
    const code = /^(?:lts\/|lts-)?([a-z]+)$/i.exec(v)?.[1]?.toLowerCase();
    if (code) {
      const c = NODE_CODENAMES.get(code);
      return c ? { cycles: [c], beyond: false } : undefined;
    }
    const range = semver.validRange(v.replace(/^v(?=\d)/, ''));
    if (!range || v === '*' || v === '') return undefined;
    const cycles = table.filter((c) => semver.intersects(range, `${c.cycle}.x`));
    const max = Math.max(...table.map((c) => Number(c.cycle)));
    return { cycles, beyond: semver.intersects(range, `>=${max + 1}.0.0`) };
  }
  let spec: string | undefined;
  if (/^\d+(\.\d+){0,2}$/.test(v)) spec = v.split('.').length === 1 ? `==${v}.*` : `==${v.split('.').slice(0, 2).join('.')}.*`;
  else spec = parseSpecifiers(v) ? v : poetryToPep440(v);
  if (!spec) return undefined;
  const set = parseSpecifiers(spec);
  if (!set || set.length === 0) return undefined;
  const cycles = table.filter((c) => [`${c.cycle}.0`, `${c.cycle}.999`].some((x) => satisfies(x, set)));
  const last = table.at(-1)!.cycle.split('.').map(Number);
  const beyond = [`${last[0]}.${last[1]! + 1}.0`, `${last[0]! + 1}.0.0`].some((x) => satisfies(x, set));
  return { cycles, beyond };
}

export interface ImageRef {
  readonly name: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/** `registry:5000/org/name:tag@sha256:...` -> parts; undefined for variables left unresolved. */
export function parseImageRef(ref: string): ImageRef | undefined {
  if (!ref || /\$/.test(ref)) return undefined;
  const [nameTag, digest] = ref.split('@') as [string, string | undefined];
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.lastIndexOf(':');
  const hasTag = colon > slash;
  return { name: hasTag ? nameTag.slice(0, colon) : nameTag, tag: hasTag ? nameTag.slice(colon + 1) : undefined, digest };
}

/** Runtime line of an official (or CircleCI) Node/Python image tag: node:14-alpine, python:3.7-slim, cimg/node:18.17. */
export function imageRuntime(ref: ImageRef): { runtime: Runtime; version: string } | undefined {
  const base = ref.name.replace(/^(docker\.io\/|index\.docker\.io\/|public\.ecr\.aws\/docker\/|mirror\.gcr\.io\/)?(library\/)?/, '');
  const runtime: Runtime | undefined = /^(cimg\/|circleci\/)?node$/.test(base) ? 'node' : /^(cimg\/|circleci\/)?python$/.test(base) ? 'python' : undefined;
  if (!runtime || !ref.tag) return undefined;
  if (runtime === 'node') {
    const m = /^v?(\d+)(?:\.\d+){0,2}(?:-|$)/.exec(ref.tag);
    if (m) return { runtime, version: m[1]! };
    const code = ref.tag.split('-').find((p) => NODE_CODENAMES.has(p));
    return code ? { runtime, version: code } : undefined;
  }
  const m = /^(\d+)\.(\d+)(?:\.\d+)?(?:[-a-z]|$)/.exec(ref.tag);
  return m ? { runtime, version: `${m[1]}.${m[2]}` } : undefined;
}

export interface FromImage {
  readonly instruction: DockerInstruction;
  /** The image reference after ARG substitution. */
  readonly ref: string;
  /** Range of the image reference in the file (the token after FROM and flags). */
  readonly at: TextRange;
  readonly image: ImageRef | undefined;
}

/**
 * Base images of a Dockerfile: `FROM [--platform=..] image [AS name]`, with `${ARG}` defaults
 * declared before the first FROM substituted. Stage references (`FROM build`) and `scratch` are
 * skipped; unresolved variables give `image: undefined`.
 */
export function dockerFromImages(text: string, instructions: readonly DockerInstruction[] = parseDockerfile(text)): FromImage[] {
  return dockerFroms(text, instructions)
    .filter((f) => f.image && f.parentStage === undefined && f.ref.toLowerCase() !== 'scratch')
    .map((f) => ({ instruction: f.instruction, ref: f.ref, at: f.imageRange, image: parseImageRef(f.ref) }));
}

const CI_FILE = /(^|\/)(\.github\/workflows\/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci\/config\.ya?ml|bitbucket-pipelines\.ya?ml|\.travis\.ya?ml|azure-pipelines\.ya?ml|(docker-)?compose[^/]*\.ya?ml|app\.ya?ml|render\.ya?ml)$/;
const NODE_KEYS = new Set(['node-version', 'node_version', 'node', 'nodejs', 'node_js', 'node-versions']);
const PY_KEYS = new Set(['python-version', 'python_version', 'python', 'python-versions', 'runtime']);
const VERSIONISH = /^(v?\d+(\.(\d+|x))*(\.x)?|lts\/[a-z]+)$/i;

/** Every runtime pin in the project (production paths only), in file order. */
export function collectRuntimePins(facts: ProjectFacts): RuntimePin[] {
  const pins: RuntimePin[] = [];
  const add = (runtime: Runtime, file: string, at: TextRange, where: string, raw: string, value = raw) => {
    const c = cyclesOf(runtime, value);
    if (c) pins.push({ runtime, file, at, where, raw, cycles: c.cycles, beyond: c.beyond });
  };
  for (const file of facts.files) {
    if (facts.contextOf(file) !== 'production') continue;
    const base = file.slice(file.lastIndexOf('/') + 1);
    const isDocker = /^(Dockerfile|Containerfile)([.-].+)?$/i.test(base) || /\.(Dockerfile|Containerfile)$/i.test(base);
    const wanted = base === 'package.json' || base === '.nvmrc' || base === '.node-version' || base === '.python-version' || base === 'runtime.txt' || base === '.tool-versions' || base === 'pyproject.toml' || base === 'Pipfile' || isDocker || CI_FILE.test(file);
    if (!wanted) continue;
    const text = facts.readText(file);
    if (text === undefined) continue;
    try {
      if (base === 'package.json') packageJsonPins(file, text, add);
      else if (base === '.nvmrc' || base === '.node-version') firstValue(text, (v, at) => add('node', file, at, base, v));
      else if (base === '.python-version') firstValue(text, (v, at) => /^\d/.test(v) && add('python', file, at, base, v));
      else if (base === 'runtime.txt') firstValue(text, (v, at) => {
        const m = /^python-(\d+\.\d+(?:\.\d+)?)$/.exec(v);
        if (m) add('python', file, { start: at.start + 7, end: at.end }, base, m[1]!);
      });
      else if (base === '.tool-versions') toolVersions(file, text, add);
      else if (base === 'pyproject.toml' || base === 'Pipfile') tomlPins(file, base, text, add);
      else if (isDocker) {
        for (const f of dockerFromImages(text)) {
          const rt = f.image && imageRuntime(f.image);
          if (rt) add(rt.runtime, file, f.at, 'FROM', f.ref, rt.version);
        }
      } else yamlPins(file, text, add);
    } catch {
      // Unparseable files are diagnosed by the engine; a pin we cannot read is no pin.
    }
  }
  return pins;
}

type Add = (runtime: Runtime, file: string, at: TextRange, where: string, raw: string, value?: string) => void;

function firstValue(text: string, cb: (value: string, at: TextRange) => void): void {
  const re = /^[ \t]*([^\s#][^\r\n#]*?)[ \t]*(?:#.*)?$/gm;
  const m = re.exec(text);
  if (!m) return;
  const start = m.index + m[0].indexOf(m[1]!);
  cb(m[1]!, { start, end: start + m[1]!.length });
}

function packageJsonPins(file: string, text: string, add: Add): void {
  const j = parseJson(text);
  if (j.errors.length || !isMap(j.doc.contents)) return;
  const engines = j.doc.contents.get('engines', true);
  if (!isMap(engines)) return;
  const node = engines.items.find((p) => isScalar(p.key) && p.key.value === 'node');
  if (!node || !isScalar(node.value) || typeof node.value.value !== 'string' || !node.value.range) return;
  add('node', file, { start: node.value.range[0], end: node.value.range[1] }, 'engines.node', node.value.value);
}

function toolVersions(file: string, text: string, add: Add): void {
  const re = /^[ \t]*(nodejs|python)[ \t]+(\S+)/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const start = m.index + m[0].lastIndexOf(m[2]!);
    if (/^\d/.test(m[2]!)) add(m[1] === 'nodejs' ? 'node' : 'python', file, { start, end: start + m[2]!.length }, '.tool-versions', m[2]!);
  }
}

/** pyproject `requires-python`, Poetry `python`, Pipfile `[requires] python_version`; located on their own line. */
function tomlPins(file: string, base: string, text: string, add: Add): void {
  const doc = parseToml(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const found: [string, string][] = [];
  if (base === 'Pipfile') {
    const req = doc.requires as Record<string, unknown> | undefined;
    for (const k of ['python_full_version', 'python_version']) if (typeof req?.[k] === 'string') found.push([k, req[k] as string]);
  } else {
    if (typeof doc.project?.['requires-python'] === 'string') found.push(['requires-python', doc.project['requires-python']]);
    const py = doc.tool?.poetry?.dependencies?.python;
    if (typeof py === 'string') found.push(['python', py]);
  }
  for (const [key, value] of found.slice(0, 1)) {
    const re = new RegExp(`^[ \\t]*["']?${key.replace(/-/g, '\\-')}["']?[ \\t]*=[ \\t]*["']([^"'\\r\\n]*)["']`, 'm');
    const m = re.exec(text);
    if (!m) continue;
    const start = m.index + m[0].lastIndexOf(m[1]!);
    add('python', file, { start, end: start + m[1]!.length }, key, value);
  }
}

function yamlPins(file: string, text: string, add: Add): void {
  const y = parseYaml(text);
  const visit = (node: unknown, parentKey: string | undefined): void => {
    if (isMap(node)) {
      for (const p of node.items as Pair<Node, Node>[]) {
        if (!isPair(p) || !isScalar(p.key)) continue;
        const key = String(p.key.value);
        const lower = key.toLowerCase();
        const runtime: Runtime | undefined = NODE_KEYS.has(lower) ? 'node' : PY_KEYS.has(lower) ? 'python' : undefined;
        if (lower === 'image' || lower === 'container') imagePin(file, p.value, add);
        if (runtime) for (const s of isSeq(p.value) ? p.value.items : [p.value]) versionPin(file, text, runtime, s, lower, add);
        visit(p.value, key);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        // CircleCI: `docker: [{ image: cimg/node:14.17 }]` handled by the map branch; bare image strings under `docker:`/`services:`.
        if (isScalar(item) && (parentKey === 'docker' || parentKey === 'services')) imagePin(file, item, add);
        visit(item, parentKey);
      }
    }
  };
  for (const doc of y.docs) if (doc.errors.length === 0) visit(doc.contents, undefined);
}

function versionPin(file: string, text: string, runtime: Runtime, node: unknown, key: string, add: Add): void {
  if (!isScalar(node) || !node.range) return;
  // YAML reads `python-version: 3.10` as the number 3.1: take the source text instead.
  const raw = text.slice(node.range[0], node.range[1]).trim().replace(/^["']|["']$/g, '');
  if (!VERSIONISH.test(raw)) return;
  if (key === 'runtime' && runtime === 'python' && !/^\d+\.\d+/.test(raw)) return;
  add(runtime, file, { start: node.range[0], end: node.range[1] }, key, raw, raw.replace(/\.x$/i, ''));
}

function imagePin(file: string, node: unknown, add: Add): void {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return;
  const ref = parseImageRef(node.value);
  const rt = ref && imageRuntime(ref);
  if (rt) add(rt.runtime, file, { start: node.range[0], end: node.range[1] }, 'image', node.value, rt.version);
}
