/**
 * Build stages of a Dockerfile, for the rules that judge a stage by what it is built FROM
 * (docker-runs-as-root, docker-unpinned-base).
 */
import { dockerFroms, type DockerFrom, type DockerInstruction } from '../../src/parsers/dockerfile.js';

export interface Stage {
  readonly index: number;
  readonly from: DockerInstruction;
  /** The FROM read: image as written and with ARGs expanded, its range, the stage name. */
  readonly base: DockerFrom;
  /** The image reference as written. */
  readonly image: string;
  /** The stage name after AS, lower-cased. */
  readonly alias: string | undefined;
  /** The earlier stage this one is built FROM (`FROM build`), if any. */
  readonly parent: Stage | undefined;
  /** The instructions after the FROM, up to the next FROM. */
  readonly instructions: DockerInstruction[];
}

export function stagesOf(text: string, instructions: readonly DockerInstruction[]): Stage[] {
  const stages: Stage[] = [];
  const froms = dockerFroms(text, instructions);
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const base = froms[stages.length]!;
      const parent = base.parentStage === undefined ? undefined : stages[base.parentStage];
      stages.push({ index: stages.length, from: ins, base, image: base.image, alias: base.alias, parent, instructions: [] });
    } else stages.at(-1)?.instructions.push(ins);
  }
  return stages;
}

/** The stage a stage ultimately builds on: itself unless it is built FROM an earlier stage. */
export function rootStage(stage: Stage): Stage {
  let cur = stage;
  while (cur.parent) cur = cur.parent;
  return cur;
}
