/**
 * Reading audited files: bytes -> text (binary skipped, UTF-16 BOM decoded, invalid UTF-8
 * replaced and reported), a content hash for the cache, and read counters that let the
 * benchmark verify that each file is read at most once per run. One SourceReader per thread.
 * It remembers texts only when asked to (manifests that facts read and the per-file pass
 * reads again) plus a small bounded set for on-demand reads, never the whole repository.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic } from './discover.js';
import { contentHash, decodeSource, type SourceEncoding, type SourceInfo } from './encoding.js';

export interface Source {
  /** Undefined when the file is unreadable, binary, or not listed as auditable. */
  readonly text: string | undefined;
  /** Content hash of the bytes ('' when hashing is off, '-' when the file could not be read). */
  readonly hash: string;
  readonly encoding?: SourceEncoding;
  /** Diagnostics about reading this file (binary, invalid UTF-8, unreadable). */
  readonly diagnostics: readonly Diagnostic[];
}

export class SourceReader {
  /** Reads per path in this thread (the bench checks none exceeds 1). */
  readonly reads = new Map<string, number>();
  private readonly pinned = new Map<string, Source>();
  /** Texts the per-file pass kept for project checks (bounded by the caller). */
  private readonly kept = new Map<string, Source>();
  private readonly recent = new Map<string, Source>();
  private recentChars = 0;
  /** Characters the on-demand memo may hold (the thread's cacheBudgets().recentChars; 8 M until told). */
  private recentLimit = 8 * 1024 * 1024;

  constructor(
    private readonly root: string,
    /** Paths that may be read (files with a kind); others read as undefined without touching disk. */
    private readonly readable: (path: string) => boolean,
    private readonly hashing: boolean,
    /** Fixes: texts to audit instead of the disk's, and where to record what was read from disk. */
    private readonly overlay?: ReadonlyMap<string, string>,
    private readonly sources?: Map<string, SourceInfo>,
  ) {}

  /** Seed texts another thread already read (manifests), so they are not read again here. */
  seed(path: string, source: Source): void {
    this.pinned.set(path, source);
  }

  /** Read a file, remembering it for the rest of the run (used for manifests read by facts). */
  pin(path: string): Source {
    const s = this.read(path);
    this.pinned.set(path, s);
    return s;
  }

  /** Bound the on-demand memo to `chars` characters, dropping the oldest reads now if it holds more. */
  limitRecent(chars: number): void {
    this.recentLimit = chars;
    this.trimRecent(0);
  }

  keep(path: string, source: Source): void {
    this.kept.set(path, source);
  }

  pinnedEntries(): [string, Source][] {
    return [...this.pinned];
  }

  /** Read once for the per-file pass: not remembered afterwards. */
  read(path: string): Source {
    const hit = this.pinned.get(path) ?? this.kept.get(path) ?? this.recent.get(path);
    if (hit) return hit;
    const over = this.overlay?.get(path);
    if (over !== undefined) return { text: over, hash: '', diagnostics: [] };
    if (!this.readable(path)) return { text: undefined, hash: '-', diagnostics: [] };
    this.reads.set(path, (this.reads.get(path) ?? 0) + 1);
    const s = readSource(this.root, path, this.hashing || this.sources !== undefined);
    if (this.sources && s.encoding) this.sources.set(path, { hash: s.hash, encoding: s.encoding });
    return s;
  }

  /** On-demand reads by rules (another file than the one audited): kept in a small bounded memo. */
  readShared(path: string): Source {
    const hit = this.pinned.get(path) ?? this.kept.get(path) ?? this.recent.get(path);
    if (hit) return hit;
    const s = this.read(path);
    const size = s.text?.length ?? 0;
    if (size < this.recentLimit / 4) {
      this.trimRecent(size);
      this.recent.set(path, s);
      this.recentChars += size;
    }
    return s;
  }

  /** Drop the oldest on-demand reads until `room` more characters fit. */
  private trimRecent(room: number): void {
    while (this.recentChars + room > this.recentLimit && this.recent.size) {
      const [k, v] = this.recent.entries().next().value as [string, Source];
      this.recent.delete(k);
      this.recentChars -= v.text?.length ?? 0;
    }
  }
}

/** Read a source file as text: binary files are skipped, UTF-16 (BOM) is decoded, invalid UTF-8 is replaced and reported. */
export function readSource(root: string, path: string, hashing: boolean): Source {
  let buf: Buffer;
  try {
    buf = readFileSync(resolve(root, path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Discovery listed it: a missing file vanished (or became a folder) during the scan.
    const why = code === 'ENOENT' ? 'file vanished during the scan' : code === 'EISDIR' ? 'file became a folder during the scan' : `cannot read file (${code ?? (error as Error).message})`;
    const diagnostics: Diagnostic[] = [{ path, message: `${why}; skipped`, level: 'skipped' }];
    return { text: undefined, hash: '-', diagnostics };
  }
  const hash = hashing ? contentHash(buf) : '';
  const decoded = decodeSource(buf);
  if ('binary' in decoded) return { text: undefined, hash, diagnostics: [{ path, message: 'binary content in a source file; skipped', level: 'skipped' }] };
  const diagnostics: Diagnostic[] = decoded.encoding === 'utf8-lossy' ? [{ path, message: 'not valid UTF-8; invalid bytes were replaced before auditing', level: 'partial' }] : [];
  return { text: decoded.text, hash, encoding: decoded.encoding, diagnostics };
}
