/**
 * FeatureLayout: the model-ready form of a dataset's features, as plain typed arrays. Every field's
 * codes are shifted by the field's offset into its side's combined embedding table, and multi-hot
 * fields are padded to one width with mean weights (1/count; an empty set reads the field's unknown
 * row with weight 1, so "no director" is a learnable vector rather than zeros or MeLU's 0/0).
 */
import type { SideLayout } from '../models/embedding';

export interface FeatureLayout {
  readonly user: SideLayout;
  readonly item: SideLayout;
  /** [users * user.indexFields] table rows */
  readonly userIndex: Int32Array;
  /** [items * item.indexFields] table rows */
  readonly itemIndex: Int32Array;
  /** [items * item.multiFields * item.width] table rows (padding = the field's unknown row) */
  readonly itemMulti: Int32Array;
  /** same shape: 1/count per real code, 0 for padding */
  readonly itemMultiWeights: Float32Array;
  /** Field names in table order, for display: user index fields, item index fields, item multi-hot fields. */
  readonly userFieldNames: readonly string[];
  readonly itemFieldNames: readonly string[];
  /** Per user-table row: "field=value" labels (for the memory explorer). */
  readonly userRowLabels: readonly string[];
}
