import { type DocumentNode, type GraphQLSchema, Kind, TypeInfo, visit, visitWithTypeInfo } from 'graphql';

/**
 * The extension that marks a field whose answer depends on who asks (`mine`, later `reactedByMe`,
 * `unreadCount`, …). Subscribers of one document share one rendering of each event unless their
 * document selects such a field: then each viewer's rendering is their own.
 */
export const VIEWER_DEPENDENT = { viewerDependent: true } as const;

const memo = new WeakMap<DocumentNode, boolean>();

/** Does the document select a viewer-dependent field anywhere (fragments included)? Memoised per document. */
export const selectsViewerDependentField = (schema: GraphQLSchema, document: DocumentNode): boolean => {
  let found = memo.get(document);
  if (found !== undefined) return found;
  found = false;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      [Kind.FIELD]: () => {
        if (typeInfo.getFieldDef()?.extensions.viewerDependent === true) found = true;
      },
    }),
  );
  memo.set(document, found);
  return found;
};
