/**
 * Experiment: every setting of CONFIG_TABLE that applies to the chosen model, grouped, with its
 * default, range and one-line meaning; presets; link warnings. The URL hash holds the whole config.
 */
import { memo } from 'react';
import {
  CONFIG_KEYS,
  CONFIG_TABLE,
  appliesTo,
  type ConfigKey,
  type TrainConfig,
} from '../../config/experiment';
import type { Field, FieldGroup } from '../../config/fields';
import { PRESETS, PRESET_NAMES, type PresetName } from '../../config/presets';
import type { ConfigState } from '../hooks/useConfig';
import { Callout } from '../components/Callout';

const GROUPS: { group: FieldGroup; title: string }[] = [
  { group: 'experiment', title: 'Experiment' },
  { group: 'data', title: 'Cold-start protocol' },
  { group: 'model', title: 'Model' },
  { group: 'training', title: 'Meta-training' },
  { group: 'memory', title: 'MAMO memories' },
  { group: 'evaluation', title: 'Evaluation' },
];

function rangeText(field: Field): string {
  if (field.kind === 'number') return `${field.min}–${field.max}`;
  if (field.kind === 'enum') return field.options.join(' | ');
  return 'on | off';
}

function Input({
  name,
  field,
  value,
  onChange,
  disabled,
}: {
  name: ConfigKey;
  field: Field;
  value: TrainConfig[ConfigKey];
  onChange: (v: TrainConfig[ConfigKey]) => void;
  disabled: boolean;
}) {
  const id = `cfg-${name}`;
  if (field.kind === 'enum') {
    return (
      <select
        id={id}
        value={String(value)}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value as TrainConfig[ConfigKey])}
      >
        {field.options.map((o, k) => (
          <option key={o} value={o}>
            {field.optionLabels?.[k] ?? o}
          </option>
        ))}
      </select>
    );
  }
  if (field.kind === 'boolean') {
    return (
      <input
        id={id}
        type="checkbox"
        checked={Boolean(value)}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked as TrainConfig[ConfigKey])}
      />
    );
  }
  return (
    <input
      id={id}
      type="number"
      min={field.min}
      max={field.max}
      step={field.integer ? 1 : 'any'}
      value={Number(value)}
      disabled={disabled}
      onChange={(e) => {
        const v = Number(e.target.value);
        if (
          e.target.value !== '' &&
          Number.isFinite(v) &&
          v >= field.min &&
          v <= field.max &&
          (!field.integer || Number.isInteger(v))
        ) {
          onChange(v as TrainConfig[ConfigKey]);
        }
      }}
    />
  );
}

export const ExperimentPanel = memo(function ExperimentPanel({
  state,
  disabled,
}: {
  state: ConfigState;
  disabled: boolean;
}) {
  const { config } = state;
  return (
    <section className="panel" aria-labelledby="experiment-title">
      <h2 id="experiment-title">Experiment</h2>
      {state.warnings.length > 0 && (
        <Callout kind="warning" testId="config-warnings" onClose={state.dismissWarnings}>
          <strong>Some settings in this link were not used:</strong>
          <ul>
            {state.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </Callout>
      )}
      <div className="field">
        <label htmlFor="cfg-preset">Preset</label>
        <select
          id="cfg-preset"
          value=""
          disabled={disabled}
          onChange={(e) => e.target.value && state.applyPreset(e.target.value as PresetName)}
        >
          <option value="">apply a preset…</option>
          {PRESET_NAMES.map((p) => (
            <option key={p} value={p} title={PRESETS[p].help}>
              {PRESETS[p].label}
            </option>
          ))}
        </select>
      </div>
      {GROUPS.map(({ group, title }) => {
        const keys = CONFIG_KEYS.filter((k) => CONFIG_TABLE[k].group === group && appliesTo(k, config.model));
        if (keys.length === 0) return null;
        return (
          <fieldset key={group} className="group">
            <legend>{title}</legend>
            {keys.map((key) => {
              const field = CONFIG_TABLE[key] as Field;
              return (
                <div className="field" key={key} data-testid={`field-${key}`}>
                  <label htmlFor={`cfg-${key}`}>{field.label}</label>
                  <Input
                    name={key}
                    field={field}
                    value={config[key]}
                    disabled={disabled}
                    onChange={(v) => state.set(key, v)}
                  />
                  <p className="help">
                    {field.help}{' '}
                    <span className="muted">
                      Default {String(field.defaultValue)}; {rangeText(field)}.
                    </span>
                  </p>
                </div>
              );
            })}
          </fieldset>
        );
      })}
      <p className="hint">
        The address bar holds this configuration: copy it to share a run that reproduces (same data, seed and
        backend).
      </p>
    </section>
  );
});
