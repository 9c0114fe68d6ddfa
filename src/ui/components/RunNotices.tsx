/**
 * The notices around runs and links, above the curves: which data a link asks for (training waits
 * until it is loaded), a link that names no data, a stored run being viewed, a restarted or resumed run
 * (or why it could not resume), and
 * stored-run faults (storage full, blocked). Text only; the commands come from App.
 */
import { identityLabel, type DatasetIdentity } from '../../data/identity';
import type { DataLinkState } from '../hooks/useDataLink';
import type { SavedRun } from '../store/runsStore';
import { Callout } from './Callout';

interface Props {
  readonly link: DataLinkState;
  readonly loaded: DatasetIdentity | null;
  readonly opened: SavedRun | null;
  readonly onClose: () => void;
  readonly restarted: string | null;
  readonly resumed: string | null;
  readonly storeError: string | null;
}

export function RunNotices({ link, loaded, opened, onClose, restarted, resumed, storeError }: Props) {
  const loadedText = loaded ? `${identityLabel(loaded)} (${loaded.files.join(', ')})` : 'nothing yet';
  return (
    <>
      {link.missing && (
        <Callout kind="warning" testId="data-request">
          <strong>This link was made with other data.</strong> Load{' '}
          <span data-testid="data-request-files">{link.missing.files.join(', ') || link.missing.name}</span> (
          {link.missing.name}, content hash <code data-testid="data-request-hash">{link.missing.hash}</code>)
          in the Data panel to reproduce it; training waits until they are loaded. Loaded now: {loadedText}.{' '}
          <button type="button" className="link" onClick={link.ignore} data-testid="data-request-ignore">
            use the loaded data instead
          </button>
        </Callout>
      )}
      {link.unnamed && !link.missing && (
        <Callout kind="info" testId="data-unnamed">
          This link does not say which data it was made with (it predates links that do): it trains on the
          loaded data, {loadedText}.
        </Callout>
      )}
      {link.warnings.map((w) => (
        <Callout key={w} kind="warning">
          {w}
        </Callout>
      ))}
      {opened && (
        <Callout kind="info" testId="stored-run-banner" onClose={onClose}>
          Viewing the stored run{' '}
          <strong>{opened.name || `${opened.config.model} · seed ${opened.config.seed}`}</strong> (
          {opened.data ? identityLabel(opened.data) : opened.dataset}): its curves, memory and per-user
          errors, replayed from its events. Close this to return to the live view.
        </Callout>
      )}
      {restarted && (
        <Callout kind="info" testId="run-restarted">
          {restarted}
        </Callout>
      )}
      {resumed && (
        <Callout kind="info" testId="run-resumed">
          {resumed}
        </Callout>
      )}
      {storeError && (
        <Callout kind="error" testId="store-error">
          {storeError}
        </Callout>
      )}
    </>
  );
}
