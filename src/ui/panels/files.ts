/**
 * Browser files (picker, folder picker, drag and drop with folders) -> {path, bytes} for the worker;
 * files over STREAM_OVER (MovieLens 10M/20M/25M ratings and zips) go as the File itself, which the
 * worker streams under a memory budget (data/streamLoad.ts). The others' sizes are checked before any
 * byte is read (a 2 GB u.data must not be pulled into memory to be refused).
 */
import { checkInputSizes } from '../../data/source';
import type { PickedFile } from '../../worker/protocol';

export type { PickedFile };

/** Files larger than this are streamed by the worker instead of read here: 64 MB (ML-1M's zip is 6 MB). */
export const STREAM_OVER = 64 * 1024 * 1024;

async function pick(path: string, file: File): Promise<PickedFile> {
  return file.size > STREAM_OVER ? { path, blob: file } : { path, bytes: await file.arrayBuffer() };
}

const pathOf = (f: File) => (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;

export async function readFiles(files: Iterable<File>): Promise<PickedFile[]> {
  const list = [...files];
  checkInputSizes(list.filter((f) => f.size <= STREAM_OVER).map((f) => ({ path: pathOf(f), size: f.size })));
  return Promise.all(list.map((f) => pick(pathOf(f), f)));
}

type Entry = {
  isFile: boolean;
  isDirectory: boolean;
  fullPath: string;
  file?: (ok: (f: File) => void, err: (e: unknown) => void) => void;
  createReader?: () => { readEntries: (ok: (entries: Entry[]) => void, err: (e: unknown) => void) => void };
};

async function walk(entry: Entry, out: { path: string; file: File }[]): Promise<void> {
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((ok, err) => entry.file!(ok, err));
    out.push({ path: entry.fullPath.replace(/^\//, ''), file });
  } else if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise<Entry[]>((ok, err) => reader.readEntries(ok, err));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, out);
    }
  }
}

/** The files of a drop, folders walked recursively. */
export async function readDrop(transfer: DataTransfer): Promise<PickedFile[]> {
  const entries: Entry[] = [];
  for (const item of [...transfer.items]) {
    const entry = (item.webkitGetAsEntry?.() ?? null) as unknown as Entry | null;
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return readFiles(transfer.files);
  const found: { path: string; file: File }[] = [];
  for (const entry of entries) await walk(entry, found);
  checkInputSizes(
    found.filter(({ file }) => file.size <= STREAM_OVER).map(({ path, file }) => ({ path, size: file.size })),
  );
  return Promise.all(found.map(({ path, file }) => pick(path, file)));
}
