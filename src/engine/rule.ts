import type { z } from 'zod';
import type { Checks, RuleMeta } from './types.js';

export interface Rule<M extends string = string, O = unknown> {
  readonly meta: RuleMeta<M>;
  /** Every field has a default, so `{}` parses. */
  readonly options?: z.ZodType<O>;
  readonly check: Checks<M, O>;
}

/** Identity function: exists so TypeScript infers M and O for the rule author. */
export function defineRule<M extends string, O = Record<string, never>>(rule: Rule<M, O>): Rule<M, O> {
  return rule;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- options differ per rule
export type AnyRule = Rule<string, any>;
