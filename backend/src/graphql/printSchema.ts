/** Prints the Pothos schema to schema.graphql (--write) or fails when the committed copy differs (--check). */
import { readFileSync, writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from './schema.js';

const path = new URL('../../../schema.graphql', import.meta.url);
const printed = `${printSchema(schema)}\n`;

if (process.argv.includes('--write')) {
  writeFileSync(path, printed);
  console.log('schema.graphql written');
} else {
  let committed = '';
  try {
    committed = readFileSync(path, 'utf8');
  } catch {
    // reported below
  }
  if (committed !== printed) {
    console.error('schema.graphql differs from the Pothos schema: run npm run schema and commit it');
    process.exit(1);
  }
  console.log('schema.graphql matches the Pothos schema');
}
