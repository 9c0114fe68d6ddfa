/**
 * Renamed settings, so that old shared links keep working: old key -> new key, and old enum values ->
 * new values. parseConfig applies these before validation and reports each rename as a warning.
 */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
  algorithm: 'model', // house-rules sketch name
  alphaInner: 'innerLr',
  metaLr: 'outerLr',
  k: 'memorySlots',
  // MAMO's memory settings by what they do (issue #22), not by the paper's Greek letters
  alpha: 'profileWriteRate',
  beta: 'gradientWriteRate',
  gamma: 'preferenceWriteRate',
  tau: 'personalInitScale',
};

/**
 * A stored settings record (a tuning file's choice, a results part's config, a saved run) with every
 * renamed key under its new name; a key present under both names keeps the new one's value.
 */
export function migrateKeys<T extends object>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const renamed = RENAMED_KEYS[key];
    if (renamed === undefined) out[key] = value;
    else if (!(renamed in record)) out[renamed] = value;
  }
  return out as T;
}

export const RENAMED_VALUES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  model: { maml: 'melu' },
};

/**
 * Links write only non-default values, so a changed default would silently change what an old link
 * means. Links carry `v` (the link format); a link with settings but no `v` is version 1 and is read
 * over the defaults it was written against.
 */
export const LINK_VERSION = 2;
export const VERSION_1_DEFAULTS = {
  // version 2 made the slot-gated memory write and attention scale 10 the defaults
  memoryWrite: 'paper',
  attentionScale: 1,
} as const;
