import { describe, expect, it } from 'vitest';
import { parseConfigFlags, parseConfigHash, serializeConfigHash, validateConfig } from './codec';
import { CONFIG_KEYS, CONFIG_TABLE, DEFAULT_CONFIG } from './experiment';
import { migrateKeys } from './migrations';
import { PRESETS } from './presets';

describe('configuration codecs', () => {
  it('round-trips a config through the URL hash, writing only non-default values', () => {
    const config = { ...DEFAULT_CONFIG, model: 'melu' as const, seed: 42, innerLr: 0.003, baselines: false };
    const hash = serializeConfigHash(config);
    expect(hash).toBe('v=2&model=melu&seed=42&innerLr=0.003&baselines=false');
    const parsed = parseConfigHash(`#${hash}`);
    expect(parsed.config).toEqual(config);
    expect(parsed.warnings).toEqual([]);
  });

  it('applies a preset, then explicit values; warns and falls back on bad or unknown values', () => {
    const parsed = parseConfigHash('#v=2&preset=melu-paper&epochs=3&batchSize=0&colour=red&metaOrder=third');
    expect(parsed.preset).toBe('melu-paper');
    expect(parsed.config.innerLr).toBe(PRESETS['melu-paper'].values.innerLr);
    expect(parsed.config.epochs).toBe(3);
    expect(parsed.config.batchSize).toBe(PRESETS['melu-paper'].values.batchSize);
    expect(parsed.warnings).toEqual([
      'Expected batchSize in 1..1024, got 0; using 32.',
      'Unknown setting "colour" in the link was ignored.',
      'Expected metaOrder to be one of first-order, second-order, got "third"; using first-order.',
    ]);
  });

  it('reads a link without a format version over the defaults it was written against', () => {
    const old = parseConfigHash('#model=mamo&seed=3');
    expect(old.config.memoryWrite).toBe('paper');
    expect(old.config.attentionScale).toBe(1);
    expect(old.warnings[0]).toContain('no format version');
    const current = parseConfigHash(`#${serializeConfigHash({ ...DEFAULT_CONFIG, seed: 3 })}`);
    expect(current.config).toEqual({ ...DEFAULT_CONFIG, seed: 3 });
    // a fresh page (no hash) gets today's defaults
    expect(parseConfigHash('').config).toEqual(DEFAULT_CONFIG);
  });

  it('migrates renamed keys and values of old links', () => {
    const parsed = parseConfigHash('#algorithm=maml&k=5');
    expect(parsed.config.model).toBe('melu');
    expect(parsed.config.memorySlots).toBe(5);
    expect(parsed.warnings[1]).toContain('"algorithm" is now called "model"');
  });

  it("MAMO's memory settings by their names: old links, flags and stored configs with alpha..tau still read", () => {
    const parsed = parseConfigHash('#model=mamo&alpha=0.4&beta=0.02&gamma=0.3&tau=0.2');
    expect(parsed.config.profileWriteRate).toBe(0.4);
    expect(parsed.config.gradientWriteRate).toBe(0.02);
    expect(parsed.config.preferenceWriteRate).toBe(0.3);
    expect(parsed.config.personalInitScale).toBe(0.2);
    expect(parsed.warnings.join(' ')).toContain('"tau" is now called "personalInitScale"');
    expect(parseConfigFlags(['--tau', '0.5']).config.personalInitScale).toBe(0.5);
    // a saved run or a stored part: validateConfig and migrateKeys read the old names, the new one wins
    const stored = validateConfig({ model: 'mamo', alpha: 0.25, tau: 0 });
    expect(stored.warnings).toEqual([]);
    expect(stored.config.profileWriteRate).toBe(0.25);
    expect(stored.config.personalInitScale).toBe(0);
    expect(migrateKeys({ alpha: 0.1, profileWriteRate: 0.2, innerLr: 1 })).toEqual({
      profileWriteRate: 0.2,
      innerLr: 1,
    });
  });

  it('reads CLI flags in kebab case and leaves other arguments alone', () => {
    const parsed = parseConfigFlags(['--inner-lr', '0.02', '--model=mamo', 'data/x', '--out', 'r.json']);
    expect(parsed.config.innerLr).toBe(0.02);
    expect(parsed.config.model).toBe('mamo');
    expect(parsed.rest).toEqual(['data/x', '--out', 'r.json']);
  });

  it('validates whole objects and every table entry has a valid default', () => {
    const { config, warnings } = validateConfig({ ...DEFAULT_CONFIG, seed: -1, extra: 1 });
    expect(config.seed).toBe(DEFAULT_CONFIG.seed);
    expect(warnings).toEqual([
      'Unknown setting "extra" was ignored.',
      'Expected seed in 0..2147483647, got -1; using 1.',
    ]);
    for (const key of CONFIG_KEYS) expect(CONFIG_TABLE[key].help.length).toBeGreaterThan(10);
    expect(validateConfig(DEFAULT_CONFIG).warnings).toEqual([]);
    for (const preset of Object.values(PRESETS))
      expect(validateConfig({ ...DEFAULT_CONFIG, ...preset.values }).warnings).toEqual([]);
  });
});
