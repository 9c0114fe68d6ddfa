/**
 * Under the model and protocol: what choosing the model changed (MELO switched the protocol), why the
 * chosen model and protocol do not go together (Train stays disabled with the same sentence), and for
 * MELO its four presets (MML: its three), each with a one-line explanation and a button that applies it.
 */
import type { TrainConfig } from '../../config/experiment';
import { PRESETS, type PresetName } from '../../config/presets';
import { Callout } from '../components/Callout';
import { MELO_PRESETS, MML_PRESETS, modelProtocolProblem } from '../state/modelChoice';

export function ModelChoice({
  config,
  note,
  onDismissNote,
  onPreset,
  disabled,
}: {
  config: TrainConfig;
  note: string | null;
  onDismissNote: () => void;
  onPreset: (name: PresetName) => void;
  disabled: boolean;
}) {
  const problem = modelProtocolProblem(config);
  return (
    <>
      {note && (
        <Callout kind="info" testId="model-note" onClose={onDismissNote}>
          {note}
        </Callout>
      )}
      {problem && (
        <Callout kind="warning" testId="model-protocol-problem">
          {problem}
        </Callout>
      )}
      {config.model === 'melo' && (
        <PresetList title="MELO" id="melo" presets={MELO_PRESETS} onPreset={onPreset} disabled={disabled} />
      )}
      {config.model === 'mml' && (
        <PresetList title="MML" id="mml" presets={MML_PRESETS} onPreset={onPreset} disabled={disabled} />
      )}
    </>
  );
}

/** A model's presets, one line each with a button that applies it (test ids `${id}-presets`, `${id}-preset-NAME`). */
function PresetList({
  title,
  id,
  presets,
  onPreset,
  disabled,
}: {
  title: string;
  id: string;
  presets: readonly { readonly name: PresetName; readonly line: string }[];
  onPreset: (name: PresetName) => void;
  disabled: boolean;
}) {
  return (
    <div className="melo-presets" data-testid={`${id}-presets`}>
      <span className="muted">{title} presets:</span>
      <ul>
        {presets.map(({ name, line }) => (
          <li key={name}>
            <button
              type="button"
              className="link"
              disabled={disabled}
              onClick={() => onPreset(name)}
              data-testid={`${id}-preset-${name}`}
              title={PRESETS[name].help}
            >
              {PRESETS[name].label}
            </button>{' '}
            <span className="muted">{line}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
