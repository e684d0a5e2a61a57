/**
 * Several reports from one scan: `--format` is repeatable, and `--output FORMAT=FILE` (or
 * `--output-sarif FILE`) sends one format to a file. A plain `--output FILE` keeps its old
 * meaning: the (first) format without a file of its own goes there. Formats without a file go
 * to stdout, in the order given. With no format at all, the terminal report goes to stdout.
 */
export interface OutputTarget<F extends string> {
  readonly format: F;
  /** undefined: stdout. */
  readonly file?: string;
}

export class OutputSpecError extends Error {}

export function planOutputs<F extends string>(known: readonly F[], formats: readonly F[], outputs: readonly string[], fallback: F): OutputTarget<F>[] {
  const targets: { format: F; file?: string }[] = [];
  const plainFiles: string[] = [];
  for (const spec of outputs) {
    const m = /^([a-z]+)=(.+)$/.exec(spec);
    if (m && known.includes(m[1] as F)) targets.push({ format: m[1] as F, file: m[2]! });
    else if (m) throw new OutputSpecError(`--output ${spec}: unknown format "${m[1]}" (expected one of ${known.join(', ')})`);
    else plainFiles.push(spec);
  }
  const withFile = new Set(targets.map((t) => t.format));
  const stdoutFormats = formats.filter((f) => !withFile.has(f));
  const plan: { format: F; file?: string }[] = [];
  if (plainFiles.length > 1) throw new OutputSpecError('only one --output FILE without a format; use --output FORMAT=FILE for the others');
  const queue = stdoutFormats.length ? [...new Set(stdoutFormats)] : targets.length ? [] : [fallback];
  for (const [i, format] of queue.entries()) plan.push(i === 0 && plainFiles[0] ? { format, file: plainFiles[0] } : { format });
  if (plainFiles.length && queue.length === 0) plan.push({ format: fallback, file: plainFiles[0]! });
  return [...plan, ...targets];
}
