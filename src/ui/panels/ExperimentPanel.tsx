/**
 * Experiment: presets and the settings that matter first, then every other setting of CONFIG_TABLE
 * that applies to the chosen model in an "advanced" fold, grouped. Each setting's meaning, default and
 * range are on demand (the label's tooltip, or the (i) toggle), so the form fits a laptop screen.
 * Link warnings on top. The URL hash holds the whole config.
 */
import { memo, useState } from 'react';
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
import { chooseModel } from '../state/modelChoice';
import { ModelChoice } from './ModelChoice';

const GROUPS: { group: FieldGroup; title: string }[] = [
  { group: 'experiment', title: 'Experiment' },
  { group: 'data', title: 'Cold-start protocol' },
  { group: 'model', title: 'Model' },
  { group: 'training', title: 'Meta-training' },
  { group: 'memory', title: 'MAMO memories' },
  { group: 'evaluation', title: 'Evaluation' },
];

/** What a researcher sets first; everything else is in the advanced fold. */
const PRIMARY: readonly ConfigKey[] = [
  'model',
  'protocol',
  'epochs',
  'batchSize',
  'innerSteps',
  'innerLr',
  'outerLr',
  'memorySlots',
  'baselines',
  'seed',
  'backend',
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

function Setting({
  name,
  config,
  disabled,
  set,
}: {
  name: ConfigKey;
  config: TrainConfig;
  disabled: boolean;
  set: ConfigState['set'];
}) {
  const [help, setHelp] = useState(false);
  const field = CONFIG_TABLE[name] as Field;
  const about = `${field.help} Default ${String(field.defaultValue)}; ${rangeText(field)}.`;
  const changed = config[name] !== field.defaultValue;
  return (
    <div className={changed ? 'field changed' : 'field'} data-testid={`field-${name}`}>
      <label htmlFor={`cfg-${name}`} title={about}>
        {field.label}
      </label>
      <Input
        name={name}
        field={field}
        value={config[name]}
        disabled={disabled}
        onChange={(v) => set(name, v)}
      />
      <button
        type="button"
        className="info"
        aria-label={`About ${field.label}`}
        aria-expanded={help}
        title={about}
        onClick={() => setHelp(!help)}
      >
        i
      </button>
      {help && <p className="help">{about}</p>}
    </div>
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
  // what choosing a model changed besides it (MELO brings the sequence protocol), shown until dismissed
  const [note, setNote] = useState<string | null>(null);
  const set: ConfigState['set'] = (key, value) => {
    if (key !== 'model') return state.set(key, value);
    const chosen = chooseModel(config, value as TrainConfig['model']);
    setNote(chosen.note);
    state.replace(chosen.config);
  };
  const applies = (k: ConfigKey) => appliesTo(k, config.model);
  const advanced = CONFIG_KEYS.filter((k) => applies(k) && !PRIMARY.includes(k));
  const changed = advanced.filter((k) => config[k] !== CONFIG_TABLE[k].defaultValue).length;
  return (
    <section className="panel experiment" aria-labelledby="experiment-title">
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
      <div className="primary-settings">
        {PRIMARY.filter(applies).map((key) => (
          <Setting key={key} name={key} config={config} disabled={disabled} set={set} />
        ))}
      </div>
      <ModelChoice
        config={config}
        note={note}
        onDismissNote={() => setNote(null)}
        onPreset={state.applyPreset}
        disabled={disabled}
      />
      <details className="advanced" data-testid="advanced-settings">
        <summary>
          Advanced settings ({advanced.length}
          {changed ? `, ${changed} changed` : ''})
        </summary>
        {GROUPS.map(({ group, title }) => {
          const keys = advanced.filter((k) => CONFIG_TABLE[k].group === group);
          if (keys.length === 0) return null;
          return (
            <fieldset key={group} className="group">
              <legend>{title}</legend>
              {keys.map((key) => (
                <Setting key={key} name={key} config={config} disabled={disabled} set={state.set} />
              ))}
            </fieldset>
          );
        })}
      </details>
      <p className="hint">
        The address bar holds this configuration: copy it to share a run that reproduces (same data, seed and
        backend).
      </p>
    </section>
  );
});
