/** The model-ready features (built by data/features.ts), re-exported for the training code. */
export type { FeatureLayout } from '../data/features';
export { buildFeatureLayout } from '../data/features';
