// The per-user errors moved to train/userErrors.ts (run.ts emits them; train may not import experiment).
// Re-exported here so the results protocol's callers keep their imports.
export * from '../train/userErrors';
