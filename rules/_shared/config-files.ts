/**
 * Environment variables set by deployment config: docker-compose `environment:` (map and list
 * forms), Dockerfile ENV/ARG, Kubernetes container `env:`. Ranges point at the value as written.
 */
import { isMap, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import { envPairs, type DockerInstruction } from '../../src/parsers/dockerfile.js';
import type { TextRange } from '../../src/engine/types.js';

export interface ConfigEnvVar {
  readonly key: string;
  readonly value: string;
  /** Where the value is written (empty range after `KEY=` when no value). */
  readonly valueRange: TextRange;
  readonly keyRange: TextRange;
  /** Compose service or Kubernetes container name, when known. */
  readonly owner: string | undefined;
}

/** Is this YAML document a docker-compose file? (top-level `services:` map) */
export function isComposeDoc(doc: Document.Parsed): boolean {
  return isMap(doc.contents) && isMap((doc.contents as { get(k: string): unknown }).get('services'));
}

/** Services of a compose document: name -> service map node. */
export function composeServices(doc: Document.Parsed): { name: string; node: Node; keyRange: TextRange }[] {
  if (!isComposeDoc(doc)) return [];
  const services = (doc.contents as { get(k: string): unknown }).get('services');
  if (!isMap(services)) return [];
  return (services.items as Pair<Node, Node>[])
    .filter((p) => isScalar(p.key))
    .map((p) => ({ name: String((p.key as { value: unknown }).value), node: p.value as Node, keyRange: rangeOf(p.key as Node) }));
}

/** `environment:` entries of every compose service, in map (`KEY: v`) and list (`- KEY=v`) form. */
export function composeEnv(doc: Document.Parsed): ConfigEnvVar[] {
  const out: ConfigEnvVar[] = [];
  for (const svc of composeServices(doc)) {
    if (!isMap(svc.node)) continue;
    out.push(...yamlEnvBlock(svc.node.get('environment', true), svc.name));
  }
  return out;
}

/** Kubernetes containers' `env:` lists (`- name: X\n  value: y`). */
export function kubernetesEnv(doc: Document.Parsed): ConfigEnvVar[] {
  const out: ConfigEnvVar[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > 30) return;
    if (isMap(node)) {
      const containers = node.get('containers', true);
      if (isSeq(containers)) {
        for (const c of containers.items) {
          if (!isMap(c)) continue;
          const name = c.get('name');
          const env = c.get('env', true);
          if (!isSeq(env)) continue;
          for (const e of env.items) {
            if (!isMap(e)) continue;
            const k = e.get('name', true);
            const v = e.get('value', true);
            if (!isScalar(k)) continue;
            out.push({
              key: String(k.value),
              value: isScalar(v) ? String(v.value ?? '') : '',
              valueRange: isScalar(v) ? rangeOf(v as Node) : rangeOf(k as Node),
              keyRange: rangeOf(k as Node),
              owner: typeof name === 'string' ? name : undefined,
            });
          }
        }
      }
      for (const p of node.items) visit(p.value, depth + 1);
    } else if (isSeq(node)) for (const it of node.items) visit(it, depth + 1);
  };
  visit(doc.contents, 0);
  return out;
}

function yamlEnvBlock(env: unknown, owner: string): ConfigEnvVar[] {
  const out: ConfigEnvVar[] = [];
  if (isMap(env)) {
    for (const p of env.items as Pair<Node, Node>[]) {
      if (!isScalar(p.key)) continue;
      const v = p.value;
      const keyRange = rangeOf(p.key as Node);
      out.push({
        key: String((p.key as { value: unknown }).value),
        value: isScalar(v) ? String(v.value ?? '') : '',
        valueRange: isScalar(v) ? rangeOf(v as Node) : { start: keyRange.end, end: keyRange.end },
        keyRange,
        owner,
      });
    }
  } else if (isSeq(env)) {
    for (const it of env.items) {
      if (!isScalar(it) || typeof it.value !== 'string') continue;
      const r = rangeOf(it as Node);
      const raw = it.value;
      const eq = raw.indexOf('=');
      const key = eq === -1 ? raw : raw.slice(0, eq);
      // Locate the value inside the scalar as written (quotes shift it by one).
      const quoted = it.type === 'QUOTE_DOUBLE' || it.type === 'QUOTE_SINGLE' ? 1 : 0;
      const valueStart = r.start + quoted + (eq === -1 ? raw.length : eq + 1);
      out.push({
        key,
        value: eq === -1 ? '' : raw.slice(eq + 1),
        valueRange: { start: valueStart, end: valueStart + (eq === -1 ? 0 : raw.length - eq - 1) },
        keyRange: { start: r.start + quoted, end: r.start + quoted + key.length },
        owner,
      });
    }
  }
  return out;
}

/** ENV (and ARG defaults) of a Dockerfile, final stage first-class: stage index included in owner. */
export function dockerEnv(instructions: readonly DockerInstruction[], text: string, includeArgs = false): (ConfigEnvVar & { stage: number; final: boolean })[] {
  const lastStage = instructions.reduce((m, i) => Math.max(m, i.stage), 0);
  const out: (ConfigEnvVar & { stage: number; final: boolean })[] = [];
  for (const ins of instructions) {
    if (ins.keyword !== 'ENV' && !(includeArgs && ins.keyword === 'ARG')) continue;
    for (const p of envPairs(ins, text)) {
      const valueRange = p.valueRange ?? { start: ins.argsRange.end, end: ins.argsRange.end };
      const keyStart = text.indexOf(p.key, ins.argsRange.start);
      out.push({
        key: p.key,
        value: p.value,
        valueRange,
        keyRange: { start: keyStart, end: keyStart + p.key.length },
        owner: `stage ${ins.stage}`,
        stage: ins.stage,
        final: ins.stage === lastStage,
      });
    }
  }
  return out;
}

export function rangeOf(node: Node): TextRange {
  const r = node.range ?? [0, 0, 0];
  return { start: r[0], end: r[1] };
}

export const TRUTHY = /^(1|true|yes|on|y|t)$/i;
