import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/** Does one of `sets` select `name` directly (fragments included)? */
const selectsIn = (info: GraphQLResolveInfo, sets: readonly (SelectionSetNode | undefined)[], name: string): boolean => {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return sets.some(visit);
};

/** Does the operation select `name` directly under the field being resolved (fragments included)? */
export const selects = (info: GraphQLResolveInfo, name: string): boolean =>
  selectsIn(
    info,
    info.fieldNodes.map((node) => node.selectionSet),
    name,
  );

/** Does the operation select `name` at its top level, beside the field being resolved? */
export const operationSelects = (info: GraphQLResolveInfo, name: string): boolean => selectsIn(info, [info.operation.selectionSet], name);
