// The CLI's argument parsing, pure: every refusal names the allowed values, nothing falls back.
import { describe, expect, it } from 'vitest';
import { parseInspectArgs, parseTrainArgs, UsageError } from './args';

const refusal = (argv: string[], parse: (a: string[]) => unknown = parseTrainArgs): string => {
  try {
    parse(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`expected a refusal of ${argv.join(' ')}`);
};

describe('train arguments', () => {
  it('reads data, out, verbose, a preset and settings', () => {
    const parsed = parseTrainArgs([
      '--data',
      'a',
      '--data=b',
      '--out',
      'r.json',
      '--verbose',
      '--preset',
      'melu-paper',
      '--model',
      'melu',
      '--epochs=2',
    ]);
    expect(parsed.data).toEqual(['a', 'b']);
    expect(parsed.out).toBe('r.json');
    expect(parsed.verbose).toBe(true);
    expect(parsed.config.model).toBe('melu');
    expect(parsed.config.epochs).toBe(2);
  });

  it.each([
    [['--model', 'sasrec'], 'Expected model to be one of mamo, melu, melo, mml, got "sasrec"'],
    [['--protocol', 'meluu'], 'Expected protocol to be one of melu, mamo, published, sequence, got "meluu"'],
    [['--preset', 'fast'], 'Unknown preset "fast" in the flag; expected one of melu-paper'],
    [['--backend', 'tpu'], 'Expected backend to be one of auto, webgpu, wasm, webgl, cpu, got "tpu"'],
    [['--backend', 'webgl'], 'Expected backend to be one of auto, webgpu, wasm, cpu on the command line'],
    [['--epochs', 'many'], 'Expected a number for epochs, got "many"'],
    [['--epochs', '2.5'], 'Expected an integer for epochs, got 2.5'],
    [['--batch-size', '0'], 'Expected batchSize in 1..1024, got 0'],
    [['--meta-order', 'third'], 'Expected metaOrder to be one of first-order, second-order, got "third"'],
    [['--colour', 'red'], 'Unknown flag --colour for train; expected --data, --out, --verbose, --preset'],
    [['--epoch', '3'], 'Unknown flag --epoch for train'],
    [['ml-1m'], 'Unexpected argument ml-1m: give datasets as --data <folder|zip>'],
    [['--data'], 'Expected a value after --data, got the end of the line'],
    [['--data', '--model'], 'Expected a value after --data, got --model'],
    [['--out', 'a', '--out', 'b'], 'Expected one --out file, got a, b'],
  ])('refuses %j', (argv, message) => {
    const text = refusal(['--data', 'x', ...argv]);
    expect(text).toContain(message);
    expect(text).not.toMatch(/using /);
  });

  it('lists every setting flag for an unknown flag', () => {
    expect(refusal(['--data', 'x', '--colour', 'red'])).toMatch(/--model, --seed, --backend, --protocol/);
  });

  it('needs --data', () => {
    expect(refusal(['--model', 'melu'])).toMatch(/^Expected --data <folder\|zip>/);
  });
});

describe('inspect arguments', () => {
  it('reads paths, protocol and seed', () => {
    expect(parseInspectArgs(['a', '--protocol', 'mamo', 'b', '--seed=3'])).toEqual({
      paths: ['a', 'b'],
      protocol: 'mamo',
      seed: 3,
    });
  });

  it.each([
    [['a', '--protocol', 'x'], 'Expected --protocol to be one of melu, mamo, published, sequence, got "x"'],
    [['a', '--seed', 'abc'], 'Expected --seed to be a non-negative integer, got "abc"'],
    [['a', '--seed', '-1'], 'Expected --seed to be a non-negative integer, got "-1"'],
    [['a', '--verbose'], 'Unknown flag --verbose for inspect; expected --protocol or --seed'],
    [[], 'Expected at least one dataset path'],
  ])('refuses %j', (argv, message) => {
    expect(refusal(argv, parseInspectArgs)).toContain(message);
  });
});
