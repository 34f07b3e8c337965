import { getNullableType, isInterfaceType, isListType, isObjectType, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { LIST_SIZES, MAX_COST, documentCosts } from './cost.js';
import { schema } from './schema.js';

const costOf = (query: string, variables: Record<string, unknown> | null = null) => documentCosts(schema, parse(query), variables)[0]!.cost;

describe('the cost of a document', () => {
  it('knows how long every list of the schema can be: a paging argument, or a size of its own', () => {
    const unsized: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        const paged = field.args.some((arg) => arg.name === 'first' || arg.name === 'last');
        if (isListType(getNullableType(field.type)) && !paged && LIST_SIZES[`${type.name}.${field.name}`] === undefined) {
          unsized.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(unsized).toEqual([]);
  });

  it('multiplies what is under a list by how long it can be, `last` and variables included', () => {
    expect(costOf('{ rooms { id name } }')).toBe(1 + 100 * 2);
    const page = (size: string) => `query($n: Int) { room(id: "x") { messages(last: ${size}) { edges { node { id } } } } }`;
    expect(costOf(page('10'))).toBe(1 + 1 + 10 * 3);
    expect(costOf(page('$n'))).toBe(1 + 1 + 100 * 3);
    expect(costOf(page('$n'), { n: 5 })).toBe(1 + 1 + 5 * 3);
    // No argument: the default page (50), and a message body weighs 20.
    expect(costOf('{ room(id: "x") { messages { edges { node { body } } } } }')).toBe(1 + 1 + 50 * (1 + 1 + 20));
  });

  it('refuses a hundred bytes that ask for every room × every message × every reaction × everyone', () => {
    const small = '{ rooms { messages(last: 100) { edges { node { body reactions { users { handle } } } } } } }';
    expect(small.length).toBeLessThan(100);
    expect(costOf(small)).toBeGreaterThan(MAX_COST * 10);
    expect(costOf('{ rooms { messages(last: 100) { edges { node { body } } } } }')).toBeGreaterThan(MAX_COST);
  });

  it('leaves introspection free, for GraphiQL', () => {
    expect(costOf('{ __schema { types { name fields { name args { name } } } } }')).toBe(0);
  });
});
