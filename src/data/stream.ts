/**
 * Streaming inputs for the large MovieLens sets (10M, 20M, 25M): files are read chunk by chunk (a
 * Blob's stream() in the browser, a read stream in Node: src/cli/fileSource.ts) and zips are expanded
 * with fflate's streaming Unzip, so the whole text is never in memory. Pure: no DOM types beyond Blob,
 * no Node APIs.
 */
import { Unzip, UnzipInflate } from 'fflate';
import { DataError } from './errors';
import { escapesArchive } from './zip';

/** A file that can be read chunk by chunk (once per call of chunks()). */
export interface ByteSource {
  /** Relative path as given ("ml-25m/ratings.csv", "ml-25m.zip"). */
  readonly path: string;
  /** Base name ("ratings.csv"). */
  readonly name: string;
  /** Size in bytes; -1 when unknown. */
  readonly size: number;
  chunks(): AsyncIterable<Uint8Array>;
}

export const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/** OS junk inside folders and zips (__MACOSX, ._x, .DS_Store) and directory entries. */
export function isJunk(path: string): boolean {
  const name = baseName(path);
  return path.includes('__MACOSX/') || name.startsWith('._') || name === '.DS_Store' || name === '';
}

/** Bytes already in memory as a source, handed out in `chunkSize` pieces (tests, small uploads). */
export function bytesSource(path: string, bytes: Uint8Array, chunkSize = 4 << 20): ByteSource {
  return {
    path,
    name: baseName(path),
    size: bytes.length,
    async *chunks() {
      for (let from = 0; from < bytes.length; from += chunkSize)
        yield bytes.subarray(from, Math.min(bytes.length, from + chunkSize));
    },
  };
}

/** A browser File or Blob, read through its stream (no whole-file ArrayBuffer). */
export function blobSource(blob: Blob, path: string): ByteSource {
  return {
    path,
    name: baseName(path),
    size: blob.size,
    async *chunks() {
      const reader = blob.stream().getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    },
  };
}

/**
 * Cuts a chunked byte stream into whole lines for a byte-level parser: parse(bytes, from, to, firstLine)
 * gets line-aligned ranges and returns the next line number. A line split across chunks (even inside a
 * multi-byte UTF-8 character) is joined before it is parsed; only that one line is copied.
 */
export class LineChunker {
  private rest: Uint8Array = new Uint8Array(0);
  private line = 1;

  constructor(
    private readonly parse: (bytes: Uint8Array, from: number, to: number, line: number) => number,
  ) {}

  push(chunk: Uint8Array): void {
    let from = 0;
    if (this.rest.length) {
      const newline = chunk.indexOf(10);
      if (newline < 0) {
        this.rest = concat(this.rest, chunk);
        return;
      }
      const joined = concat(this.rest, chunk.subarray(0, newline + 1));
      this.rest = new Uint8Array(0);
      this.line = this.parse(joined, 0, joined.length, this.line);
      from = newline + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) {
      this.line = this.parse(chunk, from, last + 1, this.line);
      from = last + 1;
    }
    // a copy: a stream may reuse its chunk's buffer
    if (from < chunk.length) this.rest = chunk.slice(from);
  }

  /** Parses the last line (no final newline); returns the number of lines seen + 1. */
  end(): number {
    if (this.rest.length) this.line = this.parse(this.rest, 0, this.rest.length, this.line);
    this.rest = new Uint8Array(0);
    return this.line;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Where the bytes of one file (or zip member) go, pushed in order. */
export interface ByteSink {
  push(chunk: Uint8Array): void;
  end(): void;
}

/** A sink that keeps the bytes (small files: movies, tags), refusing more than `limit` bytes. */
export function collectSink(
  path: string,
  limit: number,
  tooLarge: (total: number, where: string) => DataError,
  done: (bytes: Uint8Array) => void,
): ByteSink {
  const parts: Uint8Array[] = [];
  let total = 0;
  return {
    push(chunk) {
      total += chunk.length;
      if (total > limit) throw tooLarge(total, path);
      parts.push(chunk.slice());
    },
    end() {
      const out = new Uint8Array(total);
      let at = 0;
      for (const part of parts) {
        out.set(part, at);
        at += part.length;
      }
      done(out);
    },
  };
}

export interface ZipMember {
  /** "ml-25m.zip/ml-25m/ratings.csv" */
  readonly path: string;
  readonly name: string;
  /** Declared inflated size; -1 when the local header does not say (a data descriptor follows). */
  readonly size: number;
}

/**
 * Streams a zip: for each member (junk and directories skipped) `open` returns a sink, or null to skip
 * it unread. Paths escaping the archive are refused; an inflated length differing from the declared
 * one is refused as damaged. Errors thrown by a sink (a malformed line) stop the whole read.
 */
export async function unzipStream(
  zip: ByteSource,
  open: (member: ZipMember) => ByteSink | null,
): Promise<void> {
  let failure: unknown = null;
  const unzip = new Unzip((file) => {
    if (escapesArchive(file.name))
      throw DataError.parse(
        zip.path,
        0,
        'member paths inside the archive',
        `${file.name} (a path that would be written outside it; the archive is refused)`,
      );
    if (file.name.endsWith('/') || isJunk(file.name)) return;
    const declared = file.originalSize ?? -1;
    const member = { path: `${zip.path}/${file.name}`, name: baseName(file.name), size: declared };
    const sink = open(member);
    if (!sink) return;
    let inflated = 0;
    file.ondata = (error, data, final) => {
      if (failure) return;
      try {
        if (error) throw badZip(zip.path, error.message);
        inflated += data.length;
        if (data.length) sink.push(data);
        if (final) {
          if (declared >= 0 && inflated !== declared)
            throw new DataError(
              'bad-zip',
              `Expected ${member.path} to hold the ${declared} bytes its header declares, got ${inflated} bytes (a damaged or forged archive; download it again)`,
              { file: member.path, line: 0, expected: `${declared} bytes`, got: `${inflated} bytes` },
            );
          sink.end();
        }
      } catch (caught) {
        failure = caught;
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (caught) {
      failure ??= caught instanceof DataError ? caught : badZip(zip.path, String(caught));
    }
    if (failure) throw failure;
  };
  let any = false;
  for await (const chunk of zip.chunks()) {
    any = true;
    push(chunk, false);
  }
  push(new Uint8Array(0), true);
  if (!any) throw badZip(zip.path, 'an empty file');
}

/** The member names of a zip, read by streaming it without inflating anything. */
export async function zipMemberNames(zip: ByteSource): Promise<string[]> {
  const names: string[] = [];
  await unzipStream(zip, (member) => {
    names.push(member.path);
    return null;
  });
  return names;
}

function badZip(path: string, reason: string): DataError {
  return new DataError(
    'bad-zip',
    `Expected a complete zip archive at ${path}, got ${reason} (a truncated or damaged download? Download it again, or give the unzipped folder)`,
    { file: path, line: 0, expected: 'a complete zip archive', got: reason },
  );
}
