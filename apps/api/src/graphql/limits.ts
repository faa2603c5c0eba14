import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** Limits that keep one query from costing more than a dashboard page: nesting depth and field count. */
export const MAX_DEPTH = 8;
export const MAX_FIELDS = 500;

function measure(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  depth: number,
  seen: Set<string>,
): { depth: number; fields: number } {
  let maxDepth = depth;
  let fields = 0;
  for (const selection of selectionSet.selections) {
    let child: SelectionSetNode | undefined;
    if (selection.kind === Kind.FIELD) {
      fields += 1;
      child = selection.selectionSet;
      if (child) {
        const inner = measure(child, fragments, depth + 1, seen);
        maxDepth = Math.max(maxDepth, inner.depth);
        fields += inner.fields;
      }
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) child = selection.selectionSet;
    else {
      const name = selection.name.value;
      if (seen.has(name)) continue;
      child = fragments[name]?.selectionSet;
      seen = new Set(seen).add(name);
    }
    if (child) {
      const inner = measure(child, fragments, depth, seen);
      maxDepth = Math.max(maxDepth, inner.depth);
      fields += inner.fields;
    }
  }
  return { depth: maxDepth, fields };
}

export function queryLimitsRule(context: ValidationContext): ASTVisitor {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return {
    OperationDefinition(node) {
      const { depth, fields } = measure(node.selectionSet, fragments, 1, new Set());
      if (depth > MAX_DEPTH)
        context.reportError(new GraphQLError(`Query depth ${depth} exceeds the limit of ${MAX_DEPTH}`));
      if (fields > MAX_FIELDS)
        context.reportError(new GraphQLError(`Query selects ${fields} fields; the limit is ${MAX_FIELDS}`));
    },
  };
}
