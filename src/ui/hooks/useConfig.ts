/**
 * The experiment configuration lives in the URL hash (config/codec.ts): reading it gives the config and
 * the warnings for bad or unknown values; every change rewrites the hash, so the address bar is always
 * a link that reproduces the run.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { parseConfigHash, serializeConfigHash } from '../../config/codec';
import { DEFAULT_CONFIG, type TrainConfig } from '../../config/experiment';
import { PRESETS, type PresetName } from '../../config/presets';
import { currentDataPart } from './useDataLink';

export interface ConfigState {
  readonly config: TrainConfig;
  readonly warnings: readonly string[];
  set<K extends keyof TrainConfig>(key: K, value: TrainConfig[K]): void;
  applyPreset(name: PresetName): void;
  replace(config: TrainConfig): void;
  dismissWarnings(): void;
}

function writeHash(config: TrainConfig): void {
  // the data part (useDataLink.ts) stays: the link keeps naming the data
  const hash = [serializeConfigHash(config), currentDataPart()].filter(Boolean).join('&');
  const url = `${location.pathname}${location.search}${hash ? `#${hash}` : ''}`;
  history.replaceState(null, '', url);
}

export function useConfig(): ConfigState {
  const [state, setState] = useState(() => {
    const parsed = parseConfigHash(location.hash);
    return { config: parsed.config, warnings: parsed.warnings };
  });
  useEffect(() => {
    const onHash = () => {
      const parsed = parseConfigHash(location.hash);
      setState({ config: parsed.config, warnings: parsed.warnings });
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const update = useCallback((config: TrainConfig) => {
    writeHash(config);
    setState((s) => ({ ...s, config }));
  }, []);
  return useMemo<ConfigState>(
    () => ({
      config: state.config,
      warnings: state.warnings,
      set: (key, value) => update({ ...state.config, [key]: value }),
      applyPreset: (name) =>
        update({
          ...DEFAULT_CONFIG,
          seed: state.config.seed,
          backend: state.config.backend,
          protocol: state.config.protocol,
          ...PRESETS[name].values,
        }),
      replace: update,
      dismissWarnings: () => setState((s) => ({ ...s, warnings: [] })),
    }),
    [state, update],
  );
}
