/**
 * The data half of a shareable link: `data=<name>&dataHash=<16 hex>&dataFile=<name>&dataFile=…` after
 * the configuration's keys (codec.ts), so a link names the data it was made with (data/identity.ts).
 * The configuration codec skips these keys; links without them (older ones) still parse, and say that
 * they do not name their data.
 */
import type { DatasetIdentity } from '../data/identity';
import { serializeConfigHash } from './codec';
import type { TrainConfig } from './experiment';

export interface DataLink {
  /** The data the link names, or null (an older link, or none given). */
  readonly identity: DatasetIdentity | null;
  /** Sentences for a malformed data part (the link is then read as naming no data). */
  readonly warnings: string[];
}

/** Reads the data part of a URL hash. */
export function parseDataLink(hash: string): DataLink {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const name = params.get('data');
  const digest = params.get('dataHash');
  const files = params.getAll('dataFile');
  if (name === null && digest === null && files.length === 0) return { identity: null, warnings: [] };
  if (name === null || digest === null || !/^[0-9a-f]{16}$/.test(digest))
    return {
      identity: null,
      warnings: [
        `The link's data part is incomplete (expected data=<name> and dataHash=<16 hex digits>, got ${name === null ? 'no name' : `"${name}"`} and ${digest === null ? 'no hash' : `"${digest}"`}); it is read as naming no data.`,
      ],
    };
  return { identity: { name, files, hash: digest }, warnings: [] };
}

/** The data part of a link for `identity` ('' for none). */
export function serializeDataLink(identity: DatasetIdentity | null): string {
  if (!identity) return '';
  const params = new URLSearchParams();
  params.set('data', identity.name);
  params.set('dataHash', identity.hash);
  for (const f of identity.files) params.append('dataFile', f);
  return params.toString();
}

/** The whole link hash (no '#'): the configuration's non-default values, then the data part. */
export function serializeRunLink(config: TrainConfig, identity: DatasetIdentity | null): string {
  return [serializeConfigHash(config), serializeDataLink(identity)].filter(Boolean).join('&');
}
