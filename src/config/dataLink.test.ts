import { describe, expect, it } from 'vitest';
import { parseConfigHash } from './codec';
import { parseDataLink, serializeRunLink } from './dataLink';
import { DEFAULT_CONFIG } from './experiment';

const identity = { name: 'ml-100k', files: ['u.data', 'u.item', 'u,user'], hash: '0123456789abcdef' };

describe('data link', () => {
  it('round-trips the data identity beside the configuration, which ignores it', () => {
    const hash = serializeRunLink({ ...DEFAULT_CONFIG, seed: 3 }, identity);
    expect(parseDataLink(`#${hash}`)).toEqual({ identity, warnings: [] });
    const parsed = parseConfigHash(`#${hash}`);
    expect(parsed.config.seed).toBe(3);
    expect(parsed.warnings).toEqual([]);
  });

  it('reads older links (no data part) as naming no data, with no warning', () => {
    expect(parseDataLink('#v=2&seed=4')).toEqual({ identity: null, warnings: [] });
    expect(parseConfigHash('#data=x&dataHash=0123456789abcdef').warnings).toEqual([]);
  });

  it('warns about an incomplete data part', () => {
    const link = parseDataLink('#v=2&data=ml-1m&dataHash=xyz');
    expect(link.identity).toBeNull();
    expect(link.warnings[0]).toMatch(/incomplete .* got "ml-1m" and "xyz"/);
  });
});
