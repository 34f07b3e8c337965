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

/**
 * Does the document give the field being resolved a non-null `name` (a literal, or a variable it
 * was sent)? Tells an argument the client wrote from its default, which the resolver sees alike.
 */
export const givesArgument = (info: GraphQLResolveInfo, name: string): boolean =>
  info.fieldNodes.some((node) =>
    (node.arguments ?? []).some(
      (argument) =>
        argument.name.value === name &&
        (argument.value.kind === Kind.VARIABLE
          ? info.variableValues[argument.value.name.value] != null
          : argument.value.kind !== Kind.NULL),
    ),
  );

/** Does the operation select the path of fields `names` under the field being resolved (fragments included)? */
export const selectsPath = (info: GraphQLResolveInfo, names: readonly string[]): boolean => {
  const under = (sets: readonly (SelectionSetNode | undefined)[], name: string): (SelectionSetNode | undefined)[] =>
    sets.flatMap((set) =>
      (set?.selections ?? []).flatMap((selection) => {
        if (selection.kind === Kind.FIELD) return selection.name.value === name ? [selection.selectionSet] : [];
        const fragment =
          selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : info.fragments[selection.name.value]?.selectionSet;
        return under([fragment], name);
      }),
    );
  let sets: (SelectionSetNode | undefined)[] = info.fieldNodes.map((node) => node.selectionSet);
  for (const name of names.slice(0, -1)) sets = under(sets, name);
  return selectsIn(info, sets, names.at(-1)!);
};
