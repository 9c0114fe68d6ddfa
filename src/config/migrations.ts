/**
 * Renamed settings, so that old shared links keep working: old key -> new key, and old enum values ->
 * new values. parseConfig applies these before validation and reports each rename as a warning.
 */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
  algorithm: 'model', // house-rules sketch name
  alphaInner: 'innerLr',
  metaLr: 'outerLr',
  k: 'memorySlots',
};

export const RENAMED_VALUES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  model: { maml: 'melu' },
};
