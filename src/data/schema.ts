/**
 * zod schemas of the shipped offline data tables (runtime EOL dates, curated advisories).
 * test/data.test.ts validates the tables against them and fails when a table's `asOf` date is
 * more than 180 days older than the tool's release date (src/version.ts), so data cannot rot
 * silently: a release must refresh the tables or ship with a red test.
 */
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'a real date');

export const runtimeCycleSchema = z.object({
  /** "20" for Node, "3.12" for Python. */
  cycle: z.string().regex(/^\d+(\.\d+)?$/),
  released: isoDate,
  eol: isoDate,
  /** Node LTS codename (lts/iron, node:iron). */
  codename: z.string().optional(),
});

export const runtimeTableSchema = z.object({
  runtime: z.enum(['node', 'python']),
  asOf: isoDate,
  source: z.string().min(10),
  sourceUrl: z.url(),
  cycles: z.array(runtimeCycleSchema).min(5),
});

export const advisorySchema = z.object({
  /** GHSA id when one exists, else the CVE id. */
  id: z.string().regex(/^(GHSA(-[23456789cfghjmpqrvwx]{4}){3}|CVE-\d{4}-\d{4,})$/),
  aliases: z.array(z.string().regex(/^(GHSA(-[23456789cfghjmpqrvwx]{4}){3}|CVE-\d{4}-\d{4,}|PYSEC-\d{4}-\d+)$/)).default([]),
  ecosystem: z.enum(['npm', 'pypi']),
  /** npm name, or PyPI name normalised (PEP 503). */
  package: z.string().regex(/^(@[a-z0-9-]+\/)?[a-z0-9][a-z0-9._-]*$/),
  severity: z.enum(['critical', 'high']),
  /** npm: a semver range; PyPI: PEP 440 specifier sets joined by `||`. */
  affected: z.string().min(1),
  /** First fixed version of each affected line, ascending. */
  fixed: z.array(z.string()).min(1),
  impact: z.string().min(20).max(200),
  url: z.url(),
});

export const advisoryTableSchema = z.object({
  asOf: isoDate,
  source: z.string().min(10),
  /** Newest release of a package we confirmed when compiling the table (optional; the deps report shows it). */
  newest: z.record(z.string(), z.string()).default({}),
  advisories: z.array(advisorySchema).min(10),
});

export type RuntimeCycle = z.infer<typeof runtimeCycleSchema>;
export type RuntimeTable = z.infer<typeof runtimeTableSchema>;
export type Advisory = z.infer<typeof advisorySchema>;
export type AdvisoryTable = z.infer<typeof advisoryTableSchema>;
