/**
 * Zip archives read defensively. fflate inflates; this file decides what may be inflated and checks what
 * came out, because fflate trusts the archive: it sizes each output from the DECLARED size (a lie that
 * is too small silently truncates the file) and never checks the CRC. So, per entry:
 * - the path must stay inside the archive (no "../x", no "/etc/x", no "C:\x"): refused, not flattened;
 * - declared sizes are summed against the limit before anything is inflated (a zip bomb costs nothing);
 * - after inflating, length and CRC-32 must match the central directory (a forged or damaged entry).
 * Pure bytes: no DOM, no Node APIs.
 */
import { unzipSync } from 'fflate';
import { DataError } from './errors';

export interface ZipEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum zip stores per entry. */
const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** True when a member path would land outside the folder the archive is expanded into. */
export function escapesArchive(name: string): boolean {
  if (/^([\\/]|[a-zA-Z]:)/.test(name)) return true;
  return name.split(/[\\/]/).includes('..');
}

/** name -> declared CRC-32 from the central directory (fflate reads sizes, not checksums). */
function declaredChecksums(bytes: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // the end-of-central-directory record: the last 0x06054b50 (a comment of up to 64 KB may follow it)
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return out;
  const entries = view.getUint16(end + 10, true);
  let p = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  for (let k = 0; k < entries && p + 46 <= bytes.length; k++) {
    if (view.getUint32(p, true) !== 0x02014b50) break;
    const nameLength = view.getUint16(p + 28, true);
    const extra = view.getUint16(p + 30, true);
    const comment = view.getUint16(p + 32, true);
    out.set(decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength)), view.getUint32(p + 16, true));
    p += 46 + nameLength + extra + comment;
  }
  return out;
}

/**
 * The entries of a zip (directories and OS junk filtered by `keep`), all checks above applied.
 * `budget` is what the size limit still allows; `tooLarge(total, where)` builds the limit's error.
 */
export function readZip(
  bytes: Uint8Array,
  path: string,
  keep: (name: string) => boolean,
  budget: number,
  tooLarge: (total: number, where: string) => DataError,
): ZipEntry[] {
  const declared = new Map<string, number>();
  let total = 0;
  let raw: Record<string, Uint8Array>;
  try {
    raw = unzipSync(bytes, {
      filter: (f) => {
        if (escapesArchive(f.name))
          throw DataError.parse(
            path,
            0,
            'member paths inside the archive',
            `${f.name} (a path that would be written outside it; the archive is refused)`,
          );
        if (f.name.endsWith('/') || !keep(f.name)) return false;
        total += f.originalSize;
        if (total > budget) throw tooLarge(total, `${path}/${f.name}`);
        declared.set(f.name, f.originalSize);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof DataError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DataError(
      'bad-zip',
      `Expected a complete zip archive at ${path}, got ${reason} (a truncated or damaged download? Download it again, or give the unzipped folder)`,
      { file: path, line: 0, expected: 'a complete zip archive', got: reason },
    );
  }
  const checksums = declaredChecksums(bytes);
  return Object.entries(raw).map(([name, data]) => {
    const size = declared.get(name) ?? data.length;
    const crc = checksums.get(name);
    if (data.length !== size || (crc !== undefined && crc32(data) !== crc))
      throw new DataError(
        'bad-zip',
        `Expected ${path}/${name} to hold the ${size} bytes its header declares, got ${data.length === size ? 'bytes that fail its CRC-32 check' : `${data.length} bytes`} (a damaged or forged archive; download it again)`,
        {
          file: `${path}/${name}`,
          line: 0,
          expected: `${size} bytes matching the CRC-32`,
          got: 'other bytes',
        },
      );
    return { name, bytes: data };
  });
}
