// A few cases of the malformed-input table through a real `npm run cli -- inspect` child process:
// exit status 1 and the table's message on stderr, nothing on stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, writeCase } from '../helpers/cli';
import { MALFORMED } from './malformed.table';

const root = mkdtempSync(join(tmpdir(), 'malformed-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CHOSEN = [
  'rating above 5',
  'timestamp in milliseconds',
  'duplicate (user, item) pair',
  'UTF-16 LE with a byte-order mark',
  'zip entry climbing out with ../',
  'split names a user the users file lacks',
];

describe('npm run cli -- inspect on malformed files', () => {
  it.each(CHOSEN)('%s', (name) => {
    const index = MALFORMED.findIndex((c) => c.name === name);
    const c = MALFORMED[index]!;
    const result = runCli(['inspect', ...writeCase(c.files, join(root, `case-${index}`))]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`error: ${c.message}`);
    expect(result.stdout).toBe('');
  });
});
