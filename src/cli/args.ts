/**
 * Argument parsing of `npm run cli -- train | inspect`, pure (no process, no files), so every refusal is
 * a unit test. The CLI refuses what it cannot do: an unknown model, protocol, preset or backend, a bad
 * value or an unknown flag is a UsageError listing the allowed values (exit 2), never a warning followed
 * by a run of something else. (A link in the browser stays lenient: config/codec.ts warns and falls back.)
 */
import { parseConfigFlags, toFlag } from '../config/codec';
import { CONFIG_KEYS, type TrainConfig } from '../config/experiment';
import { PROTOCOLS, type Protocol } from '../data/scenarios/types';

/** A command line the CLI will not run; main.ts prints it and exits with status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Backends a Node process can run: webgl needs a browser's canvas. */
export const CLI_BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

/** Removes `--name value` / `--name=value` pairs from args; returns the values in order. */
export function takeOption(args: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`Expected a value after --${name}, got ${value ?? 'the end of the line'}`);
      values.push(value);
      args.splice(i, 2);
      i--;
    } else if (args[i]!.startsWith(`--${name}=`)) {
      values.push(args[i]!.slice(name.length + 3));
      args.splice(i, 1);
      i--;
    }
  }
  return values;
}

/** "; using mamo." is the link's fallback; on the command line nothing falls back. */
const refusal = (text: string) => text.replace(/; using [^;]*\.$/, '').replace(/ was ignored\.$/, '');

const settingFlags = () => CONFIG_KEYS.map((k) => `--${toFlag(k)}`).join(', ');

export interface TrainArgs {
  readonly data: string[];
  readonly out: string | null;
  readonly verbose: boolean;
  readonly config: TrainConfig;
  /** Notes that change nothing (a renamed flag read under its new name). */
  readonly notes: string[];
}

/** `train --data <path> [--data ...] [--out f] [--verbose] [--preset p] [--<setting> value]...` */
export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  const args = [...argv];
  const data = takeOption(args, 'data');
  const outs = takeOption(args, 'out');
  if (outs.length > 1) throw new UsageError(`Expected one --out file, got ${outs.join(', ')}`);
  const verbose = args.includes('--verbose');
  const parsed = parseConfigFlags(args.filter((a) => a !== '--verbose'));
  const unknown = parsed.rest.filter((a) => a.startsWith('--'));
  if (unknown.length)
    throw new UsageError(
      `Unknown flag${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} for train; expected --data, --out, --verbose, --preset or a setting: ${settingFlags()}`,
    );
  if (parsed.rest.length)
    throw new UsageError(
      `Unexpected argument${parsed.rest.length > 1 ? 's' : ''} ${parsed.rest.join(' ')}: give datasets as --data <folder|zip>`,
    );
  if (parsed.rejected.length) throw new UsageError(parsed.rejected.map(refusal).join('\n'));
  if (!(CLI_BACKENDS as readonly string[]).includes(parsed.config.backend))
    throw new UsageError(
      `Expected backend to be one of ${CLI_BACKENDS.join(', ')} on the command line, got "${parsed.config.backend}" (webgl needs a browser)`,
    );
  if (data.length === 0)
    throw new UsageError(
      'Expected --data <folder|zip> (repeat --data to combine folders, e.g. ml-1m and ml-1m-melu)',
    );
  const notes = parsed.warnings.filter((w) => !parsed.rejected.includes(w));
  return { data, out: outs[0] ?? null, verbose, config: parsed.config, notes };
}

export interface InspectArgs {
  readonly paths: string[];
  readonly protocol: Protocol | null;
  readonly seed: number;
}

/** `inspect <path...> [--protocol p] [--seed s]` */
export function parseInspectArgs(argv: readonly string[]): InspectArgs {
  const args = [...argv];
  const protocols = takeOption(args, 'protocol');
  const seeds = takeOption(args, 'seed');
  if (protocols.length > 1 || seeds.length > 1)
    throw new UsageError('Expected --protocol and --seed at most once each');
  const protocol = protocols[0] ?? null;
  if (protocol !== null && !(PROTOCOLS as readonly string[]).includes(protocol))
    throw new UsageError(`Expected --protocol to be one of ${PROTOCOLS.join(', ')}, got "${protocol}"`);
  const seedText = seeds[0] ?? '1';
  if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(Number(seedText)))
    throw new UsageError(`Expected --seed to be a non-negative integer, got "${seedText}"`);
  const unknown = args.filter((a) => a.startsWith('--'));
  if (unknown.length)
    throw new UsageError(`Unknown flag ${unknown.join(', ')} for inspect; expected --protocol or --seed`);
  if (args.length === 0)
    throw new UsageError('Expected at least one dataset path: npm run cli -- inspect <folder|zip|files>');
  return { paths: args, protocol: protocol as Protocol | null, seed: Number(seedText) };
}
