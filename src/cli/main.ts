/**
 * The headless command line: `npm run cli -- <command> ...`
 *   inspect <path...> [--protocol p] [--seed s]     JSON summary of a dataset and its cold-start split
 *   train --data <path> [--data ...] [settings]     meta-train and evaluate; --out results.json
 *   generate-demo [folder]                          write the synthetic demo dataset (public/datasets/demo)
 *   experiment <spec.json> [--list] [--shard i/n] [--merge [--out f]]   the results protocol as jobs (docs/scale-out.md)
 *   results [...]                                   npm run results: the legacy parts of docs/results.md (src/cli/results.ts)
 *   tune <dataset> <melu|mamo> [epochs]             npm run tune: the validation grid (src/cli/tune.ts)
 *   tune-v1 <dataset> <melu|mamo> [--shard i/n]     results protocol v1's tuning (src/cli/tuneV1.ts)
 * Settings are the configuration table's keys in kebab case (--inner-lr 0.01), plus --preset <name>.
 */
import { parseConfigFlags } from '../config/codec';
import { CONFIG_KEYS } from '../config/experiment';
import { PRESET_NAMES } from '../config/presets';
import { PROTOCOLS, type Protocol } from '../data/scenarios/types';
import { toDataErrorInfo } from '../data/errors';
import { experiment } from './experiment';
import { generateDemo } from './generateDemo';
import { inspect } from './inspect';
import { train } from './train';

const USAGE = `usage: npm run cli -- <command>
  inspect <path...> [--protocol ${PROTOCOLS.join('|')}] [--seed S]
  train --data <folder|zip> [--data ...] [--out results.json] [--verbose] [--preset ${PRESET_NAMES.join('|')}] [--<setting> value]
  generate-demo [folder]
  experiment <spec.json> [--list] [--shard i/n | --shards n] [--dataset d] [--variant v] [--merge [--out file]]
  results [--only <dataset>] [--model melu|mamo] [--epochs n] [--assemble] [--speed-only]
  tune <dataset> <melu|mamo> [epochs]
  tune-v1 <ml-100k|ml-1m-published|demo> <melu|mamo> [--list] [--shard i/n | --shards n] [--out dir]
settings: ${CONFIG_KEYS.join(', ')} (as --kebab-case flags)`;

function takeOption(args: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) {
      values.push(args[i + 1] ?? '');
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

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = [...rest];
  switch (command) {
    case 'inspect': {
      const protocol = takeOption(args, 'protocol')[0] ?? null;
      if (protocol !== null && !PROTOCOLS.includes(protocol as Protocol))
        throw new Error(`Expected --protocol ${PROTOCOLS.join('|')}, got ${protocol}`);
      const seedText = takeOption(args, 'seed')[0] ?? '1';
      if (!/^-?\d+$/.test(seedText)) throw new Error(`Expected --seed to be an integer, got ${seedText}`);
      const seed = Number(seedText);
      console.log(JSON.stringify(await inspect(args, protocol as Protocol | null, seed), null, 2));
      return 0;
    }
    case 'train': {
      const data = takeOption(args, 'data');
      const out = takeOption(args, 'out')[0] ?? null;
      const verbose = args.includes('--verbose');
      const parsed = parseConfigFlags(args.filter((a) => a !== '--verbose'));
      for (const w of parsed.warnings) console.error(`warning: ${w}`);
      if (parsed.rest.length) throw new Error(`Unknown arguments: ${parsed.rest.join(' ')}\n${USAGE}`);
      await train({ data, config: parsed.config, out, verbose }, (line) => console.log(line));
      return 0;
    }
    case 'experiment': {
      const out = takeOption(args, 'out')[0] ?? null;
      const shard = takeOption(args, 'shard')[0] ?? null;
      const shards = takeOption(args, 'shards')[0] ?? null;
      const datasets = takeOption(args, 'dataset');
      const variants = takeOption(args, 'variant');
      const flags = ['--list', '--merge'];
      const rest = args.filter((a) => !flags.includes(a));
      if (rest.length !== 1 || rest[0]!.startsWith('--'))
        throw new Error(`Expected one spec file and known flags, got ${rest.join(' ') || 'none'}\n${USAGE}`);
      await experiment(
        {
          specPath: rest[0]!,
          list: args.includes('--list'),
          merge: args.includes('--merge'),
          out,
          shard,
          shards,
          datasets,
          variants,
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
    const info = toDataErrorInfo(error);
    console.error(`error: ${info.message}`);
    process.exit(1);
  },
);
