import SchemaBuilder from '@pothos/core';
import { GraphQLError, Kind } from 'graphql';
import type { GraphQLContext } from './context.js';

/** The one SchemaBuilder (Pothos' plugin types are global). Fields are non-null unless they say so. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: { DateTime: { Input: Date; Output: string } };
}>({ defaultFieldNullability: false });

const invalidDate = () => new GraphQLError('DateTime must be an ISO-8601 date-time', { extensions: { code: 'BAD_USER_INPUT' } });
const parseDate = (value: unknown) => {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw invalidDate();
  return date;
};

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date-time in UTC, e.g. 2026-11-26T10:00:00.000Z.',
  serialize: (value) => (typeof value === 'string' ? value : new Date(value as unknown as string).toISOString()),
  parseValue: parseDate,
  parseLiteral: (node) => parseDate(node.kind === Kind.STRING ? node.value : undefined),
});
