/** Summaries over seeds for the results tables (one value per seed in, a table cell out). */

/** Mean and sample standard deviation (n - 1) of per-seed values. */
export const meanStd = (values: readonly number[]) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, std };
};

/** A table cell "mean ± std" over seeds; "–" when a value is missing or not finite. */
export const cell = (values: readonly number[]) => {
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return '–';
  const { mean, std } = meanStd(values);
  return `${mean.toFixed(4)} ± ${std.toFixed(4)}`;
};
