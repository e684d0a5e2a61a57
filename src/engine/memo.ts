/**
 * Named memos: per-app (or whole-project) computations that rules share across the files they
 * audit ("the app's login routes", "is CSRFProtect initialised anywhere?"), defined once at module
 * level with a name unique in the process, so the engine can recompute one from its name alone.
 *
 * The cache gives each memo result its own entry (what it read, and a digest of its value), and a
 * file's outcome records the memos it used with the digests it saw. On a warm run a memo whose
 * inputs changed is recomputed once and its new digest compared: files that saw the same value stay
 * cached (early cutoff), instead of every user of an app-wide scan depending on every file of the app.
 *
 * An app-wide scan is itself cheap to recompute when it is built from 'file' memos: one part per
 * file, whose value (plain JSON data) the cache keeps with the file's content hash, so a warm run
 * re-derives only the parts of changed files and combines the rest from the cache without parsing.
 */
import { hashOf } from './encoding.js';
import type { App, ProjectFacts } from './facts.js';

export interface MemoDef<T = unknown> {
  /** Unique in the process ("csrf-missing.flaskInfo"): the cache refers to results by it. */
  readonly name: string;
  /**
   * 'app': one value per app (and frameworks); 'project': one value for the whole audit; 'file':
   * one value per file path, kept in the cache (so it must be JSON data: it is always handed out as
   * it reads back from JSON, cold or warm).
   */
  readonly scope: 'app' | 'project' | 'file';
  /**
   * The computation. It may depend only on its arguments: the app's root, files and frameworks,
   * and the facts' files and their contents (not on which file asked, nor on other apps'
   * frameworks), so that the engine can recompute it without a rule asking. A 'project' memo
   * gets no app and must not depend on frameworks at all; a 'file' memo gets its path instead.
   */
  readonly compute: (project: ProjectFacts, app: App | undefined, path: string | undefined) => T;
}

const REGISTRY = new Map<string, MemoDef>();

/** Register a memo. Names are global: a second definition under one name is a programming error. */
export function defineMemo<T>(name: string, scope: MemoDef['scope'], compute: MemoDef<T>['compute']): MemoDef<T> {
  if (REGISTRY.has(name)) throw new Error(`memo "${name}" is defined twice`);
  if (name.includes('\0')) throw new Error(`memo name "${name}" contains a NUL`);
  const def: MemoDef<T> = { name, scope, compute };
  REGISTRY.set(name, def as MemoDef);
  return def;
}

export function memoByName(name: string): MemoDef | undefined {
  return REGISTRY.get(name);
}

/**
 * The cache key of one memo result: name, app root and the app's frameworks as the asking file saw
 * them (a file's own imports add frameworks to its view of its app, so that is part of the key).
 */
export function memoKey(def: MemoDef, app: App | undefined, path: string | undefined): string {
  if (def.scope === 'file') return `${def.name}\0${path}`;
  if (def.scope === 'project' || !app) return def.name;
  return `${def.name}\0${app.root}\0${[...app.frameworks].sort().join(',')}`;
}

export function parseMemoKey(key: string): { name: string; root?: string; frameworks?: string[]; path?: string } {
  const [name, a, fws] = key.split('\0');
  if (a === undefined) return { name: name! };
  if (fws === undefined) return { name: name!, path: a };
  return { name: name!, root: a, frameworks: fws ? fws.split(',') : [] };
}

/** A 'file' memo's value as it reads back from the cache's JSON (undefined stays undefined). */
export function asStored(value: unknown): unknown {
  return (JSON.parse(JSON.stringify({ v: value })) as { v?: unknown }).v;
}

/**
 * A digest of a memo's value that changes whenever what a rule can observe in it changes. Plain
 * data (primitives, arrays, plain objects, Sets and Maps in insertion order, RegExps) is taken
 * field by field. Parse trees are not: `refOf` names a parsed module (PyModule, ScriptModule, a
 * TypeScript SourceFile) by path and content hash, and a TypeScript node by its file plus
 * position, kind and depth; a module is a pure function of its text, so that is exact. Methods
 * are skipped: the ones values carry (PyCall.keyword) are functions of their object's data.
 * Shared objects and cycles are written once and then referred to by number.
 */
export function digestValue(value: unknown, refOf: (o: object) => string | undefined): string {
  // The stream is built as one string and hashed once: the same bytes as an update per token (so
  // the same digests), but one call into the hash instead of two per token, and no Hash object.
  // A cold run digests every memo part of every file: on the Python corpus the updates and Hash
  // objects were 120-150 ms of samples.
  let stream = '';
  const seen = new Map<object, number>();
  const put = (s: string): void => {
    stream += s + '\0';
  };
  const walk = (v: unknown): void => {
    switch (typeof v) {
      case 'string':
        put(`s${v.length}`);
        stream += v;
        return;
      case 'number':
      case 'boolean':
      case 'bigint':
        put(`${(typeof v)[0]}${String(v)}`);
        return;
      case 'undefined':
        put('u');
        return;
      case 'function':
        put('f');
        return;
      case 'symbol':
        put(`y${String(v.description)}`);
        return;
    }
    if (v === null) return put('n');
    const o = v as object;
    const back = seen.get(o);
    if (back !== undefined) return put(`@${back}`);
    seen.set(o, seen.size);
    const ref = refOf(o) ?? tsNodeRef(o, refOf);
    if (ref !== undefined) return put(`r${ref}`);
    if (Array.isArray(o)) {
      put(`a${o.length}`);
      for (const x of o) walk(x);
    } else if (o instanceof Set) {
      put(`S${o.size}`);
      for (const x of o) walk(x);
    } else if (o instanceof Map) {
      put(`M${o.size}`);
      for (const [k, x] of o) {
        walk(k);
        walk(x);
      }
    } else if (o instanceof RegExp) {
      put(`x${o.source}/${o.flags}`);
    } else {
      const keys = Object.keys(o).filter((k) => typeof (o as Record<string, unknown>)[k] !== 'function');
      put(`o${keys.length}`);
      for (const k of keys) {
        put(k);
        walk((o as Record<string, unknown>)[k]);
      }
    }
  };
  walk(value);
  return hashOf('sha1', stream, 'base64url');
}

/** A TypeScript node: its source file's reference plus where it is (kind and depth tell apart nodes with one span). */
function tsNodeRef(o: object, refOf: (o: object) => string | undefined): string | undefined {
  const n = o as { kind?: unknown; pos?: unknown; end?: unknown; parent?: unknown; getSourceFile?: unknown };
  if (typeof n.kind !== 'number' || typeof n.pos !== 'number' || typeof n.end !== 'number' || typeof n.getSourceFile !== 'function') return undefined;
  const sf = (n.getSourceFile as () => object | undefined).call(n);
  const file = sf && refOf(sf);
  if (file === undefined) return undefined;
  let depth = 0;
  for (let p = n.parent as { parent?: unknown } | undefined; p; p = p.parent as { parent?: unknown } | undefined) depth++;
  return `${file}\0${n.pos}:${n.end}:${n.kind}:${depth}`;
}
