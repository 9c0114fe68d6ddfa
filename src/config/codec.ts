/**
 * Text forms of a configuration, all driven by CONFIG_TABLE:
 * - the URL hash (`#model=melu&seed=3`): only values that differ from the defaults, so links stay short;
 * - CLI flags (`--inner-lr 0.01`);
 * - validation of a whole object (the worker protocol, saved runs).
 * Parsing never throws: unknown keys or bad values give readable warnings and fall back to defaults.
 */
import { CONFIG_KEYS, CONFIG_TABLE, DEFAULT_CONFIG, type ConfigKey, type TrainConfig } from './experiment';
import { checkFieldValue, formatFieldValue, parseFieldValue } from './fields';
import { LINK_VERSION, migrateKeys, RENAMED_KEYS, RENAMED_VALUES, VERSION_1_DEFAULTS } from './migrations';
import { PRESETS, type PresetName } from './presets';

export interface ParsedConfig {
  readonly config: TrainConfig;
  /** Sentences for the user: unknown keys, invalid values, renamed keys. */
  readonly warnings: string[];
  /** The preset named in the text, if any (applied before the explicit values). */
  readonly preset: PresetName | null;
  /**
   * The warnings that dropped something the text asked for (an unknown key or preset, a bad value), as
   * opposed to notes that lose nothing (a renamed key, an old link format). A link stays lenient and
   * shows them; the CLI refuses to run with any of them.
   */
  readonly rejected: string[];
}

// The link's data part (dataLink.ts, which imports this file: the keys are spelled here too)
const DATA_KEYS = new Set(['data', 'dataHash', 'dataFile']);

const isKey = (key: string): key is ConfigKey => Object.hasOwn(CONFIG_TABLE, key);

/** camelCase -> kebab-case, for CLI flags: innerLr -> inner-lr. */
export const toFlag = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const fromFlag = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Builds a config from key/value text pairs (URL hash or CLI): defaults, then the preset if one is
 * named (`preset=melu-paper`), then each pair in order. Bad pairs are skipped with a warning.
 */
export function configFromPairs(pairs: Iterable<[string, string]>, source: 'link' | 'flag'): ParsedConfig {
  const warnings: string[] = [];
  const rejected: string[] = [];
  const reject = (text: string) => {
    warnings.push(text);
    rejected.push(text);
  };
  const entries = [...pairs];
  let preset: PresetName | null = null;
  const config: TrainConfig = { ...DEFAULT_CONFIG };
  // a link with settings but no format version predates version 2: read it over its own defaults
  const versioned = entries.some(([key]) => key === 'v');
  const settings = entries.filter(([key]) => source !== 'link' || !DATA_KEYS.has(key));
  if (source === 'link' && !versioned && settings.length > 0) {
    Object.assign(config, VERSION_1_DEFAULTS);
    warnings.push(
      `This link has no format version (v=${LINK_VERSION}), so it was read as an older link: memory write "paper" and attention scale 1 unless it says otherwise.`,
    );
  }
  const presetEntry = entries.find(([key]) => key === 'preset');
  if (presetEntry) {
    const name = presetEntry[1];
    if (Object.hasOwn(PRESETS, name)) {
      preset = name as PresetName;
      Object.assign(config, PRESETS[preset].values);
    } else {
      reject(
        `Unknown preset "${name}" in the ${source}; expected one of ${Object.keys(PRESETS).join(', ')}.`,
      );
    }
  }
  for (const [rawKey, rawValue] of entries) {
    if (rawKey === 'preset') continue;
    if (source === 'link' && DATA_KEYS.has(rawKey)) continue; // the data part: dataLink.ts
    if (rawKey === 'v' && source === 'link') {
      if (rawValue !== String(LINK_VERSION))
        warnings.push(
          `Link format v=${rawValue} is not known (this version writes v=${LINK_VERSION}); read as v=${LINK_VERSION}.`,
        );
      continue;
    }
    let key = source === 'flag' ? fromFlag(rawKey) : rawKey;
    const renamed = RENAMED_KEYS[key];
    if (renamed !== undefined) {
      warnings.push(`"${key}" is now called "${renamed}"; the ${source} was read with the new name.`);
      key = renamed;
    }
    if (!isKey(key)) {
      reject(`Unknown setting "${rawKey}" in the ${source} was ignored.`);
      continue;
    }
    const value = RENAMED_VALUES[key]?.[rawValue] ?? rawValue;
    const parsed = parseFieldValue(key, CONFIG_TABLE[key], value);
    if (parsed.ok) {
      (config as Record<ConfigKey, unknown>)[key] = parsed.value;
    } else {
      reject(`${parsed.error}; using ${formatFieldValue(config[key])}.`);
    }
  }
  return { config, warnings, preset, rejected };
}

/** Parses a URL hash such as "#preset=mamo-paper&seed=4&epochs=3". */
export function parseConfigHash(hash: string): ParsedConfig {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  return configFromPairs(new URLSearchParams(text).entries(), 'link');
}

/** The URL hash of a config: the link format, then the values that differ from the defaults (stable order). */
export function serializeConfigHash(config: TrainConfig): string {
  const params = new URLSearchParams();
  params.set('v', String(LINK_VERSION));
  for (const key of CONFIG_KEYS) {
    if (config[key] !== DEFAULT_CONFIG[key]) params.set(key, formatFieldValue(config[key]));
  }
  return params.toString();
}

/**
 * Parses CLI arguments of the form `--key value` or `--key=value` (kebab-case keys, `--preset name`).
 * Returns the config, the warnings, and the arguments that were not config flags (for the command).
 */
export function parseConfigFlags(args: readonly string[]): ParsedConfig & { rest: string[] } {
  const pairs: [string, string][] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    const flag = eq >= 0 ? body.slice(0, eq) : body;
    const known = flag === 'preset' || isKey(fromFlag(flag)) || Object.hasOwn(RENAMED_KEYS, fromFlag(flag));
    if (!known) {
      rest.push(arg);
      continue;
    }
    if (eq >= 0) pairs.push([flag, body.slice(eq + 1)]);
    else pairs.push([flag, args[++i] ?? '']);
  }
  return { ...configFromPairs(pairs, 'flag'), rest };
}

/**
 * Validates a whole config object (from postMessage, IndexedDB or JSON): every key checked against the
 * table; missing or invalid values fall back to the defaults with a warning.
 */
export function validateConfig(input: unknown): { config: TrainConfig; warnings: string[] } {
  const warnings: string[] = [];
  const config: TrainConfig = { ...DEFAULT_CONFIG };
  if (typeof input !== 'object' || input === null) {
    return { config, warnings: ['Expected a configuration object; using the defaults.'] };
  }
  const record = migrateKeys(input as Record<string, unknown>);
  for (const key of Object.keys(record)) {
    if (!isKey(key)) warnings.push(`Unknown setting "${key}" was ignored.`);
  }
  for (const key of CONFIG_KEYS) {
    if (!(key in record)) continue;
    const checked = checkFieldValue(key, CONFIG_TABLE[key], record[key]);
    if (checked.ok) (config as Record<ConfigKey, unknown>)[key] = checked.value;
    else warnings.push(`${checked.error}; using ${formatFieldValue(config[key])}.`);
  }
  return { config, warnings };
}
