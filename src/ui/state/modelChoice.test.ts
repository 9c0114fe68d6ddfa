// The model picker's rules: MELO brings the sequence protocol and says so; MELO on another protocol is
// explained (not changed); the MELO presets are the five config/presets.ts defines, all on `sequence`.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../config/experiment';
import { PRESETS } from '../../config/presets';
import { chooseModel, MELO_PRESETS, MML_PRESETS, modelProtocolProblem } from './modelChoice';

describe('model choice', () => {
  it('switches the protocol to sequence when MELO is chosen, with a note', () => {
    const r = chooseModel({ ...DEFAULT_CONFIG, protocol: 'melu' }, 'melo');
    expect(r.config.model).toBe('melo');
    expect(r.config.protocol).toBe('sequence');
    expect(r.note).toMatch(/switched from "MeLU \(year \/ random users\)" to "MELO \(sequences/);
    expect(chooseModel({ ...DEFAULT_CONFIG, protocol: 'sequence' }, 'melo').note).toBeNull();
  });
  it('keeps the protocol for the other models', () => {
    const r = chooseModel({ ...DEFAULT_CONFIG, model: 'melo', protocol: 'sequence' }, 'mamo');
    expect(r.config).toMatchObject({ model: 'mamo', protocol: 'sequence' });
    expect(r.note).toBeNull();
  });
  it('explains MELO on a protocol without sequences, and only that', () => {
    expect(modelProtocolProblem({ model: 'melo', protocol: 'melu' })).toMatch(/only the sequence protocol/);
    expect(modelProtocolProblem({ model: 'melo', protocol: 'sequence' })).toBeNull();
    for (const protocol of ['melu', 'mamo', 'published', 'sequence'] as const)
      expect(modelProtocolProblem({ model: 'melu', protocol })).toBeNull();
  });
  it('lists the five MELO presets, each a MELO model on the sequence protocol', () => {
    expect(MELO_PRESETS.map((p) => p.name)).toEqual([
      'melo',
      'melo-mlp',
      'maml-sequence',
      'melo-gru',
      'sequence-basic',
    ]);
    for (const { name, line } of MELO_PRESETS) {
      const values = PRESETS[name].values as { model?: string; protocol?: string };
      expect(values).toMatchObject({ model: 'melo', protocol: 'sequence' });
      expect(line.length).toBeLessThan(160);
      expect(modelProtocolProblem({ ...DEFAULT_CONFIG, ...PRESETS[name].values })).toBeNull();
    }
  });
  it('switches the protocol to sequence when MML is chosen, with a note naming MML', () => {
    const r = chooseModel({ ...DEFAULT_CONFIG, protocol: 'mamo' }, 'mml');
    expect(r.config).toMatchObject({ model: 'mml', protocol: 'sequence' });
    expect(r.note).toMatch(/switched from .* to "MELO \(sequences.*MML ranks/);
    expect(chooseModel({ ...DEFAULT_CONFIG, protocol: 'sequence' }, 'mml').note).toBeNull();
    expect(modelProtocolProblem({ model: 'mml', protocol: 'melu' })).toMatch(
      /^MML .*only the sequence protocol/,
    );
    expect(modelProtocolProblem({ model: 'mml', protocol: 'sequence' })).toBeNull();
  });
  it('lists the three MML presets, each an MML model on the sequence protocol', () => {
    expect(MML_PRESETS.map((p) => p.name)).toEqual(['mml', 'mml-id', 'mml-text']);
    for (const { name, line } of MML_PRESETS) {
      expect(PRESETS[name].values).toMatchObject({ model: 'mml', protocol: 'sequence' });
      expect(line.length).toBeLessThan(160);
      expect(modelProtocolProblem({ ...DEFAULT_CONFIG, ...PRESETS[name].values })).toBeNull();
    }
  });
});
