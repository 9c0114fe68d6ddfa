/**
 * The headless command line: `npm run cli -- <command> ...`
 *   inspect <path...> [--protocol p] [--seed s]     JSON summary of a dataset and its cold-start split
 *   train --data <path> [--data ...] [settings]     meta-train and evaluate; --out results.json
 *   generate-demo [folder]                          write the synthetic demo dataset (public/datasets/demo)
 *   experiment <spec.json> [--list] [--shard i/n] [--merge [--out f] [--versus older.json] [--newer newer.json]]   the results protocol as jobs (docs/scale-out.md)
 *   results [...]                                   npm run results: the pre-v1 document docs/results-pre-v1.md (src/cli/results.ts)
 *   sequence-experiment <spec.json> [--list] [--merge]   MELO/MML's results protocol (docs/protocol-sequence.md)
 *   tune <dataset> <melu|mamo> [epochs]             npm run tune: the validation grid (src/cli/tune.ts)
 *   tune-v1 <dataset> <melu|mamo> [--shard i/n]     results protocol v1's tuning (src/cli/tuneV1.ts)
 * Settings are the configuration table's keys in kebab case (--inner-lr 0.01), plus --preset <name>.
 */
import { CONFIG_KEYS } from '../config/experiment';
import { PRESET_NAMES } from '../config/presets';
import { PROTOCOLS } from '../data/scenarios/types';
import { toDataErrorInfo } from '../data/errors';
import { parseInspectArgs, parseTrainArgs, takeOption, UsageError } from './args';
import { experiment } from './experiment';
import { generateDemo } from './generateDemo';
import { inspect } from './inspect';
import { train } from './train';

const USAGE = `usage: npm run cli -- <command>
  inspect <path...> [--protocol ${PROTOCOLS.join('|')}] [--seed S]
  train --data <folder|zip> [--data ...] [--out results.json] [--verbose] [--preset ${PRESET_NAMES.join('|')}] [--<setting> value]
  generate-demo [folder]
  experiment <spec.json> [--list] [--shard i/n | --shards n] [--dataset d] [--variant v] [--seed s] [--processes n] [--merge [--out file] [--versus older-spec.json] [--newer newer-spec.json]]
  sequence-experiment <spec.json> [--list] [--dataset d] [--row job] [--seed s] [--merge [--out file]]
  results [--only <dataset>] [--model melu|mamo] [--epochs n] [--assemble] [--speed-only]
  tune <dataset> <melu|mamo> [epochs]
  tune-v1 <ml-100k|ml-1m-published|demo> <melu|mamo> [--list] [--shard i/n | --shards n] [--out dir]
settings: ${CONFIG_KEYS.join(', ')} (as --kebab-case flags)`;

/** Every --seed value (repeatable), each a non-negative integer. */
function takeSeeds(args: string[]): number[] {
  return takeOption(args, 'seed').map((text) => {
    if (!/^\d+$/.test(text))
      throw new UsageError(`Expected --seed to be a non-negative integer, got "${text}"`);
    return Number(text);
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = [...rest];
  switch (command) {
    case 'inspect': {
      const { paths, protocol, seed } = parseInspectArgs(args);
      console.log(JSON.stringify(await inspect(paths, protocol, seed), null, 2));
      return 0;
    }
    case 'train': {
      const parsed = parseTrainArgs(args);
      for (const note of parsed.notes) console.error(`note: ${note}`);
      await train(parsed, (line) => console.log(line));
      return 0;
    }
    case 'experiment': {
      const out = takeOption(args, 'out')[0] ?? null;
      const versus = takeOption(args, 'versus')[0] ?? null;
      const newer = takeOption(args, 'newer')[0] ?? null;
      const shard = takeOption(args, 'shard')[0] ?? null;
      const shards = takeOption(args, 'shards')[0] ?? null;
      const datasets = takeOption(args, 'dataset');
      const variants = takeOption(args, 'variant');
      const seeds = takeSeeds(args);
      const processesText = takeOption(args, 'processes')[0] ?? '1';
      const processes = Number(processesText);
      if (!Number.isInteger(processes) || processes < 1)
        throw new UsageError(`Expected --processes n with n a whole number >= 1, got ${processesText}`);
      const flags = ['--list', '--merge'];
      const rest = args.filter((a) => !flags.includes(a));
      if (rest.length !== 1 || rest[0]!.startsWith('--'))
        throw new UsageError(`Expected one spec file and known flags, got ${rest.join(' ') || 'none'}`);
      await experiment(
        {
          specPath: rest[0]!,
          list: args.includes('--list'),
          merge: args.includes('--merge'),
          out,
          versus,
          newer,
          shard,
          shards,
          datasets,
          variants,
          seeds,
          processes,
        },
        (line) => console.log(line),
      );
      return 0;
    }
    case 'sequence-experiment': {
      const out = takeOption(args, 'out')[0] ?? null;
      const datasets = takeOption(args, 'dataset');
      const rows = takeOption(args, 'row');
      const seeds = takeSeeds(args);
      const rest = args.filter((a) => !['--list', '--merge'].includes(a));
      if (rest.length !== 1 || rest[0]!.startsWith('--'))
        throw new UsageError(`Expected one spec file and known flags, got ${rest.join(' ') || 'none'}`);
      await (
        await import('./sequenceExperiment')
      ).sequenceExperiment(
        {
          specPath: rest[0]!,
          list: args.includes('--list'),
          merge: args.includes('--merge'),
          out,
          datasets,
          rows,
          seeds,
        },
        (line) => console.log(line),
      );
      return 0;
    }
    case 'results': {
      await (await import('./results')).results(args);
      return 0;
    }
    case 'tune': {
      await (await import('./tune')).tune(args);
      return 0;
    }
    case 'tune-v1': {
      await (await import('./tuneV1')).tuneV1(args, (line) => console.log(line));
      return 0;
    }
    case 'generate-demo': {
      for (const file of await generateDemo(args[0])) console.log(`wrote ${file}`);
      return 0;
    }
    default:
      console.error(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // a command line it cannot run: status 2 with the allowed values; anything else (bad data): 1
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n${USAGE}`);
      process.exit(2);
    }
    const info = toDataErrorInfo(error);
    console.error(`error: ${info.message}`);
    process.exit(1);
  },
);
