// `npx tsx bench/unknownFeatures.ts`: per item multi-hot field, the share of training items and of
// new (item-cold) items whose set has no known value (reads only the field's '<unk>' row), on each
// staged dataset. The numbers behind feature dropout (train/batch.ts) and docs/architecture.md.
import { DEFAULT_CONFIG } from '../src/config/experiment';
import { prepareExperiment } from '../src/train/prepare';
import { loadNamed } from '../src/cli/datasets';
import { DATASETS } from '../src/experiment/datasets';
import { stagedDataset } from '../tests/helpers/datasets';

for (const [name, spec] of Object.entries(DATASETS)) {
  if (spec.folders.some((f) => !stagedDataset(f))) {
    console.log(`${name}: skipped: no data`);
    continue;
  }
  const dataset = await loadNamed(name);
  const { layout, split } = prepareExperiment(dataset, { ...DEFAULT_CONFIG, protocol: spec.protocol });
  const itemsOf = (sets: { supportItems: Int32Array; queryItems: Int32Array }[]) => {
    const out = new Set<number>();
    for (const s of sets) for (const list of [s.supportItems, s.queryItems]) for (const i of list) out.add(i);
    return out;
  };
  const train = itemsOf([split.train]);
  const cold = new Set(
    [...itemsOf([split.test.item_cold, split.test.user_item_cold])].filter((i) => split.newItems[i]),
  );
  const { multiFields: g, width: w } = layout.item;
  const names = layout.itemFieldNames.slice(layout.item.indexFields);
  for (let f = 0; f < g; f++) {
    const unknownShare = (items: Set<number>) => {
      let n = 0;
      for (const i of items) {
        let known = false;
        for (let j = 0; j < w; j++) {
          const at = (i * g + f) * w + j;
          if (layout.itemMultiWeights[at]! > 0 && layout.itemMulti[at] !== layout.itemMultiUnknown[f])
            known = true;
        }
        if (!known) n++;
      }
      return `${((100 * n) / Math.max(1, items.size)).toFixed(0)}%`;
    };
    console.log(
      `${name} ${names[f]}: no known value for ${unknownShare(train)} of ${train.size} training items, ${unknownShare(cold)} of ${cold.size} new items`,
    );
  }
}
