/**
 * YAML (and JSON, which is YAML 1.2) with exact positions via `yaml`'s LineCounter.
 * Alias expansion is capped (`maxAliasCount`), so a billion-laughs file is an error, not a hang.
 * Fixes edit by range (`node.range`), never via Document.toString() (tech-notes §3).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Document, type Node, type Pair } from 'yaml';

export interface YamlParse {
  readonly docs: Document.Parsed[];
  readonly lineCounter: LineCounter;
  readonly errors: readonly { line: number; column: number; message: string }[];
}

export function parseYaml(text: string): YamlParse {
  const lineCounter = new LineCounter();
  const all = parseAllDocuments(text, { lineCounter, keepSourceTokens: false, uniqueKeys: false, prettyErrors: false });
  const docs = (Array.isArray(all) ? all : []) as Document.Parsed[];
  const errors = docs.flatMap((d) =>
    d.errors.map((e) => {
      const p = lineCounter.linePos(e.pos[0]);
      return { line: p.line, column: p.col, message: e.message.split('\n')[0]! };
    }),
  );
  return { docs, lineCounter, errors };
}

export function parseJson(text: string): { doc: Document.Parsed; value: unknown; lineCounter: LineCounter; errors: { line: number; column: number; message: string }[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false }) as Document.Parsed;
  const errors = doc.errors.map((e) => {
    const p = lineCounter.linePos(e.pos[0]);
    return { line: p.line, column: p.col, message: e.message.split('\n')[0]! };
  });
  let value: unknown;
  try {
    value = errors.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  } catch {
    value = undefined;
  }
  return { doc, value, lineCounter, errors };
}

/** Value at a key path in a map (keys as strings), or undefined. */
export function getIn(node: unknown, path: readonly string[]): Node | undefined {
  let cur: unknown = node;
  for (const key of path) {
    if (!isMap(cur)) return undefined;
    const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    cur = pair?.value;
  }
  return (cur ?? undefined) as Node | undefined;
}

/** Pairs of a map node with string keys. */
export function mapPairs(node: unknown): Pair<Node, Node>[] {
  if (!isMap(node)) return [];
  return node.items.filter((p): p is Pair<Node, Node> => isPair(p) && isScalar(p.key)) as Pair<Node, Node>[];
}

export function keyOf(pair: Pair<Node, Node>): string {
  return isScalar(pair.key) ? String(pair.key.value) : '';
}

export function scalarString(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return v === null || v === undefined ? undefined : String(v);
}

export function seqItems(node: unknown): Node[] {
  return isSeq(node) ? (node.items as Node[]) : [];
}

export { isMap, isScalar, isSeq, isPair };
