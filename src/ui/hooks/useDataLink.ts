/**
 * The data half of the address bar (config/dataLink.ts). A link that names data (name, files, content
 * hash) is a request: until data with that hash is loaded, training waits and the page says which files
 * to load. A link without a data part (made before links carried one) still works, with a visible note
 * that it does not say which data it was made with. Once no request is pending, the address bar names
 * the loaded data, so copying it gives a link that reproduces the run on the same data.
 */
import { useCallback, useEffect, useState } from 'react';
import { parseDataLink, serializeDataLink } from '../../config/dataLink';
import type { DatasetIdentity } from '../../data/identity';

export interface DataLinkState {
  /** The data the link asks for and that is not loaded (training waits), or null. */
  readonly missing: DatasetIdentity | null;
  /** The link had settings but named no data (an older link): trains on what is loaded. */
  readonly unnamed: boolean;
  readonly warnings: readonly string[];
  /** Train on the loaded data anyway (the researcher chose to). */
  ignore(): void;
  /** Ask for `identity` (resuming a stored run): as if a link naming it had been opened. */
  request(identity: DatasetIdentity | null): void;
}

const DATA_KEYS = ['data', 'dataHash', 'dataFile'];

/** The hash with its data part replaced by `identity`'s (the configuration part kept). */
function withData(hash: string, identity: DatasetIdentity | null): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const k of DATA_KEYS) params.delete(k);
  const rest = params.toString();
  return [rest, serializeDataLink(identity)].filter(Boolean).join('&');
}

/** Rewrites the address bar's data part (no navigation, no hashchange). */
export function writeDataPart(identity: DatasetIdentity | null): void {
  const hash = withData(location.hash, identity);
  history.replaceState(null, '', `${location.pathname}${location.search}${hash ? `#${hash}` : ''}`);
}

/** The data part of the current address, to keep when the configuration part is rewritten. */
export const currentDataPart = (): string => serializeDataLink(parseDataLink(location.hash).identity);

function read() {
  const link = parseDataLink(location.hash);
  const keys = [...new URLSearchParams(location.hash.replace(/^#/, '')).keys()];
  const settings = keys.some((k) => !DATA_KEYS.includes(k));
  return { wanted: link.identity, unnamed: settings && !link.identity, warnings: link.warnings };
}

export function useDataLink(loaded: DatasetIdentity | null): DataLinkState {
  const [link, setLink] = useState(read);
  useEffect(() => {
    const onHash = () => setLink(read());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const missing = link.wanted && link.wanted.hash !== loaded?.hash ? link.wanted : null;
  // nothing pending: the address bar names the loaded data
  useEffect(() => {
    if (!missing && loaded) writeDataPart(loaded);
  }, [missing, loaded]);
  const ignore = useCallback(() => setLink((l) => ({ ...l, wanted: null })), []);
  const request = useCallback((identity: DatasetIdentity | null) => {
    writeDataPart(identity);
    setLink({ wanted: identity, unnamed: identity === null, warnings: [] });
  }, []);
  return { missing, unnamed: link.unnamed, warnings: link.warnings, ignore, request };
}
