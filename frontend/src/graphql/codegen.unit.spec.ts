import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../../codegen.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The typed documents under frontend/src/graphql/gql/ are committed. They must be exactly what
 * codegen.ts makes of schema.graphql and the documents today; after changing either, run
 * `npm run codegen`.
 */
describe('generated GraphQL types', () => {
  it('match schema.graphql and the documents (run `npm run codegen` when this fails)', async () => {
    const outputs: { filename: string; content: string }[] = await generate(
      { ...config, cwd: root, silent: true, verbose: false, errorsOnly: true },
      false,
    );
    expect(outputs.map((o) => o.filename).sort()).toEqual([
      'frontend/src/graphql/gql/gql.ts',
      'frontend/src/graphql/gql/graphql.ts',
      'frontend/src/graphql/gql/index.ts',
    ]);
    for (const output of outputs) {
      const committed = readFileSync(`${root}${output.filename}`, 'utf8');
      expect(committed, `${output.filename} is stale: run npm run codegen`).toBe(output.content);
    }
  }, 60_000);
});
