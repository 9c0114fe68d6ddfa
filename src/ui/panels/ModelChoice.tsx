/**
 * Under the model and protocol: what choosing the model changed (MELO switched the protocol), why the
 * chosen model and protocol do not go together (Train stays disabled with the same sentence), and for
 * MELO its four presets, each with a one-line explanation and a button that applies it.
 */
import type { TrainConfig } from '../../config/experiment';
import { PRESETS, type PresetName } from '../../config/presets';
import { Callout } from '../components/Callout';
import { MELO_PRESETS, modelProtocolProblem } from '../state/modelChoice';

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
        <div className="melo-presets" data-testid="melo-presets">
          <span className="muted">MELO presets:</span>
          <ul>
            {MELO_PRESETS.map(({ name, line }) => (
              <li key={name}>
                <button
                  type="button"
                  className="link"
                  disabled={disabled}
                  onClick={() => onPreset(name)}
                  data-testid={`melo-preset-${name}`}
                  title={PRESETS[name].help}
                >
                  {PRESETS[name].label}
                </button>{' '}
                <span className="muted">{line}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
