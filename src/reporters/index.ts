import type { AuditResult } from '../engine/result.js';
import type { AnyRule } from '../engine/rule.js';
import { github } from './github.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { html } from './html.js';
import { markdown } from './markdown.js';
import { sarif } from './sarif.js';
import { terminal } from './terminal.js';

export interface ReporterOptions {
  /** Only the terminal reporter looks at this. */
  readonly color: boolean;
  /** Metadata for help text, docs and effort estimates. */
  readonly rules: readonly AnyRule[];
  /** Show passed and not-applicable audits too (terminal). */
  readonly verbose?: boolean;
  /** Prefix that turns root-relative paths into repository-relative ones (audit of a subfolder): SARIF, GitHub. */
  readonly pathPrefix?: string;
  /** Base URL for file links in markdown (e.g. https://github.com/o/r/blob/SHA/); relative links without it. */
  readonly linkBase?: string;
}

/** A reporter is a pure function of the result: no I/O, no process.exit, no spinners. */
export type Reporter = (result: AuditResult, options: ReporterOptions) => string;

export const reporters = { text: terminal, json, markdown, html, sarif, github, junit } satisfies Record<string, Reporter>;
export type ReporterName = keyof typeof reporters;
