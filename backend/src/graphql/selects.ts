import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/** Does the operation select `name` directly under the field being resolved (fragments included)? */
export const selects = (info: GraphQLResolveInfo, name: string): boolean => {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
};
