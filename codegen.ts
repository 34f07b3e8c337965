import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed GraphQL documents for the web UI: every `graphql(`…`)` call under frontend/src is typed from
 * schema.graphql. The output is committed; frontend/src/graphql/codegen.unit.spec.ts fails when it
 * drifts from what this config produces (run `npm run codegen` after changing a document or the schema).
 */
const config: CodegenConfig = {
  schema: './schema.graphql',
  documents: ['frontend/src/**/*.{ts,tsx}', '!frontend/src/graphql/gql/**', '!frontend/src/**/*.spec.ts'],
  ignoreNoDocuments: false,
  generates: {
    'frontend/src/graphql/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
  },
};

export default config;
