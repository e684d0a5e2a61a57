/**
 * JSON schemas generated from the zod schemas (zod 4's z.toJSONSchema), committed under schema/:
 *   schema/prodaudit.schema.json  the config file (.prodaudit.yml), for editors
 *   schema/report.schema.json     the `--format json` report
 * `npm run schema` rewrites them; test/config.test.ts fails when they are stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { AuditResultSchema, SCHEMA_VERSION } from '../engine/result.js';
import { ConfigSchema } from './schema.js';

export const SCHEMA_FILES = { config: 'schema/prodaudit.schema.json', report: 'schema/report.schema.json' } as const;

type Json = Record<string, unknown>;

/** A section whose entries are all commented out (as `prodaudit init` writes them) is null in YAML; the loader treats it as absent. */
function nullable(props: Json | undefined, keys: readonly string[]): void {
  for (const k of keys) {
    const p = props?.[k] as Json | undefined;
    if (!p) continue;
    const { description, default: _default, ...rest } = p;
    props![k] = { ...(description ? { description } : {}), anyOf: [rest, { type: 'null' }] };
  }
}

export function configJsonSchema(): string {
  const s = z.toJSONSchema(ConfigSchema, { io: 'input' }) as Json;
  const props = s.properties as Json;
  nullable(props, ['rules', 'context', 'suppressions', 'apps']);
  const app = (((props.apps as Json).anyOf as Json[])[0]!.additionalProperties as Json).properties as Json;
  nullable(app, ['rules', 'context']);
  return `${JSON.stringify({ ...s, $id: 'https://unpkg.com/prodaudit/schema/prodaudit.schema.json', title: 'prodaudit configuration (.prodaudit.yml)' }, null, 2)}\n`;
}

export function reportJsonSchema(): string {
  const s = z.toJSONSchema(AuditResultSchema, { io: 'output' }) as Record<string, unknown>;
  return `${JSON.stringify({ ...s, $id: 'https://unpkg.com/prodaudit/schema/report.schema.json', title: `prodaudit report (schemaVersion ${SCHEMA_VERSION})` }, null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  mkdirSync('schema', { recursive: true });
  writeFileSync(join(SCHEMA_FILES.config), configJsonSchema());
  writeFileSync(join(SCHEMA_FILES.report), reportJsonSchema());
  process.stdout.write(`wrote ${SCHEMA_FILES.config} and ${SCHEMA_FILES.report}\n`);
}
