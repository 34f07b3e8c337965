import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  getNamedType,
  getNullableType,
  isAbstractType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
} from 'graphql';
import { PRESENCE_MAX_NAMES } from '../presence/activity.js';

/**
 * What a document may cost: the most values its answer can hold (a message body weighs 20). Every
 * field counts once for each time it can appear, so a list multiplies everything under it by how long it can be: a
 * page's `first`/`last` (the variable's largest allowed value when it is a variable, the
 * argument's default when absent), or for lists without paging the sizes below. A tiny document
 * that nests lists (rooms × messages × reactions × people) is then as costly as its answer.
 */
export const MAX_COST = 80_000;

/** Fields that weigh more than a value: message bodies, up to 4,000 characters. */
const FIELD_WEIGHTS: Record<string, number> = { 'Message.body': 20, 'MessageVersion.body': 20 };

/** Paging arguments: a connection's or a list's length. */
const PAGING_ARGUMENTS = ['first', 'last'] as const;
/** The largest page a variable may ask for, per field (the resolvers refuse more); others: 100. */
const PAGE_MAX: Record<string, number> = { 'Query.search': 50, 'Query.users': 10, 'Reaction.users': 20 };
const DEFAULT_PAGE_MAX = 100;
/**
 * Lists without paging, and how long they can be (or are assumed to be). A connection's `edges`
 * are sized by the connection's own arguments.
 */
export const LIST_SIZES: Record<string, number> = {
  'Query.rooms': 100,
  'Room.online': 100,
  'PresenceChanged.joined': PRESENCE_MAX_NAMES,
  'PresenceChanged.left': PRESENCE_MAX_NAMES,
  'Room.pinned': 50,
  'Message.reactions': 20,
  'Message.editHistory': 50,
  'SearchEdge.highlights': 10,
  'MessageConnection.edges': 1,
  'RoomConnection.edges': 1,
  'MemberConnection.edges': 1,
  'AuditConnection.edges': 1,
  'SearchConnection.edges': 1,
};

const toPageSize = (node: ValueNode, variables: Record<string, unknown> | null): number | 'variable' | null => {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const value = variables?.[node.name.value];
    return typeof value === 'number' ? value : variables === null ? 'variable' : null;
  }
  return null;
};

/** How many times a field's selections can appear for one appearance of the field. */
const sizeOf = (
  parent: GraphQLNamedType,
  field: GraphQLField<unknown, unknown>,
  args: readonly { name: { value: string }; value: ValueNode }[],
  variables: Record<string, unknown> | null,
): number => {
  const key = `${parent.name}.${field.name}`;
  const paging = field.args.filter((arg) => (PAGING_ARGUMENTS as readonly string[]).includes(arg.name));
  if (paging.length > 0) {
    const max = PAGE_MAX[key] ?? DEFAULT_PAGE_MAX;
    const given = args.filter((arg) => (PAGING_ARGUMENTS as readonly string[]).includes(arg.name.value));
    const sizes = given.map((arg) => {
      const value = toPageSize(arg.value, variables);
      return value === 'variable' ? max : Math.min(Math.max(value ?? max, 0), max);
    });
    if (sizes.length === 0) sizes.push(...paging.map((arg) => (typeof arg.defaultValue === 'number' ? arg.defaultValue : 0)));
    return Math.max(1, ...sizes);
  }
  if (isListType(getNullableType(field.type))) return LIST_SIZES[key] ?? DEFAULT_PAGE_MAX;
  return 1;
};

/**
 * The cost of one operation (see `MAX_COST`). `variables` null: at validation, before they are
 * known, a variable page size counts as the largest allowed. Introspection is free (GraphiQL).
 */
export const operationCost = (
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | null,
): number => {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const visit = (selections: SelectionSetNode, type: GraphQLNamedType, multiplier: number, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        if (!fragment || seen.has(fragment.name.value)) continue;
        const on = schema.getType(fragment.typeCondition.name.value) ?? type;
        total += visit(fragment.selectionSet, on, multiplier, new Set([...seen, fragment.name.value]));
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? type) : type;
        total += visit(selection.selectionSet, on, multiplier, seen);
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const fields = isObjectType(type) || isInterfaceType(type) ? type.getFields() : null;
      const field = fields?.[name];
      if (!field) {
        // A field of an abstract type's member, selected without a fragment: not valid; validation says so.
        if (!isAbstractType(type)) total += multiplier;
        continue;
      }
      total += multiplier * (FIELD_WEIGHTS[`${type.name}.${name}`] ?? 1);
      if (selection.selectionSet) {
        const size = sizeOf(type, field, selection.arguments ?? [], variables);
        total += visit(selection.selectionSet, getNamedType(field.type), multiplier * size, seen);
      }
    }
    return total;
  };
  return visit(operation.selectionSet, root, 1, new Set());
};

/** Every operation of a document with its cost; `variables` as for `operationCost`. */
export const documentCosts = (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null) => {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION
      ? [{ name: definition.name?.value ?? null, cost: operationCost(schema, definition, fragments, variables) }]
      : [],
  );
};
